import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, ErrorCode } from '@millrace/protocol';
import { DEFAULT_LOG_CONFIG, LogManager } from '@millrace/storage';
import type { TopicMetadata } from '../metadata/topic-store';
import { IsolationLevel } from './partition-types';
import { ReplicaManager } from './replica-manager';

/**
 * The acks=all path through a leader is driven by wake-ups, never by a fetch's max wait:
 * an append wakes a follower's parked fetch; the follower's next fetch (its new log end)
 * moves the high watermark, which answers the waiting acks=all produce and wakes a
 * consumer's parked fetch. Every fetch here parks with a 30 s max wait; each step must
 * resolve long before it (a missed wake-up fails the step's 10 s bound).
 */
describe('ReplicaManager wake-ups on the acks=all path (leader of RF 3, ISR [1,2,3])', () => {
  const MAX_WAIT_MS = 30_000;
  const topic: TopicMetadata = { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: 1, replicationFactor: 3, configs: {}, internal: false, replicas: [[1, 2, 3]] };
  let dir: string;
  let logs: LogManager;
  let rm: ReplicaManager;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rm-wakeups-'));
    logs = new LogManager({ dataDir: dir, scheduleTasks: false });
    await logs.startup();
    rm = new ReplicaManager(logs, null, { nodeId: 1, leadershipOf: () => ({ leader: 1, leaderEpoch: 0, isr: [1, 2, 3] }) });
    await rm.openPartitions(topic, [0], DEFAULT_LOG_CONFIG);
  });

  afterEach(async () => {
    await logs.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const fetch = (replicaId: number, fetchOffset: number) =>
    rm.fetch({ maxWaitMs: MAX_WAIT_MS, minBytes: 1, maxBytes: 1 << 20, isolationLevel: IsolationLevel.READ_UNCOMMITTED, replicaId, partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] });
  /** `p`, or a rejection naming `what` if it is still pending after 10 s (a third of the max wait). */
  const soon = <T>(p: Promise<T>, what: string): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not woken within 10 s (max wait ${MAX_WAIT_MS} ms)`)), 10_000).unref())]);
  const bytes = (r: { bytes: number }[]) => r.reduce((n, x) => n + x.bytes, 0);

  it('append -> follower fetch woken -> follower fetch at the new end -> HW -> produce answered and consumer fetch woken', async () => {
    // Both followers have fetched up to the (empty) log end: their fetches park.
    const f2 = fetch(2, 0);
    const f3 = fetch(3, 0);
    const consumer = fetch(-1, 0);
    await new Promise((r) => setImmediate(r));

    const produced = rm.appendRecords('t', 0, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('v'), timestamp: Date.now() }] }), -1, MAX_WAIT_MS);
    expect(bytes(await soon(f2, 'follower 2 fetch after the append'))).toBeGreaterThan(0);
    expect(bytes(await soon(f3, 'follower 3 fetch after the append'))).toBeGreaterThan(0);
    expect(rm.getPartition('t', 0)!.highWatermark).toBe(0);

    // The followers appended; their next fetches report log end 1 (and park: nothing new).
    const next2 = fetch(2, 1);
    const next3 = fetch(3, 1);
    const outcome = await soon(produced, 'acks=all produce after both followers fetched past it');
    expect(outcome.errorCode).toBe(ErrorCode.NONE);
    expect(rm.getPartition('t', 0)!.highWatermark).toBe(1);
    expect(bytes(await soon(consumer, 'consumer fetch after the high watermark moved'))).toBeGreaterThan(0);

    // The parked follower fetches are woken by the next append.
    void rm.appendRecords('t', 0, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('w'), timestamp: Date.now() }] }), 1);
    expect(bytes(await soon(next2, 'follower 2 parked fetch after a second append'))).toBeGreaterThan(0);
    expect(bytes(await soon(next3, 'follower 3 parked fetch after a second append'))).toBeGreaterThan(0);
  });
});

/**
 * A follower fetches all the partitions it follows on a leader in one request: the
 * parked request must wake on an append to any one of them, and its next request (every
 * partition at its new log end) must move each partition's high watermark.
 */
describe('ReplicaManager: one follower fetch for many partitions', () => {
  const MAX_WAIT_MS = 30_000;
  const topic: TopicMetadata = { name: 'm', topicId: 'BBBBBBBBBBBBBBBBBBBBBB', partitions: 3, replicationFactor: 2, configs: {}, internal: false, replicas: [[1, 2], [1, 2], [1, 2]] };
  let dir: string;
  let logs: LogManager;
  let rm: ReplicaManager;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rm-multi-'));
    logs = new LogManager({ dataDir: dir, scheduleTasks: false });
    await logs.startup();
    rm = new ReplicaManager(logs, null, { nodeId: 1, leadershipOf: () => ({ leader: 1, leaderEpoch: 0, isr: [1, 2] }) });
    await rm.openPartitions(topic, [0, 1, 2], DEFAULT_LOG_CONFIG);
  });

  afterEach(async () => {
    await logs.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const fetchAll = (offsets: number[]) =>
    rm.fetch({
      maxWaitMs: MAX_WAIT_MS,
      minBytes: 1,
      maxBytes: 10 << 20,
      isolationLevel: IsolationLevel.READ_UNCOMMITTED,
      replicaId: 2,
      partitions: offsets.map((fetchOffset, partition) => ({ topic: 'm', partition, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 0 })),
    });
  const within = <T>(p: Promise<T>, what: string): Promise<T> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not woken within 10 s`)), 10_000).unref())]);

  it('an append to the last partition wakes the parked fetch; the next fetch answers the acks=all produce of that partition', async () => {
    const parked = fetchAll([0, 0, 0]);
    await new Promise((r) => setImmediate(r));
    const produced = rm.appendRecords('m', 2, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('v'), timestamp: Date.now() }] }), -1, MAX_WAIT_MS);
    const results = await within(parked, 'the multi-partition follower fetch after an append to partition 2');
    expect(results.map((r) => r.bytes > 0)).toEqual([false, false, true]);
    expect(results.every((r) => r.errorCode === ErrorCode.NONE)).toBe(true);

    const next = fetchAll([0, 0, 1]);
    expect((await within(produced, 'acks=all produce on partition 2')).errorCode).toBe(ErrorCode.NONE);
    expect([0, 1, 2].map((p) => rm.getPartition('m', p)!.highWatermark)).toEqual([0, 0, 1]);

    // Still parked (nothing new anywhere) until partition 0 gets data.
    void rm.appendRecords('m', 0, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('w'), timestamp: Date.now() }] }), 1);
    const woken = await within(next, 'the parked follower fetch after an append to partition 0');
    expect(woken.map((r) => r.bytes > 0)).toEqual([true, false, false]);
  });

  it('appends of one produce request to several partitions reach the follower in one response', async () => {
    // Partition 2's write is slower (another disk queue, a bigger batch): it finishes 50 ms after the others.
    const log2 = rm.getPartition('m', 2)!.log;
    const append = log2.append.bind(log2);
    log2.append = async (...args) => {
      await new Promise((r) => setTimeout(r, 50));
      return append(...args);
    };
    const parked = fetchAll([0, 0, 0]);
    await new Promise((r) => setImmediate(r));
    // As the produce handler does for one request: every partition's append started at once.
    const produced = [0, 1, 2].map((p) => rm.appendRecords('m', p, buildBatch({ baseOffset: 0, records: [{ value: Buffer.alloc(200, p), timestamp: Date.now() }] }), -1, MAX_WAIT_MS));
    const results = await within(parked, 'the multi-partition follower fetch after the appends');
    expect(results.map((r) => r.bytes > 0)).toEqual([true, true, true]);
    void fetchAll([1, 1, 1]);
    const outcomes = await within(Promise.all(produced), 'acks=all produce of the three partitions');
    expect(outcomes.map((o) => o.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  });

  it("the follower's positions move the high watermarks as its fetch arrives, not after the reads of the partitions ahead", async () => {
    await rm.appendRecords('m', 2, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('v'), timestamp: Date.now() }] }), 1);
    expect(rm.getPartition('m', 2)!.highWatermark).toBe(0);
    // Partition 0's read is slow (a cold segment): held until released.
    const log0 = rm.getPartition('m', 0)!.log;
    const read = log0.read.bind(log0);
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    log0.read = async (...args) => {
      await gate;
      return read(...args);
    };
    const fetched = rm.fetch({
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 10 << 20,
      isolationLevel: IsolationLevel.READ_UNCOMMITTED,
      replicaId: 2,
      partitions: [0, 1, 2].map((partition) => ({ topic: 'm', partition, fetchOffset: partition === 2 ? 1 : 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 0 })),
    });
    expect(rm.getPartition('m', 2)!.highWatermark).toBe(1);
    release();
    expect((await fetched).map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  });

  it('a fenced partition in the request answers at once with its error, the others without error', async () => {
    const started = Date.now();
    const results = await rm.fetch({
      maxWaitMs: MAX_WAIT_MS,
      minBytes: 1,
      maxBytes: 10 << 20,
      isolationLevel: IsolationLevel.READ_UNCOMMITTED,
      replicaId: 2,
      partitions: [
        { topic: 'm', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 0 },
        { topic: 'm', partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 5 },
      ],
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_LEADER_EPOCH]);
  });
});
