import { Table, TableColumn, type QueryRunner } from 'typeorm';
import { topicPartitionKey, type SinkTopics, type TopicPartition } from '@millrace/connect-sdk';
import { SINK_OFFSET_KEY_VERSION, SINK_OFFSETS_TABLE, type PartitionOffset } from '@millrace/sink-rows';
import type { SinkDialect } from './dialect/sink-dialect';
import { OffsetKeyMigrationError, planOffsetKeyMigration, type LegacyOffsetRow } from './offset-key-migration';

/**
 * The sink's consumed Kafka offsets, kept in the destination database so that they
 * commit atomically with the rows (exactly-once sink).
 *
 * Table `millrace_sink_offsets`:
 *   connector_name VARCHAR(255), topic VARCHAR(255), kafka_partition INT,
 *   next_offset BIGINT (the offset of the next record to apply = last applied + 1),
 *   key_version INT NOT NULL DEFAULT 1,
 *   PRIMARY KEY (connector_name, topic, kafka_partition).
 * ("partition" is reserved in MySQL, hence kafka_partition.)
 *
 * `key_version` says what topic/kafka_partition/next_offset mean:
 *   2 — the consumed topic-partition and offset, before any transform
 *       (SinkRecord.originalTopic / originalKafkaPartition / originalKafkaOffset): the
 *       partitions the runtime assigns and seeks. Every row this store writes.
 *   1 — the topic and partition after the transforms. Rows written before the column
 *       existed get 1 when `ensureTable` adds it (and so does any row written by a
 *       program that does not know the column). Never read as offsets: `adoptLegacyRows`
 *       turns them into version 2 rows when that is provably the same thing, and refuses
 *       otherwise (offset-key-migration.ts).
 *
 * Contracts: `save` must run inside the transaction that writes the rows covered by the
 * offsets; it upserts, and offsets only move forward for a given partition within one
 * task's ownership (the task never saves a smaller next_offset than it read). `load`
 * answers null for partitions never committed (version 2 rows only).
 */
export const OFFSETS_TABLE = SINK_OFFSETS_TABLE;
/** The key version this store writes and reads. */
export const OFFSET_KEY_VERSION = SINK_OFFSET_KEY_VERSION;

export class OffsetStore {
  constructor(
    private readonly dialect: SinkDialect,
    private readonly connectorName: string,
  ) {}

  /**
   * Creates the table when missing, or adds `key_version` (default 1) to a table from
   * before it existed. Idempotent and safe when several tasks run it at once; run it
   * outside a transaction.
   */
  async ensureTable(qr: QueryRunner): Promise<void> {
    if (!(await qr.hasTable(OFFSETS_TABLE))) {
      try {
        await qr.createTable(
          new Table({
            name: OFFSETS_TABLE,
            columns: [
              { name: 'connector_name', type: 'varchar', length: '255', isPrimary: true },
              { name: 'topic', type: 'varchar', length: '255', isPrimary: true },
              { name: 'kafka_partition', type: this.intType(), isPrimary: true },
              { name: 'next_offset', type: 'bigint', isNullable: false },
              this.keyVersionColumn(),
            ],
          }),
          true,
        );
      } catch (err) {
        // Postgres' CREATE TABLE IF NOT EXISTS still fails when another task (on another
        // worker) creates the table at the same moment: then the table is there.
        if (!(await qr.hasTable(OFFSETS_TABLE))) throw err;
      }
      return;
    }
    if (await qr.hasColumn(OFFSETS_TABLE, 'key_version')) return;
    try {
      await qr.addColumn(OFFSETS_TABLE, new TableColumn(this.keyVersionColumn()));
    } catch (err) {
      // Another task of the connector may have added it meanwhile.
      if (!(await qr.hasColumn(OFFSETS_TABLE, 'key_version'))) throw err;
    }
  }

  /**
   * Resolves this connector's version 1 rows before anything is read (see the class
   * contract): adopts them as version 2, or throws OffsetKeyMigrationError saying what to
   * run. `renamingTransforms` are the configured transforms that can change a topic.
   */
  async adoptLegacyRows(qr: QueryRunner, consumed: SinkTopics, renamingTransforms: readonly string[]): Promise<void> {
    const d = this.dialect;
    const q = (name: string) => d.quoteIdentifier(name);
    const rows = (await qr.query(
      `SELECT ${q('topic')} AS t, ${q('kafka_partition')} AS p, ${q('next_offset')} AS n FROM ${d.quoteTable(OFFSETS_TABLE)} ` +
        `WHERE ${q('connector_name')} = ${d.placeholder(1)} AND ${q('key_version')} <> ${d.placeholder(2)} ORDER BY 1, 2`,
      [this.connectorName, OFFSET_KEY_VERSION],
    )) as { t: string; p: number | string; n: number | string }[];
    const legacy: LegacyOffsetRow[] = rows.map((r) => ({ topic: r.t, partition: Number(r.p), nextOffset: Number(r.n) }));
    const plan = planOffsetKeyMigration(this.connectorName, legacy, consumed, renamingTransforms);
    if (plan.kind === 'refuse') throw new OffsetKeyMigrationError(plan.message);
    if (plan.kind === 'none') return;
    await qr.query(
      `UPDATE ${d.quoteTable(OFFSETS_TABLE)} SET ${q('key_version')} = ${d.placeholder(1)} WHERE ${q('connector_name')} = ${d.placeholder(2)} ` +
        `AND ${q('key_version')} <> ${d.placeholder(3)} AND ${q('topic')} IN (${plan.topics.map((_, i) => d.placeholder(i + 4)).join(', ')})`,
      [OFFSET_KEY_VERSION, this.connectorName, OFFSET_KEY_VERSION, ...plan.topics],
    );
  }

  /** Stored next offsets of these (consumed) partitions; null where none is stored. */
  async load(qr: QueryRunner, partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const tp of partitions) out.set(topicPartitionKey(tp), null);
    if (partitions.length === 0) return out;
    const d = this.dialect;
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const sql =
      `SELECT ${d.quoteIdentifier('topic')} AS t, ${d.quoteIdentifier('kafka_partition')} AS p, ${d.quoteIdentifier('next_offset')} AS n ` +
      `FROM ${d.quoteTable(OFFSETS_TABLE)} WHERE ${d.quoteIdentifier('connector_name')} = ${d.placeholder(1)} ` +
      `AND ${d.quoteIdentifier('key_version')} = ${d.placeholder(2)} ` +
      `AND ${d.quoteIdentifier('topic')} IN (${topics.map((_, i) => d.placeholder(i + 3)).join(', ')})`;
    const rows = (await qr.query(sql, [this.connectorName, OFFSET_KEY_VERSION, ...topics])) as { t: string; p: number | string; n: number | string }[];
    for (const row of rows) {
      const key = topicPartitionKey({ topic: row.t, partition: Number(row.p) });
      if (out.has(key)) out.set(key, Number(row.n));
    }
    return out;
  }

  /** Upserts the next offsets of consumed partitions (one statement) inside the caller's transaction. */
  async save(qr: QueryRunner, offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const columns = ['connector_name', 'topic', 'kafka_partition', 'next_offset', 'key_version'];
    const sql = this.dialect.upsertSql(OFFSETS_TABLE, columns, columns.slice(0, 3), offsets.length);
    const params: unknown[] = [];
    for (const o of offsets) params.push(this.connectorName, o.topic, o.partition, o.nextOffset, OFFSET_KEY_VERSION);
    await qr.query(sql, params);
  }

  private intType(): string {
    return this.dialect.name === 'postgres' ? 'integer' : 'int';
  }

  private keyVersionColumn() {
    return { name: 'key_version', type: this.intType(), isNullable: false, default: 1 };
  }
}
