import type { ConnectorPlugin, SinkTask, SourceTask } from '../connector/connector';
import type { SinkAcceptanceHarness, SourceAcceptanceHarness } from './acceptance-harness';
import { AcceptanceFailure, checkPluginMetadata, checkRequiredKeysValidated, checkSinkPartitionsAssigned, checkSinkWriteFlush, checkSourceResume, checkTaskConfigs } from './acceptance-checks';
import { describeSinkConnectorAcceptance, describeSourceConnectorAcceptance } from './connector-acceptance';
import { InMemorySinkStore, createInMemorySinkPlugin } from './in-memory-sink-plugin';
import { InMemorySourceStore, createInMemorySourcePlugin } from './in-memory-source-plugin';
import { sinkRecord } from './record-builders';

function sourceHarness(plugin?: (store: InMemorySourceStore) => ConnectorPlugin): SourceAcceptanceHarness {
  const store = new InMemorySourceStore();
  let n = 0;
  return {
    plugin: plugin ? plugin(store) : createInMemorySourcePlugin(store),
    config: { tables: 'a,b', 'topic.prefix': 'mem.', 'poll.interval.ms': '5' },
    readTimeoutMs: 2000,
    prepare: async () => store.clear(),
    insertRows: async (count) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const table = n++ % 2 === 0 ? 'a' : 'b';
        ids.push(`${table}:${store.insert(table, { n })}`);
      }
      return ids;
    },
    recordId: (r) => `${String(r.sourcePartition.table)}:${String((r.key as { id: number }).id)}`,
  };
}

function sinkHarness(plugin?: (store: InMemorySinkStore) => ConnectorPlugin): SinkAcceptanceHarness & { store: InMemorySinkStore } {
  const store = new InMemorySinkStore();
  return {
    store,
    plugin: plugin ? plugin(store) : createInMemorySinkPlugin(store),
    config: { topics: 'orders', table: 'orders' },
    topicPartition: { topic: 'orders', partition: 0 },
    exactlyOnce: true,
    prepare: async () => store.clear(),
    makeRecords: (tp, from, count) => Array.from({ length: count }, (_, i) => sinkRecord({ topic: tp.topic, kafkaPartition: tp.partition, kafkaOffset: from + i, key: { id: `${tp.partition}-${from + i}` }, value: { v: from + i } })),
    storedIds: async () => [...store.rows('orders').keys()].map((k) => (JSON.parse(k) as { id: string }).id),
    recordId: (r) => (r.key as { id: string }).id,
  };
}

describeSourceConnectorAcceptance('in-memory', () => sourceHarness());
describeSinkConnectorAcceptance('in-memory', () => sinkHarness());

describe('the acceptance checks catch broken plugins', () => {
  it('undocumented config keys', async () => {
    const store = new InMemorySourceStore();
    const good = createInMemorySourcePlugin(store);
    const bad: ConnectorPlugin = { ...good, configDef: { keys: [...good.configDef.keys, { name: 'x', type: 'STRING', importance: 'LOW', documentation: '' }] } };
    await expect(checkPluginMetadata(bad, 'source')).rejects.toThrow(new AcceptanceFailure('config key x has no documentation'));
    await expect(checkPluginMetadata(good, 'sink')).rejects.toThrow(/plugin.type must be "sink"/);
  });

  it('a validator that does not name the missing key', async () => {
    const h = sourceHarness();
    await expect(checkRequiredKeysValidated({ ...h, validate: (_p, c): Record<string, string> => (c.tables ? {} : { tables: 'required' }) })).rejects.toThrow(/must name it/);
    await expect(checkRequiredKeysValidated({ ...h, validate: () => ({}) })).rejects.toThrow(/without required key tables must be rejected/);
  });

  it('too many task configs', async () => {
    const h = sourceHarness((store) => {
      const good = createInMemorySourcePlugin(store);
      return { ...good, createConnector: () => ({ start: async () => undefined, taskConfigs: async () => [{}, {}, {}, {}], stop: async () => undefined }) };
    });
    await expect(checkTaskConfigs(h)).rejects.toThrow('taskConfigs(3) must return 1..3 configs, got 4');
  });

  it('a source that ignores committed offsets (duplicates)', async () => {
    const h = sourceHarness((store) => {
      const good = createInMemorySourcePlugin(store);
      return {
        ...good,
        createTask: () => {
          const task = good.createTask() as SourceTask;
          const wrapped: SourceTask = { open: (config, context) => task.open(config, { ...context, offset: () => null }), read: (n) => task.read(n), ack: (r) => task.ack(r), teardown: () => task.teardown() };
          return wrapped;
        },
      };
    });
    await expect(checkSourceResume(h)).rejects.toThrow(/re-read acked rows/);
  });

  it('a source that skips past unacked records (gaps)', async () => {
    const h = sourceHarness((store) => {
      const good = createInMemorySourcePlugin(store);
      return {
        ...good,
        createTask: () => {
          const task = good.createTask() as SourceTask;
          // Resumes one row past the committed offset: loses a row per table.
          const wrapped: SourceTask = { open: (config, context) => task.open(config, { ...context, offset: (p) => {
                const committed = context.offset(p);
                return committed === null ? null : { id: Number(committed.id) + 1 };
              } }), read: (n) => task.read(n), ack: (r) => task.ack(r), teardown: () => task.teardown() };
          return wrapped;
        },
      };
    });
    await expect(checkSourceResume(h)).rejects.toThrow(/resumed task: missing/);
  });

  it('a sink whose flush does not persist', async () => {
    const h = sinkHarness((store) => {
      const good = createInMemorySinkPlugin(store);
      return {
        ...good,
        createTask: () => {
          const task = good.createTask() as SinkTask;
          const wrapped: SinkTask = { open: (c, x) => task.open(c, x), partitionsAssigned: (p) => task.partitionsAssigned(p), partitionsRevoked: async () => undefined, write: (r) => task.write(r), flush: async () => undefined, teardown: () => task.teardown() };
          return wrapped;
        },
      };
    });
    await expect(checkSinkWriteFlush(h)).rejects.toThrow(/stored after flush: missing/);
  });

  it('an exactly-once sink that does not return its offsets', async () => {
    const h = sinkHarness((store) => {
      const good = createInMemorySinkPlugin(store);
      return {
        ...good,
        createTask: () => {
          const task = good.createTask() as SinkTask;
          const wrapped: SinkTask = { open: (c, x) => task.open(c, x), partitionsAssigned: async (p) => new Map(p.map((tp) => [`${tp.topic}-${tp.partition}`, null])), partitionsRevoked: (p) => task.partitionsRevoked(p), write: (r) => task.write(r), flush: () => task.flush(), teardown: () => task.teardown() };
          return wrapped;
        },
      };
    });
    await expect(checkSinkPartitionsAssigned(h)).rejects.toThrow(/must return offset 4/);
    await expect(checkSinkPartitionsAssigned({ ...h, exactlyOnce: false })).resolves.toBeUndefined();
  });
});
