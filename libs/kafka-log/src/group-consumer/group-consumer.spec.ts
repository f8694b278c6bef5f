import { ErrorCode } from '@millrace/protocol';
import { FakeGroupCluster } from '../test-support/fake-group-cluster';
import { GroupConsumer, type GroupRunOptions } from './group-consumer';
import type { GroupBatchPayload } from './group-consumer-types';

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A member of `cluster`'s group subscribed to `t`, with short timers. */
function consumerOf(cluster: FakeGroupCluster, requestTimeoutMs = 5000): GroupConsumer {
  return new GroupConsumer({
    bootstrap: ['fake:9092'],
    groupId: 'g',
    sessionTimeoutMs: 1000,
    heartbeatIntervalMs: 20,
    rebalanceTimeoutMs: 1000,
    maxWaitMs: 10,
    maxBytesPerPartition: 1 << 20,
    maxBytes: 1 << 20,
    requestTimeoutMs,
    openCoordinator: cluster.openCoordinator,
    openBroker: cluster.openBroker,
  });
}

/** Runs `consumer`; every batch resolved, its offsets listed in `seen` (as "partition:offset"). */
async function consume(consumer: GroupConsumer, extra: Partial<GroupRunOptions> = {}, onBatch?: (p: GroupBatchPayload) => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  await consumer.subscribe({ topics: ['t'] });
  await consumer.run({
    ...extra,
    eachBatch: async (payload) => {
      await onBatch?.(payload);
      if (payload.isStale()) return;
      for (const m of payload.batch.messages) seen.push(`${payload.batch.partition}:${m.offset}`);
      payload.resolveOffset(payload.batch.lastOffset());
    },
  });
  return seen;
}

describe('GroupConsumer against a scripted cluster', () => {
  let consumer: GroupConsumer | undefined;
  afterEach(async () => {
    await consumer?.disconnect();
    consumer = undefined;
  });

  it('commit before rejoin: on REBALANCE_IN_PROGRESS the member runs beforeRejoin while its generation still commits, then emits REBALANCING and joins', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b', 'c');
    consumer = consumerOf(cluster);
    const c = consumer;
    c.on(c.events.REBALANCING, () => void cluster.log.push('event rebalancing'));
    c.on(c.events.GROUP_JOIN, (e) => void cluster.log.push(`event join ${JSON.stringify(e.payload.memberAssignment)}`));
    let applied = 0;
    const seen = await consume(
      c,
      {
        beforeRejoin: async () => {
          cluster.log.push('beforeRejoin');
          // What the sink applied is committed now, under the generation being revoked.
          await c.commitOffsets([{ topic: 't', partition: 0, offset: String(applied) }]);
        },
      },
      async (p) => {
        applied = Number(p.batch.lastOffset()) + 1;
      },
    );
    await until('the first batch', () => seen.length === 3);
    expect(cluster.log.filter((l) => l.startsWith('beforeRejoin'))).toEqual([]);
    cluster.rebalance();
    await until('the second join', () => cluster.count('event join') === 2);
    const order = cluster.log.filter((l) => /^(beforeRejoin|commit|join|event)/.test(l));
    expect(order).toEqual([
      'event rebalancing',
      'join g1',
      'event join {"t":[0]}',
      'beforeRejoin',
      'commit t-0@3 g1',
      'event rebalancing',
      'join g2',
      'event join {"t":[0]}',
    ]);
    expect(cluster.committed.get('t-0')).toBe(3);
    // The new generation starts from that commit: nothing delivered twice.
    cluster.append('t-0', 'd');
    await until('the next record', () => seen.length === 4);
    expect(seen).toEqual(['0:0', '0:1', '0:2', '0:3']);
  });

  it('a seek that arrives while beforeRejoin runs (the sink still handing over the previous assignment) applies to the next assignment', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b', 'c', 'd', 'e');
    cluster.committed.set('t-0', 4);
    consumer = consumerOf(cluster);
    const c = consumer;
    let sought = false;
    const seen = await consume(c, {
      beforeRejoin: async () => {
        if (sought) return;
        sought = true;
        // The sink's own offset for t-0 (its destination holds records up to 1), asked for late.
        c.seek({ topic: 't', partition: 0, offset: '2' });
      },
    });
    await until('the first batch', () => seen.length === 1);
    cluster.rebalance();
    await until('the records from the sought offset', () => seen.length === 4);
    expect(seen).toEqual(['0:4', '0:2', '0:3', '0:4']);
    expect(cluster.log).toContain('fetch t-0@2');
  });

  it('a seek that arrives while the earliest offset of a partition without a committed offset is asked for stands (the answer does not overwrite it)', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b', 'c', 'd', 'e');
    consumer = consumerOf(cluster);
    const c = consumer;
    // A sink's own offset (its destination holds offsets 0..2) comes from its GROUP_JOIN handler after a
    // database read: here while the loop asks for the earliest offset of the partition (no group commit yet).
    cluster.onNextListOffsets = () => c.seek({ topic: 't', partition: 0, offset: '3' });
    const seen = await consume(c);
    await until('the records from the sought offset', () => seen.length >= 2);
    await sleep(50);
    expect(cluster.log).toContain('list-offsets t-0');
    expect(seen).toEqual(['0:3', '0:4']);
    expect(cluster.log.filter((l) => l.startsWith('fetch t-0@'))[0]).toBe('fetch t-0@3');
  });

  it('a seek that arrives while OFFSET_OUT_OF_RANGE is handled (the earliest offset asked for) stands', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b', 'c', 'd', 'e', 'f');
    cluster.logStart.set('t-0', 2);
    cluster.committed.set('t-0', 1);
    consumer = consumerOf(cluster);
    const c = consumer;
    cluster.onNextListOffsets = () => c.seek({ topic: 't', partition: 0, offset: '4' });
    const seen = await consume(c);
    await until('the records from the sought offset', () => seen.length >= 2);
    await sleep(50);
    expect(cluster.log).toContain('fetch t-0@1');
    expect(seen).toEqual(['0:4', '0:5']);
  });

  it('a member whose generation is gone (ILLEGAL_GENERATION) joins again without beforeRejoin (its commits would be refused)', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a');
    consumer = consumerOf(cluster);
    let calls = 0;
    const seen = await consume(consumer, {
      beforeRejoin: async () => {
        calls++;
      },
    });
    await until('the first batch', () => seen.length === 1);
    cluster.expel();
    const generation = cluster.generation;
    await until('a new join', () => cluster.log.includes(`join g${generation + 1}`));
    expect(calls).toBe(0);
  });

  it('OFFSET_OUT_OF_RANGE starts the partition over from its earliest offset; NOT_LEADER_OR_FOLLOWER asks the leaders again', async () => {
    const cluster = new FakeGroupCluster({ t: 2 });
    cluster.append('t-0', 'a', 'b', 'c', 'd', 'e');
    cluster.append('t-1', 'x', 'y');
    // t-0: the committed offset 1 is below the log start 3 (retention deleted it).
    cluster.logStart.set('t-0', 3);
    cluster.committed.set('t-0', 1);
    cluster.fetchErrors.set('t-1', [ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    consumer = consumerOf(cluster);
    const seen = await consume(consumer);
    await until('both partitions', () => seen.length === 4);
    expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:3', '0:4']);
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1']);
    expect(cluster.log).toContain('fetch t-0@1');
    // One for the assignor, one for the first leaders, one after NOT_LEADER_OR_FOLLOWER.
    expect(cluster.count('metadata')).toBeGreaterThanOrEqual(3);
  });

  it('pause holds a partition back (no fetch of it) until resume; seek makes the batch in hand stale and fetches from the sought offset', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b');
    consumer = consumerOf(cluster);
    const c = consumer;
    let sought = false;
    const seen = await consume(c, {}, async (p) => {
      if (sought || p.batch.firstOffset() !== '0') return;
      sought = true;
      // The sink asks for offset 1 while the batch from 0 is in hand: that batch is dropped.
      c.seek({ topic: 't', partition: 0, offset: '1' });
      expect(p.isStale()).toBe(true);
    });
    await until('the batch after the seek', () => seen.length === 1);
    expect(seen).toEqual(['0:1']);
    c.pause([{ topic: 't', partitions: [0] }]);
    await sleep(50);
    const fetchesWhenPaused = cluster.count('fetch t-0');
    cluster.append('t-0', 'c');
    await sleep(100);
    expect(cluster.count('fetch t-0')).toBe(fetchesWhenPaused);
    expect(seen).toEqual(['0:1']);
    c.resume([{ topic: 't', partitions: [0] }]);
    await until('the record after resume', () => seen.length === 2);
    expect(seen).toEqual(['0:1', '0:2']);
  });

  it('heartbeats go on while a batch is written for longer than the session timeout', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a');
    consumer = consumerOf(cluster);
    let during = -1;
    const seen = await consume(consumer, {}, async () => {
      const before = cluster.count('heartbeat');
      await sleep(1200);
      during = cluster.count('heartbeat') - before;
    });
    await until('the slow batch', () => seen.length === 1);
    // One every 20 ms asked; under load fewer, but the session (1 s) must never lapse.
    expect(during).toBeGreaterThanOrEqual(5);
  });

  it('a fetch left unanswered is given up after the request timeout: the connection is closed and the fetch sent again', async () => {
    const cluster = new FakeGroupCluster({ t: 1 });
    cluster.append('t-0', 'a', 'b');
    cluster.unansweredFetches = 1;
    consumer = consumerOf(cluster, 200);
    const seen = await consume(consumer);
    await until('the records after the timeout', () => seen.length === 2);
    expect(cluster.count('fetch t-0@0')).toBe(2);
    expect(cluster.linksClosed).toBeGreaterThanOrEqual(1);
  });
});
