import { prng, seedFrom, startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { BatchProducer, type Delivery } from './batch-producer';
import { PartitionReader } from './partition-reader';
import type { ReaderRecord } from './fetched-records';

/** Reads partition `partition` of `topic` from offset 0 up to its end offset. */
async function readAll(bootstrap: string, topic: string, partition: number): Promise<ReaderRecord[]> {
  const reader = new PartitionReader({ bootstrap: [bootstrap], topic, partition, maxWaitMs: 50 });
  const end = await reader.endOffset();
  const seen: ReaderRecord[] = [];
  if (end === 0) return seen;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic}-${partition} timed out at ${seen.length}/${end}`)), 30_000);
    reader.start(0, (records, next) => {
      seen.push(...records);
      if (next >= end) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await reader.stop();
  return seen;
}

describe('BatchProducer against a real broker', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1' } });
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'exactly-once', numPartitions: 3 }, { topic: 'offsets', numPartitions: 1 }] });
    await admin.disconnect();
  });
  afterAll(() => broker?.stop());

  it('returns the offset of every record, also for an append larger than one batch', async () => {
    const producer = new BatchProducer({ bootstrap: [broker.bootstrap], batchBytes: 4096, lingerMs: 1 });
    const big = Array.from({ length: 100 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(200, i) }));
    const first = await producer.send('offsets', 0, [{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    const second = await producer.send('offsets', 0, big);
    await producer.close();
    expect(first).toEqual([0, 1]);
    expect(second).toEqual(Array.from({ length: 100 }, (_, i) => 2 + i));
    const read = await readAll(broker.bootstrap, 'offsets', 0);
    expect(read.map((r) => r.offset)).toEqual(Array.from({ length: 102 }, (_, i) => i));
    expect(read.slice(2).map((r) => r.value?.[0])).toEqual(big.map((r) => r.value[0]));
    expect(producer.producerId.id).toBeGreaterThanOrEqual(0);
  });

  it('writes every record exactly once and in order per partition across a kill -9 and a graceful restart mid-stream', async () => {
    const seed = seedFrom('SEED', 'BatchProducer fault schedule');
    const random = prng(seed);
    const total = 45_000;
    const chunk = 150;
    const killAt = Math.floor((0.15 + 0.25 * random()) * total);
    const restartAt = Math.floor((0.55 + 0.25 * random()) * total);
    const producer = new BatchProducer({ bootstrap: [broker.bootstrap], batchBytes: 16 * 1024, lingerMs: 2, bufferBytes: 1 << 20, deliveryTimeoutMs: 60_000, logger: { warn: (m) => warnings.push(m) } });
    const warnings: string[] = [];
    const sent: string[][] = [[], [], []];
    const deliveries: { partition: number; values: string[]; delivery: Delivery }[] = [];
    const faults: Promise<void>[] = [];
    for (let n = 0; n < total; n += chunk) {
      if (n === Math.floor(killAt / chunk) * chunk) faults.push(broker.kill().then(() => broker.restart()));
      if (n === Math.floor(restartAt / chunk) * chunk) faults.push(Promise.all(faults.splice(0)).then(() => broker.restart()));
      const partition = (n / chunk) % 3;
      const values = Array.from({ length: chunk }, (_, i) => `${partition}-${n + i}`);
      sent[partition].push(...values);
      const delivery = await producer.append('exactly-once', partition, values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(`value ${v} `.padEnd(120, '.')) })));
      deliveries.push({ partition, values, delivery });
    }
    await Promise.all(faults);
    await producer.close();
    const offsets = await Promise.all(deliveries.map((d) => d.delivery.delivered));
    // The faults hit while batches were in flight: the producer had to retry.
    expect(warnings.some((w) => /retrying/.test(w))).toBe(true);

    for (let partition = 0; partition < 3; partition++) {
      const read = await readAll(broker.bootstrap, 'exactly-once', partition);
      const keys = read.map((r) => r.key!.toString());
      expect({ seed, partition, count: keys.length }).toEqual({ seed, partition, count: sent[partition].length });
      expect(keys).toEqual(sent[partition]);
      const byKey = new Map(read.map((r) => [r.key!.toString(), r.offset]));
      deliveries.forEach((d, i) => {
        if (d.partition === partition) expect(offsets[i]).toEqual(d.values.map((v) => byKey.get(v)));
      });
    }
  }, 110_000);
});
