import { startBroker, type BrokerProcess } from '@millrace/testing';
import { logLevel, Kafka } from 'kafkajs';
import pino from 'pino';
import { createKafkaClient } from './kafka-client';
import { KafkaBasedLog, type LogRecord } from './kafka-based-log';
import { PartitionReader } from './partition-reader';

const logger = pino({ level: 'silent' });

describe('KafkaBasedLog against a real broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1' } });
  });
  afterAll(() => broker?.stop());

  const open = (topic: string, state: Map<string, string | null>, isolationLevel?: 'read_committed', partitions = 3) =>
    new KafkaBasedLog({
      topic,
      partitions,
      kafka: createKafkaClient([broker.bootstrap], 'kafka-based-log-test', logger),
      bootstrap: [broker.bootstrap],
      readerClientId: 'kafka-based-log-test',
      logger,
      isolationLevel,
      apply: (r: LogRecord) => {
        if (r.value === 'poison') throw new Error('cannot read this');
        state.set(r.key, r.value);
      },
    });

  it('creates the topic compacted, reads its own writes, skips what it cannot apply and loads everything at start', async () => {
    const first = new Map<string, string | null>();
    const log = open('log-a', first);
    await log.start();
    expect(log.loaded).toBe(true);
    await log.send([
      { key: 'a', value: '1' },
      { key: 'b', value: 'poison' },
      { key: 'c', value: '3' },
    ]);
    expect([...first]).toEqual(expect.arrayContaining([['a', '1'], ['c', '3']]));
    expect(first.has('b')).toBe(false);
    await log.send([{ key: 'a', value: null }]);
    expect(first.get('a')).toBeNull();
    await log.stop();

    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'log-a', configNames: ['cleanup.policy'] }] });
    expect(configs.resources[0].configEntries[0].configValue).toBe('compact');
    expect((await admin.fetchTopicMetadata({ topics: ['log-a'] })).topics[0].partitions).toHaveLength(3);
    expect((await admin.listGroups()).groups).toEqual([]);
    await admin.disconnect();

    const second = new Map<string, string | null>();
    const reopened = open('log-a', second, 'read_committed');
    await reopened.start();
    expect(second).toEqual(first);
    await reopened.stop();
  });

  it('rejects writes after stop', async () => {
    const log = open('log-b', new Map());
    await log.start();
    await log.stop();
    await expect(log.send([{ key: 'k', value: 'v' }])).rejects.toThrow(/not open/);
  });

  it('a read_committed reader ends at the last stable offset, which without transactions is the high watermark', async () => {
    const log = open('log-c', new Map(), undefined, 1);
    await log.start();
    await log.send([{ key: 'x', value: '1' }]);
    await log.stop();
    const uncommitted = new PartitionReader({ bootstrap: [broker.bootstrap], topic: 'log-c', partition: 0 });
    const committed = new PartitionReader({ bootstrap: [broker.bootstrap], topic: 'log-c', partition: 0, isolationLevel: 'read_committed' });
    expect(await uncommitted.endOffset()).toBe(1);
    expect(await committed.endOffset()).toBe(await uncommitted.endOffset());
    await Promise.all([uncommitted.stop(), committed.stop()]);
  });
});
