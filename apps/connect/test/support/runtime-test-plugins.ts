import type {
  ConnectSchema,
  Connector,
  ConnectorContext,
  ConnectorPlugin,
  ParsedConfig,
  SinkRecord,
  SinkTask,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
} from '@millrace/connect-sdk';

/**
 * Test plugins for the runtime's own integration tests (loaded through
 * test-plugin-module.ts, next to connect-sdk's in-memory plugins). They
 * exist because those tests drive a worker in another process: these plugins generate
 * their own data and fail on request through their config, which the in-memory plugins
 * (fed and inspected through in-process stores) cannot.
 *
 * FakeSource: each task emits records to `topic` from source partition `{"task": <id>}`
 * with offsets `{"position": n}` (n counting from the committed offset), key the string
 * `<id>-<n>`, value a struct {task: int32, position: int64}. `fake.fail.reads` makes the
 * first N reads of each task in this process throw; `fake.fail.connector=true` makes
 * the connector's start throw. `fake.secret` (PASSWORD) is sent as header `fake.secret` of
 * every record (the secrets tests read what a config provider resolved);
 * `fake.log.config=true` makes each task log its whole config at open (the secrets tests
 * check the log scrubber hides the secret).
 * FakeSink: keeps written records in memory; `fake.fail.writes` makes the first N writes
 * of each task in this process throw.
 */
const failureCounters = new Map<string, number>();

function failOnce(key: string, limit: number, what: string): void {
  const count = failureCounters.get(key) ?? 0;
  if (count < limit) {
    failureCounters.set(key, count + 1);
    throw new Error(`${what} failed on purpose (${count + 1} of ${limit})`);
  }
}

const VALUE_SCHEMA: ConnectSchema = {
  type: 'struct',
  optional: false,
  name: 'millrace.fake.Value',
  fields: [
    { name: 'task', index: 0, schema: { type: 'int32', optional: false } },
    { name: 'position', index: 1, schema: { type: 'int64', optional: false } },
  ],
};
const KEY_SCHEMA: ConnectSchema = { type: 'string', optional: false };

class FakeConnector implements Connector {
  private config: Readonly<Record<string, string>> = {};
  async start(config: Readonly<Record<string, string>>, parsed: ParsedConfig, _context: ConnectorContext): Promise<void> {
    if (parsed['fake.fail.connector'] === true) throw new Error('connector start failed on purpose');
    this.config = config;
  }
  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    return Array.from({ length: maxTasks }, (_, i) => ({ ...this.config, 'fake.task.id': String(i) }));
  }
  async stop(): Promise<void> {}
}

class FakeSourceTask implements SourceTask {
  private topic = '';
  private id = 0;
  private position = 0;
  private perRead = 10;
  private max = -1;
  private emitted = 0;
  private intervalMs = 100;
  private failReads = 0;
  private failKey = '';
  private secret: string | undefined;

  async open(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.topic = config.topic;
    this.secret = config['fake.secret'];
    if (config['fake.log.config'] === 'true') context.logger.info(`fake source task config: ${JSON.stringify(config)}`);
    this.id = Number(config['fake.task.id'] ?? context.taskId);
    const committed = context.offset({ task: this.id });
    this.position = committed ? Number(committed.position) + 1 : 0;
    this.perRead = Number(config['fake.records.per.read'] ?? 10);
    this.max = Number(config['fake.max.records'] ?? -1);
    this.intervalMs = Number(config['fake.poll.interval.ms'] ?? 100);
    this.failReads = Number(config['fake.fail.reads'] ?? 0);
    this.failKey = `${context.connectorName}/${context.taskId}/read`;
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    failOnce(this.failKey, this.failReads, 'read');
    await new Promise((r) => setTimeout(r, this.intervalMs));
    let n = Math.min(maxRecords, this.perRead);
    if (this.max >= 0) n = Math.min(n, this.max - this.emitted);
    const out: SourceRecord[] = [];
    for (let i = 0; i < n; i++) {
      const position = this.position++;
      out.push({
        topic: this.topic,
        kafkaPartition: null,
        keySchema: KEY_SCHEMA,
        key: `${this.id}-${position}`,
        valueSchema: VALUE_SCHEMA,
        value: { task: this.id, position },
        timestamp: null,
        headers: this.secret === undefined ? [] : [{ key: 'fake.secret', value: Buffer.from(this.secret) }],
        sourcePartition: { task: this.id },
        sourceOffset: { position },
      });
    }
    this.emitted += n;
    return out;
  }

  async ack(): Promise<void> {}
  async teardown(): Promise<void> {}
}

class FakeSinkTask implements SinkTask {
  readonly written: SinkRecord[] = [];
  private failWrites = 0;
  private failKey = '';
  async open(config: Readonly<Record<string, string>>, context: { connectorName: string; taskId: number }): Promise<void> {
    this.failWrites = Number(config['fake.fail.writes'] ?? 0);
    this.failKey = `${context.connectorName}/${context.taskId}/write`;
  }
  async partitionsAssigned(): Promise<ReadonlyMap<string, number | null>> {
    return new Map();
  }
  async partitionsRevoked(): Promise<void> {}
  async write(records: readonly SinkRecord[]): Promise<void> {
    failOnce(this.failKey, this.failWrites, 'write');
    this.written.push(...records);
  }
  async flush(): Promise<void> {}
  async teardown(): Promise<void> {}
}

const commonKeys = [
  { name: 'fake.fail.connector', type: 'BOOLEAN', importance: 'LOW', documentation: 'Make the connector fail at start.', default: false },
] as const;

export const FAKE_SOURCE_PLUGIN: ConnectorPlugin = {
  name: 'FakeSource',
  aliases: ['fake-source'],
  type: 'source',
  version: '0.1.0',
  configDef: {
    keys: [
      { name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic the records go to.', group: 'Fake' },
      { name: 'fake.records.per.read', type: 'INT', importance: 'LOW', documentation: 'Records per read.', default: 10, group: 'Fake', validator: (v) => (Number(v) >= 1 ? null : 'Value must be at least 1') },
      { name: 'fake.max.records', type: 'LONG', importance: 'LOW', documentation: 'Records per task and run; -1 = unlimited.', default: -1, group: 'Fake' },
      { name: 'fake.poll.interval.ms', type: 'INT', importance: 'LOW', documentation: 'Wait inside each read.', default: 100, group: 'Fake' },
      { name: 'fake.secret', type: 'PASSWORD', importance: 'LOW', documentation: 'Sent as header fake.secret of every record.', default: null, group: 'Fake' },
      { name: 'fake.log.config', type: 'BOOLEAN', importance: 'LOW', documentation: 'Each task logs its config at open.', default: false, group: 'Fake' },
      { name: 'fake.fail.reads', type: 'INT', importance: 'LOW', documentation: 'The first N reads of each task in this process fail.', default: 0, group: 'Fake' },
      ...commonKeys,
    ],
    groups: ['Fake'],
  },
  createConnector: () => new FakeConnector(),
  createTask: () => new FakeSourceTask(),
};

export const FAKE_SINK_PLUGIN: ConnectorPlugin = {
  name: 'FakeSink',
  aliases: ['fake-sink'],
  type: 'sink',
  version: '0.1.0',
  configDef: {
    keys: [{ name: 'fake.fail.writes', type: 'INT', importance: 'LOW', documentation: 'The first N writes of each task in this process fail.', default: 0, group: 'Fake' }, ...commonKeys],
    groups: ['Fake'],
  },
  createConnector: () => new FakeConnector(),
  createTask: () => new FakeSinkTask(),
};
