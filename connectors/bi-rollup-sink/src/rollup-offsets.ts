import { topicPartitionKey, type TopicPartition } from '@millrace/connect-sdk';
import { SINK_OFFSETS_TABLE as OFFSETS_TABLE, type PartitionOffset } from '@millrace/sink-rows';
import type { RollupConnection, UpsertColumn } from './dialect/rollup-dialect';

/**
 * The consumed offsets of the rollup sink, in the target database next to the rollups,
 * in the jdbc-sink's table and row format (millrace_sink_offsets: connector_name, topic,
 * kafka_partition, next_offset = last applied + 1, key_version = 2: the consumed
 * topic-partition before any transform), so both sinks share one table per database.
 *
 * Contract: `save` runs inside the transaction that applies the deltas covered by the
 * offsets; `load` answers null for partitions never committed.
 */
export const OFFSET_KEY_VERSION = 2;

export class RollupOffsetStore {
  constructor(
    private readonly conn: RollupConnection,
    private readonly connectorName: string,
  ) {}

  async ensureTable(): Promise<void> {
    const d = this.conn.dialect;
    const q = (c: string) => d.quote(c);
    try {
      await this.conn.query(
        `CREATE TABLE IF NOT EXISTS ${d.table(OFFSETS_TABLE)} (${q('connector_name')} VARCHAR(255) NOT NULL, ${q('topic')} VARCHAR(255) NOT NULL, ` +
          `${q('kafka_partition')} ${d.columnType('int')} NOT NULL, ${q('next_offset')} BIGINT NOT NULL, ${q('key_version')} ${d.columnType('int')} NOT NULL DEFAULT 1, ` +
          `PRIMARY KEY (${q('connector_name')}, ${q('topic')}, ${q('kafka_partition')}))`,
      );
    } catch (err) {
      if (!/already exists|duplicate key/i.test(String((err as Error).message))) throw err;
    }
  }

  async load(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const tp of partitions) out.set(topicPartitionKey(tp), null);
    if (partitions.length === 0) return out;
    const d = this.conn.dialect;
    const q = (c: string) => d.quote(c);
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const rows = await this.conn.query(
      `SELECT ${q('topic')} AS t, ${q('kafka_partition')} AS p, ${q('next_offset')} AS n FROM ${d.table(OFFSETS_TABLE)} ` +
        `WHERE ${q('connector_name')} = ${d.param(1)} AND ${q('key_version')} = ${d.param(2)} AND ${q('topic')} IN (${topics.map((_, i) => d.param(i + 3)).join(', ')})`,
      [this.connectorName, OFFSET_KEY_VERSION, ...topics],
    );
    for (const row of rows) {
      const key = topicPartitionKey({ topic: String(row.t), partition: Number(row.p) });
      if (out.has(key)) out.set(key, Number(row.n));
    }
    return out;
  }

  async save(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const d = this.conn.dialect;
    const cols: UpsertColumn[] = [
      { name: 'connector_name', type: 'text' },
      { name: 'topic', type: 'text' },
      { name: 'kafka_partition', type: 'int' },
      { name: 'next_offset', type: 'counter' },
      { name: 'key_version', type: 'int' },
    ];
    const rows = offsets.map((o) => [this.connectorName, o.topic, o.partition, o.nextOffset, OFFSET_KEY_VERSION]);
    const set = ['next_offset', 'key_version'].map((c) => `${d.quote(c)} = ${d.incoming(c)}`);
    const { sql, params } = d.upsert(OFFSETS_TABLE, 'o', cols, ['connector_name', 'topic', 'kafka_partition'], rows, set);
    await this.conn.query(sql, params);
  }
}
