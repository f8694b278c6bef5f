import type { ConfigDef, ParsedConfig } from '../config/config-def';
import { type Connector, type ConnectorPlugin, type SinkTask, topicPartitionKey } from '../connector/connector';
import { originalTopicPartition, type SinkRecord, type TopicPartition } from '../record/connect-record';
import { stableJson } from './test-contexts';

/**
 * Rows by table and row key, plus the consumed Kafka offsets (next offset to read) per
 * topic-partition, committed together: an exactly-once destination.
 */
export class InMemorySinkStore {
  readonly tables = new Map<string, Map<string, unknown>>();
  readonly offsets = new Map<string, number>();
  commits = 0;

  /** Applies rows and offsets atomically (one "transaction"). */
  commit(rows: ReadonlyArray<{ table: string; key: string; value: unknown }>, offsets: ReadonlyMap<string, number>): void {
    for (const row of rows) {
      const table = this.tables.get(row.table) ?? new Map<string, unknown>();
      if (row.value === null) table.delete(row.key);
      else table.set(row.key, row.value);
      this.tables.set(row.table, table);
    }
    for (const [tp, offset] of offsets) this.offsets.set(tp, offset);
    this.commits += 1;
  }

  rows(table: string): Map<string, unknown> {
    return this.tables.get(table) ?? new Map();
  }

  clear(): void {
    this.tables.clear();
    this.offsets.clear();
  }
}

const SINK_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'topics', type: 'LIST', default: '', importance: 'HIGH', documentation: 'Topics to consume (set by the runtime from the connector config).' },
    { name: 'table', type: 'STRING', importance: 'HIGH', documentation: 'Table of the in-memory store to upsert rows into.' },
  ],
};

class InMemorySinkConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Promise<void> {
    this.config = config;
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.config }));
  }

  async stop(): Promise<void> {
    // Nothing to release.
  }
}

/**
 * Buffers written records; `flush` commits the buffer (upsert by record key, delete on a
 * tombstone) together with the next offset of each partition. `partitionsAssigned`
 * returns those stored offsets (null when none), so the runtime seeks there.
 */
class InMemorySinkTask implements SinkTask {
  private table = '';
  private buffer: SinkRecord[] = [];
  private open_ = false;

  constructor(private readonly store: InMemorySinkStore) {}

  async open(config: Readonly<Record<string, string>>): Promise<void> {
    this.table = config.table ?? '';
    this.open_ = true;
  }

  async partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>> {
    return new Map(partitions.map((tp) => [topicPartitionKey(tp), this.store.offsets.get(topicPartitionKey(tp)) ?? null]));
  }

  async partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    const revoked = new Set(partitions.map(topicPartitionKey));
    if (this.buffer.some((r) => revoked.has(topicPartitionKey(originalTopicPartition(r))))) await this.flush();
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    if (!this.open_) throw new Error('write after teardown');
    this.buffer.push(...records);
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const offsets = new Map<string, number>();
    const rows = this.buffer.map((r) => {
      offsets.set(topicPartitionKey(originalTopicPartition(r)), r.originalKafkaOffset + 1);
      return { table: this.table, key: stableJson(r.key), value: r.value };
    });
    this.store.commit(rows, offsets);
    this.buffer = [];
  }

  async teardown(): Promise<void> {
    this.buffer = [];
    this.open_ = false;
  }
}

/**
 * An exactly-once sink plugin over an `InMemorySinkStore`, for tests of the acceptance
 * suite and the runtime. Config: `table` (required), `topics`.
 */
export function createInMemorySinkPlugin(store: InMemorySinkStore, name = 'InMemorySink'): ConnectorPlugin {
  return {
    name,
    aliases: [`org.millrace.testing.${name}Connector`],
    type: 'sink',
    version: '1.0.0',
    configDef: SINK_CONFIG_DEF,
    createConnector: () => new InMemorySinkConnector(),
    createTask: () => new InMemorySinkTask(store),
  };
}
