import type { Admin } from 'kafkajs';
import { buildBatch, CompressionType, decodeResponse, encodeRequest } from '@millrace/protocol';
import { KCAT, runKcat, type BrokerProcess } from '@millrace/testing';
import { useTestBroker } from './support/broker';
import { ChildLines } from './support/child-lines';
import { textFor, uniqueName } from './support/data';
import { createTopic, topicOffsets } from './support/kafka';
import { findPartitionDir, listSegments, readBatches } from './support/log-files';
import { RawConnection } from './support/raw-connection';
import { waitFor } from './support/wait-for';

/** kcat (librdkafka 2.0.2) against the broker: metadata, compressed produce/consume, groups. */
describe('kcat', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  useTestBroker('kcat', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, admin } = env);
  });

  test('-L lists the broker and a created topic with its partitions', async () => {
    const topic = uniqueName('kcat-meta');
    await createTopic(admin, topic, 3);
    const r = await runKcat(['-L', '-J', '-b', broker.bootstrap, '-t', topic]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const meta = JSON.parse(r.stdout.toString('utf8')) as {
      controllerid: number;
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; error?: string; partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }> }>;
    };
    expect(meta.controllerid).toBe(broker.nodeId);
    expect(meta.brokers).toEqual([{ id: broker.nodeId, name: `${broker.host}:${broker.kafkaPort}` }]);
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0].topic).toBe(topic);
    expect(meta.topics[0].error).toBeUndefined();
    expect(meta.topics[0].partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of meta.topics[0].partitions) {
      expect(p.leader).toBe(broker.nodeId);
      expect(p.replicas).toEqual([{ id: broker.nodeId }]);
      expect(p.isrs).toEqual([{ id: broker.nodeId }]);
    }
  });

  const CODECS: Array<[string, number]> = [
    ['snappy', 2],
    ['lz4', 3],
    ['zstd', 4],
  ];

  test.each(CODECS)('%s: 100k records produced and consumed back byte-identical, in order', async (codec, codecId) => {
    const topic = uniqueName(`kcat-${codec}`);
    await createTopic(admin, topic, 1);
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`k${String(i).padStart(6, '0')}:${textFor(i, 10 + (i % 60), codecId)}\n`);
    const input = Buffer.from(lines.join(''), 'utf8');

    const produced = await runKcat(['-P', '-b', broker.bootstrap, '-t', topic, '-z', codec, '-K:', '-X', 'linger.ms=20'], { input, timeoutMs: 120_000 });
    expect({ code: produced.code, timedOut: produced.timedOut, stderr: produced.stderr }).toEqual({ code: 0, timedOut: false, stderr: '' });
    expect((await topicOffsets(admin, topic)).get(0)).toEqual({ low: 0, high: n });

    const consumed = await runKcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], { timeoutMs: 120_000 });
    expect({ code: consumed.code, timedOut: consumed.timedOut }).toEqual({ code: 0, timedOut: false });
    if (!consumed.stdout.equals(input)) {
      const got = consumed.stdout.toString('utf8').split('\n');
      const first = got.findIndex((l, i) => `${l}\n` !== lines[i]);
      throw new Error(`consumed ${got.length - 1} lines of ${n}; first difference at line ${first}: got ${JSON.stringify(got[first])}, want ${JSON.stringify(lines[first])}`);
    }

    // Stored as produced: every batch on disk carries the producer's codec.
    const dir = findPartitionDir(broker.dataDir, topic, 0);
    expect(dir).not.toBeNull();
    const batches = listSegments(dir!).flatMap((s) => readBatches(s.file));
    expect(batches.reduce((sum, b) => sum + b.recordCount, 0)).toBe(n);
    expect(new Set(batches.map((b) => b.codec))).toEqual(new Set([codecId]));
  });

  test.each([
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
  ])('%s batches produced on the wire (not by librdkafka) are stored as produced and kcat reads them back', async (codec, codecId) => {
    // librdkafka 2.0.2 may decline to compress (see the 100k tests), so build the batches here.
    const topic = uniqueName(`raw-${codec}`);
    await createTopic(admin, topic, 1);
    const conn = await RawConnection.open(broker.host, broker.kafkaPort);
    const lines: string[] = [];
    try {
      for (let b = 0; b < 20; b++) {
        const records = Array.from({ length: 500 }, (_, i) => {
          const n = b * 500 + i;
          const key = `rk${String(n).padStart(6, '0')}`;
          const value = textFor(n, 20 + (n % 50), 99);
          lines.push(`${key}:${value}\n`);
          return { key: Buffer.from(key), value: Buffer.from(value), timestamp: Date.now() };
        });
        const batch = buildBatch({ baseOffset: 0, records, compression: codecId });
        conn.write(encodeRequest(0, 7, b, 'raw-producer', { transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] }));
        const frame = await conn.nextFrame(10_000);
        if (!Buffer.isBuffer(frame)) throw new Error(`produce ${b}: ${frame}`);
        const res = decodeResponse(0, 7, frame);
        expect(res.body.responses[0].partitionResponses[0]).toEqual(expect.objectContaining({ errorCode: 0, baseOffset: b * 500 }));
      }
    } finally {
      conn.destroy();
    }
    const batches = listSegments(findPartitionDir(broker.dataDir, topic, 0)!).flatMap((x) => readBatches(x.file));
    expect(batches.map((x) => x.codec)).toEqual(Array.from({ length: 20 }, () => codecId));
    const consumed = await runKcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], { timeoutMs: 60_000 });
    expect({ code: consumed.code, stderr: consumed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(consumed.stdout.toString('utf8')).toBe(lines.join(''));
  });

  test('-G group mode commits, and a restarted member resumes after the committed offsets', async () => {
    const topic = uniqueName('kcat-group');
    const group = uniqueName('kcat-g');
    await createTopic(admin, topic, 2);
    const produce = async (values: string[]): Promise<void> => {
      const input = values.map((v) => `${v}:${v}\n`).join('');
      const r = await runKcat(['-P', '-b', broker.bootstrap, '-t', topic, '-K:'], { input });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    };
    const committedTotal = async (): Promise<number> => {
      const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    const groupArgs = [
      '-b', broker.bootstrap, '-G', group, '-q', '-u', '-f', '%s\n',
      '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100',
      '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500', topic,
    ];
    const old = Array.from({ length: 50 }, (_, i) => `old-${i}`);
    const fresh = Array.from({ length: 30 }, (_, i) => `new-${i}`);

    await produce(old);
    const first = new ChildLines(KCAT, groupArgs);
    try {
      await first.waitForLines('50 records in the first run', (l) => l.filter((x) => x !== '').length >= 50);
      await waitFor('50 offsets committed', async () => (await committedTotal()) === 50, { timeoutMs: 30_000 });
    } finally {
      await first.stop('SIGTERM');
    }
    expect(first.lines.filter((x) => x !== '').sort()).toEqual([...old].sort());

    await produce(fresh);
    const second = new ChildLines(KCAT, groupArgs);
    try {
      await second.waitForLines('30 records in the second run', (l) => l.filter((x) => x !== '').length >= 30);
      await waitFor('80 offsets committed', async () => (await committedTotal()) === 80, { timeoutMs: 30_000 });
    } finally {
      await second.stop('SIGTERM');
    }
    expect(second.lines.filter((x) => x !== '').sort()).toEqual([...fresh].sort());
  });
});
