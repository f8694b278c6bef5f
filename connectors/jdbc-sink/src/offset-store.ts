import { Table, type QueryRunner } from 'typeorm';
import { topicPartitionKey, type TopicPartition } from '@millrace/connect-sdk';
import type { SinkDialect } from './dialect/sink-dialect';

/**
 * The sink's consumed Kafka offsets, kept in the destination database so that they
 * commit atomically with the rows (exactly-once sink).
 *
 * Table `millrace_sink_offsets`:
 *   connector_name VARCHAR(255), topic VARCHAR(255), kafka_partition INT,
 *   next_offset BIGINT (the offset of the next record to apply = last applied + 1),
 *   PRIMARY KEY (connector_name, topic, kafka_partition).
 * ("partition" is reserved in MySQL, hence kafka_partition.)
 *
 * Contracts: `save` must run inside the transaction that writes the rows covered by the
 * offsets; it upserts, and offsets only move forward for a given partition within one
 * task's ownership (the task never saves a smaller next_offset than it read). `load`
 * answers null for partitions never committed.
 */
export const OFFSETS_TABLE = 'millrace_sink_offsets';

export interface PartitionOffset extends TopicPartition {
  readonly nextOffset: number;
}

export class OffsetStore {
  constructor(
    private readonly dialect: SinkDialect,
    private readonly connectorName: string,
  ) {}

  /** Creates the table when missing (idempotent; run outside a transaction). */
  async ensureTable(qr: QueryRunner): Promise<void> {
    if (await qr.hasTable(OFFSETS_TABLE)) return;
    await qr.createTable(
      new Table({
        name: OFFSETS_TABLE,
        columns: [
          { name: 'connector_name', type: 'varchar', length: '255', isPrimary: true },
          { name: 'topic', type: 'varchar', length: '255', isPrimary: true },
          { name: 'kafka_partition', type: this.dialect.name === 'postgres' ? 'integer' : 'int', isPrimary: true },
          { name: 'next_offset', type: 'bigint', isNullable: false },
        ],
      }),
      true,
    );
  }

  /** Stored next offsets of these partitions; null where none is stored. */
  async load(qr: QueryRunner, partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const tp of partitions) out.set(topicPartitionKey(tp), null);
    if (partitions.length === 0) return out;
    const d = this.dialect;
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const sql =
      `SELECT ${d.quoteIdentifier('topic')} AS t, ${d.quoteIdentifier('kafka_partition')} AS p, ${d.quoteIdentifier('next_offset')} AS n ` +
      `FROM ${d.quoteTable(OFFSETS_TABLE)} WHERE ${d.quoteIdentifier('connector_name')} = ${d.placeholder(1)} ` +
      `AND ${d.quoteIdentifier('topic')} IN (${topics.map((_, i) => d.placeholder(i + 2)).join(', ')})`;
    const rows = (await qr.query(sql, [this.connectorName, ...topics])) as { t: string; p: number | string; n: number | string }[];
    for (const row of rows) {
      const key = topicPartitionKey({ topic: row.t, partition: Number(row.p) });
      if (out.has(key)) out.set(key, Number(row.n));
    }
    return out;
  }

  /** Upserts the next offsets (one statement) inside the caller's transaction. */
  async save(qr: QueryRunner, offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const columns = ['connector_name', 'topic', 'kafka_partition', 'next_offset'];
    const sql = this.dialect.upsertSql(OFFSETS_TABLE, columns, columns.slice(0, 3), offsets.length);
    const params: unknown[] = [];
    for (const o of offsets) params.push(this.connectorName, o.topic, o.partition, o.nextOffset);
    await qr.query(sql, params);
  }
}
