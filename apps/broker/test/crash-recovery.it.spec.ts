import * as fs from 'node:fs';
import type { Admin, Kafka } from 'kafkajs';
import { runKcat, SYSTEM_PYTHON, type BrokerProcess } from '@millrace/testing';
import { startTestBroker } from './support/broker';
import { ChildLines } from './support/child-lines';
import { uniqueName } from './support/data';
import { consumeN, createTopic, makeKafka, topicOffsets } from './support/kafka';
import { findPartitionDir, listSegments, readBatches } from './support/log-files';
import { waitFor } from './support/wait-for';

/**
 * argv: bootstrap topic n
 * Idempotent producer of values "v-<i>", paced (~10k/s), printing "delivered <k>" every
 * 100 ms and finally "DONE <json>". Retries through a broker restart (long message timeout).
 */
const PACED_IDEMPOTENT_PRODUCER = `
import sys, json, time
from confluent_kafka import Producer
bs, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bs, 'enable.idempotence': True, 'linger.ms': 5, 'message.timeout.ms': 120000,
              'reconnect.backoff.ms': 100, 'reconnect.backoff.max.ms': 500, 'retry.backoff.ms': 100})
state = {'ok': 0, 'errors': []}
def cb(err, msg):
    if err is None:
        state['ok'] += 1
    else:
        state['errors'].append(str(err))
last = 0.0
for i in range(n):
    while True:
        try:
            p.produce(topic, value=('v-%d' % i).encode(), partition=0, on_delivery=cb)
            break
        except BufferError:
            p.poll(0.05)
    if i % 100 == 99:
        p.poll(0)
        time.sleep(0.01)
    now = time.time()
    if now - last > 0.1:
        print('delivered %d produced %d' % (state['ok'], i + 1), flush=True)
        last = now
left = p.flush(120)
print('DONE ' + json.dumps({'ok': state['ok'], 'errorCount': len(state['errors']), 'errors': state['errors'][:10], 'left': left}), flush=True)
`;

function logsSinceLastRestart(broker: BrokerProcess): string {
  const all = broker.logs();
  const marker = all.lastIndexOf('--- millrace-testing: restarting broker ---');
  return marker < 0 ? all : all.slice(marker);
}

describe('crash recovery', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;

  const connectAdmin = async (): Promise<void> => {
    await admin?.disconnect().catch(() => undefined);
    kafka = makeKafka(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
  };

  beforeAll(async () => {
    broker = await startTestBroker('crash-recovery', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' });
    await connectAdmin();
  });

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  test('kill -9 mid-stream: every acknowledged record survives, offsets contiguous, committed offsets intact', async () => {
    const topic = uniqueName('crash');
    const commitsTopic = uniqueName('crash-commits');
    const groupId = uniqueName('crash-g');
    await createTopic(admin, topic, 1);
    await createTopic(admin, commitsTopic, 3);

    // Committed offsets of a consumer group, before the crash.
    const setup = kafka.producer();
    await setup.connect();
    for (const partition of [0, 1, 2]) {
      await setup.send({ topic: commitsTopic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `c${partition}-${i}`, partition })) });
    }
    await setup.disconnect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 500 });
    let seen = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [commitsTopic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async () => {
          seen++;
        },
      });
      await waitFor('30 consumed', () => seen >= 30);
      await consumer.commitOffsets([
        { topic: commitsTopic, partition: 0, offset: '4' },
        { topic: commitsTopic, partition: 1, offset: '7' },
        { topic: commitsTopic, partition: 2, offset: '10' },
      ]);
    } finally {
      await consumer.disconnect();
    }
    const committedOf = async (): Promise<Array<[number, string]>> =>
      (await admin.fetchOffsets({ groupId, topics: [commitsTopic] }))[0].partitions.map((p): [number, string] => [p.partition, p.offset]).sort((a, b) => a[0] - b[0]);
    expect(await committedOf()).toEqual([
      [0, '4'],
      [1, '7'],
      [2, '10'],
    ]);

    // Continuous acks=1 production; remember what was acknowledged at which offset.
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const acked = new Map<number, string>();
    let stop = false;
    let seq = 0;
    const loop = (async () => {
      while (!stop) {
        const messages = Array.from({ length: 20 }, () => ({ value: `p-${seq++}` }));
        try {
          const md = await producer.send({ topic, acks: 1, messages });
          const base = Number(md[0].baseOffset);
          messages.forEach((m, i) => acked.set(base + i, m.value));
        } catch {
          if (stop) return;
        }
      }
    })();
    await waitFor('3000 records acknowledged', () => acked.size >= 3000, { timeoutMs: 60_000 });
    await broker.kill();
    stop = true;
    await loop;
    await producer.disconnect().catch(() => undefined);
    const ackedCount = acked.size;

    await broker.restart();
    await connectAdmin();
    const { low, high } = (await topicOffsets(admin, topic)).get(0)!;
    expect(low).toBe(0);
    expect(high).toBeGreaterThanOrEqual(Math.max(...acked.keys()) + 1);
    const all = await consumeN(kafka, { topic, count: high, timeoutMs: 120_000 });
    expect(all.length).toBe(high);
    expect(all.every((m, i) => m.offset === i)).toBe(true);
    const byOffset = new Map(all.map((m) => [m.offset, m.value]));
    const lost = [...acked].filter(([offset, value]) => byOffset.get(offset) !== value);
    expect(lost.slice(0, 10)).toEqual([]);
    expect(new Set(all.map((m) => m.value)).size).toBe(all.length);
    process.stdout.write(`[crash] acked=${ackedCount} high after restart=${high}\n`);

    expect(await committedOf()).toEqual([
      [0, '4'],
      [1, '7'],
      [2, '10'],
    ]);
  });

  test('idempotent producer carries on across kill -9 + restart without duplicates', async () => {
    const topic = uniqueName('crash-idem');
    await createTopic(admin, topic, 1);
    const n = 30_000;
    const producer = new ChildLines(SYSTEM_PYTHON, ['-c', PACED_IDEMPOTENT_PRODUCER, broker.bootstrap, topic, String(n)], { PYTHONUNBUFFERED: '1' });
    const delivered = (): number => {
      for (let i = producer.lines.length - 1; i >= 0; i--) {
        const m = /^delivered (\d+)/.exec(producer.lines[i]);
        if (m) return Number(m[1]);
      }
      return 0;
    };
    try {
      await producer.waitForLines('5000 delivered before the crash', () => delivered() >= 5000, 60_000);
      const producedBeforeKill = producer.lines.length;
      await broker.kill();
      await broker.restart();
      await producer.waitForLines('production carries on after the restart', (l) => l.length > producedBeforeKill + 3 || l.some((x) => x.startsWith('DONE ')), 60_000);
      await producer.waitForLines('producer done', (l) => l.some((x) => x.startsWith('DONE ')), 150_000);
    } finally {
      await producer.stop('SIGKILL').catch(() => undefined);
    }
    const done = JSON.parse(producer.lines.find((x) => x.startsWith('DONE '))!.slice(5)) as { ok: number; errorCount: number; errors: string[]; left: number };
    expect(done).toEqual({ ok: n, errorCount: 0, errors: [], left: 0 });

    await connectAdmin();
    const read = await runKcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeoutMs: 60_000 });
    expect(read.code).toBe(0);
    const values = read.stdout.toString('utf8').split('\n').filter((x) => x !== '');
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const dupes = [...counts].filter(([, c]) => c > 1);
    const missing = Array.from({ length: n }, (_, i) => `v-${i}`).filter((v) => !counts.has(v));
    expect({ duplicates: dupes.length, firstDuplicates: dupes.slice(0, 5), missing: missing.length, firstMissing: missing.slice(0, 5) }).toEqual({
      duplicates: 0,
      firstDuplicates: [],
      missing: 0,
      firstMissing: [],
    });
    expect(values.length).toBe(n);
    // Order per partition is the production order.
    expect(values.every((v, i) => v === `v-${i}`)).toBe(true);
  });

  test('torn tail: a batch cut in the middle is truncated at restart, everything before it is served', async () => {
    const topic = uniqueName('torn');
    await createTopic(admin, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    for (let b = 0; b < 20; b++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${b}`, value: `t-${b * 10 + i}` })) });
    }
    await producer.disconnect();
    await broker.kill();

    const dir = findPartitionDir(broker.dataDir, topic, 0);
    expect(dir).not.toBeNull();
    const segments = listSegments(dir!).filter((s) => s.size > 0);
    const last = segments[segments.length - 1];
    const batches = readBatches(last.file);
    const lastBatch = batches[batches.length - 1];
    expect(lastBatch.baseOffset).toBe(190);
    expect(lastBatch.recordCount).toBe(10);
    const cutAt = lastBatch.position + Math.floor(lastBatch.size / 2);
    fs.truncateSync(last.file, cutAt);

    await broker.restart();
    const logs = logsSinceLastRestart(broker);
    expect(logs).toMatch(/truncat/i);

    await connectAdmin();
    const expected = 200 - lastBatch.recordCount;
    expect((await topicOffsets(admin, topic)).get(0)).toEqual({ low: 0, high: expected });
    const got = await consumeN(kafka, { topic, count: expected });
    expect(got.map((m) => m.value)).toEqual(Array.from({ length: expected }, (_, i) => `t-${i}`));

    // The log goes on from the truncation point.
    const p2 = kafka.producer();
    await p2.connect();
    const md = await p2.send({ topic, acks: -1, messages: [{ value: 'after-restart' }] });
    await p2.disconnect();
    expect(md[0].baseOffset).toBe(String(expected));
  });
});
