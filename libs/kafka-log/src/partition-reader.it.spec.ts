import { startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionReader } from './partition-reader';
import type { ReaderRecord } from './fetched-records';

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('PartitionReader against a real broker', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1' } });
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'log', numPartitions: 2 }] });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  const produce = async (values: string[]): Promise<void> => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'log', messages: values.map((v) => ({ partition: 1, key: `k-${v}`, value: v, headers: { h: v } })) });
    await producer.disconnect();
  };

  it('tails a partition from an offset, in order, live, without joining a group, and survives a broker restart', async () => {
    await produce(['a', 'b', 'c']);
    await produce(['d']);
    const reader = new PartitionReader({ bootstrap: [broker.bootstrap], topic: 'log', partition: 1, maxWaitMs: 100 });
    expect(await reader.endOffset()).toBe(4);
    const seen: ReaderRecord[] = [];
    reader.start(1, (records) => seen.push(...records));
    await until('b..d', () => seen.length === 3);
    expect(seen.map((r) => [r.offset, String(r.key), String(r.value), String(r.headers[0].value)])).toEqual([
      [1, 'k-b', 'b', 'b'],
      [2, 'k-c', 'c', 'c'],
      [3, 'k-d', 'd', 'd'],
    ]);
    await produce(['e']);
    await until('e', () => seen.length === 4);
    expect(seen[3].offset).toBe(4);

    const admin = kafka.admin();
    await admin.connect();
    // Neither this reader nor the broker's own schema registry store joins a group.
    expect((await admin.listGroups()).groups).toEqual([]);
    await admin.disconnect();

    await broker.restart();
    await produce(['f']);
    await until('f after the restart', () => seen.length === 5, 30_000);
    expect(seen.map((r) => r.offset)).toEqual([1, 2, 3, 4, 5]);
    await reader.stop();
  });

  it('restarts at the log start when its offset was deleted', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: ['log'] });
    await admin.deleteTopicRecords({ topic: 'log', partitions: [{ partition: 1, offset: '3' }] });
    await admin.disconnect();
    const reader = new PartitionReader({ bootstrap: [broker.bootstrap], topic: 'log', partition: 1, maxWaitMs: 100 });
    const seen: number[] = [];
    reader.start(0, (records) => seen.push(...records.map((r) => r.offset)));
    await until('offsets from the log start', () => seen.length >= 3);
    await reader.stop();
    expect(seen[0]).toBe(3);
  });
});
