import type { DuckDBConnection } from '@duckdb/node-api';
import { topicPartitionKey, type TopicPartition } from '@millrace/connect-sdk';
import { SINK_OFFSET_KEY_VERSION, SINK_OFFSETS_TABLE, type PartitionOffset } from '@millrace/sink-rows';

/**
 * The sink's consumed Kafka offsets in the DuckDB file itself, committed atomically with
 * the rows: the same `millrace_sink_offsets` table as the JDBC sink's (connector_name,
 * topic, kafka_partition, next_offset = last applied + 1, key_version 2 = the consumed
 * topic-partition before any transform), primary key (connector_name, topic,
 * kafka_partition).
 *
 * Contracts: `save` runs inside the transaction that writes the rows the offsets cover; `load` answers null for partitions never committed.
 */
const T = SINK_OFFSETS_TABLE;

export class DuckDbOffsetStore {
  constructor(private readonly connectorName: string) {}

  async ensureTable(conn: DuckDBConnection): Promise<void> {
    await conn.run(
      `CREATE TABLE IF NOT EXISTS ${T} (connector_name VARCHAR NOT NULL, topic VARCHAR NOT NULL, kafka_partition INTEGER NOT NULL, ` +
        `next_offset BIGINT NOT NULL, key_version INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (connector_name, topic, kafka_partition))`,
    );
  }

  async load(conn: DuckDBConnection, partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const tp of partitions) out.set(topicPartitionKey(tp), null);
    if (partitions.length === 0) return out;
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const reader = await conn.runAndReadAll(
      `SELECT topic, kafka_partition, next_offset FROM ${T} WHERE connector_name = $1 AND key_version = $2 AND topic IN (${topics.map((_t, i) => `$${i + 3}`).join(', ')})`,
      [this.connectorName, SINK_OFFSET_KEY_VERSION, ...topics],
    );
    for (const [topic, partition, next] of reader.getRows()) {
      const key = topicPartitionKey({ topic: String(topic), partition: Number(partition) });
      if (out.has(key)) out.set(key, Number(next));
    }
    return out;
  }

  /**
   * Stores the next offsets inside the caller's transaction: an UPDATE per partition, an
   * INSERT for those it found no row of (a DuckDB UPDATE of one row costs a fraction of an
   * INSERT ... ON CONFLICT, and the offsets are written with every batch).
   */
  async save(conn: DuckDBConnection, offsets: readonly PartitionOffset[]): Promise<void> {
    const missing: PartitionOffset[] = [];
    for (const o of offsets) {
      const result = await conn.run(
        `UPDATE ${T} SET next_offset = $1, key_version = ${SINK_OFFSET_KEY_VERSION} WHERE connector_name = $2 AND topic = $3 AND kafka_partition = $4`,
        [o.nextOffset, this.connectorName, o.topic, o.partition],
      );
      if (result.rowsChanged === 0) missing.push(o);
    }
    if (missing.length === 0) return;
    const params: (string | number)[] = [];
    const rows = missing.map((o, i) => {
      params.push(this.connectorName, o.topic, o.partition, o.nextOffset);
      return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}, ${SINK_OFFSET_KEY_VERSION})`;
    });
    await conn.run(`INSERT INTO ${T} (connector_name, topic, kafka_partition, next_offset, key_version) VALUES ${rows.join(', ')}`, params);
  }
}
