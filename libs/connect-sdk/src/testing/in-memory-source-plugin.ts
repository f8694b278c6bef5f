import type { ConfigDef, ParsedConfig } from '../config/config-def';
import type { Connector, ConnectorPlugin, SourceTask, SourceTaskContext } from '../connector/connector';
import type { SourceRecord } from '../record/connect-record';

/** Rows of named in-memory tables; ids are 1, 2, 3, ... per table. */
export class InMemorySourceStore {
  private readonly tables = new Map<string, Array<{ id: number; data: Record<string, unknown> }>>();

  insert(table: string, data: Record<string, unknown>): number {
    const rows = this.tables.get(table) ?? [];
    const id = rows.length + 1;
    rows.push({ id, data });
    this.tables.set(table, rows);
    return id;
  }

  rowsAfter(table: string, afterId: number, limit: number): Array<{ id: number; data: Record<string, unknown> }> {
    return (this.tables.get(table) ?? []).filter((r) => r.id > afterId).slice(0, limit);
  }

  clear(): void {
    this.tables.clear();
  }
}

const SOURCE_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'tables', type: 'LIST', importance: 'HIGH', documentation: 'Tables of the in-memory store to read.' },
    { name: 'topic.prefix', type: 'STRING', importance: 'HIGH', documentation: 'Prefix of the topic of each table (topic = prefix + table).' },
    { name: 'batch.max.rows', type: 'INT', default: 100, importance: 'LOW', documentation: 'Most rows returned by one read.' },
    { name: 'poll.interval.ms', type: 'INT', default: 20, importance: 'LOW', documentation: 'Wait inside read when no row is new.' },
  ],
};

function listOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

class InMemorySourceConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig): Promise<void> {
    this.config = config;
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    const tables = listOf(this.config.tables);
    const groups: string[][] = Array.from({ length: Math.max(1, Math.min(maxTasks, tables.length)) }, () => []);
    tables.forEach((t, i) => groups[i % groups.length].push(t));
    return groups.map((g) => ({ ...this.config, tables: g.join(',') }));
  }

  async stop(): Promise<void> {
    // Nothing to release.
  }
}

/**
 * Reads its tables in id order. Source partition `{table}`, source offset `{id}` of the
 * row; key `{id}`, value `{id, ...row}` schemaless, topic `topic.prefix` + table. Resumes
 * after the committed offset of each table. `read` waits `poll.interval.ms` when idle.
 */
class InMemorySourceTask implements SourceTask {
  private tables: string[] = [];
  private prefix = '';
  private batch = 100;
  private pollMs = 20;
  private readonly position = new Map<string, number>();
  private open_ = false;
  acked = 0;

  constructor(private readonly store: InMemorySourceStore) {}

  async open(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.tables = listOf(config.tables);
    this.prefix = config['topic.prefix'] ?? '';
    this.batch = Number(config['batch.max.rows'] ?? 100);
    this.pollMs = Number(config['poll.interval.ms'] ?? 20);
    for (const table of this.tables) {
      const committed = context.offset({ table });
      this.position.set(table, typeof committed?.id === 'number' ? committed.id : 0);
    }
    this.open_ = true;
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    if (!this.open_) throw new Error('read after teardown');
    const out: SourceRecord[] = [];
    const limit = Math.min(maxRecords, this.batch);
    for (const table of this.tables) {
      if (out.length >= limit) break;
      for (const row of this.store.rowsAfter(table, this.position.get(table) ?? 0, limit - out.length)) {
        out.push({
          topic: this.prefix + table,
          kafkaPartition: null,
          keySchema: null,
          key: { id: row.id },
          valueSchema: null,
          value: { id: row.id, ...row.data },
          timestamp: null,
          headers: [],
          sourcePartition: { table },
          sourceOffset: { id: row.id },
        });
        this.position.set(table, row.id);
      }
    }
    if (out.length === 0) await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    return out;
  }

  async ack(records: readonly SourceRecord[]): Promise<void> {
    this.acked += records.length;
  }

  async teardown(): Promise<void> {
    this.open_ = false;
  }
}

/**
 * A source plugin over an `InMemorySourceStore`, for tests of the acceptance suite and
 * the runtime. Config: `tables` (required list), `topic.prefix` (required),
 * `batch.max.rows`, `poll.interval.ms`; tasks split the tables round-robin.
 */
export function createInMemorySourcePlugin(store: InMemorySourceStore, name = 'InMemorySource'): ConnectorPlugin {
  return {
    name,
    aliases: [`org.millrace.testing.${name}Connector`],
    type: 'source',
    version: '1.0.0',
    configDef: SOURCE_CONFIG_DEF,
    createConnector: () => new InMemorySourceConnector(),
    createTask: () => new InMemorySourceTask(store),
  };
}
