import { ControllerFencedError, type ClusterMetadataStore } from './index';
import { partitionState as state, registration as reg, useEtcdStore, waitFor } from './test-support/fixtures';

jest.setTimeout(60_000);

describe('ClusterMetadataStore (real etcd)', () => {
  const env = useEtcdStore();
  const sessions = env.sessions;
  let store: ClusterMetadataStore;
  beforeEach(() => {
    store = env.store;
  });

  it('keeps the first Kafka cluster id any broker proposes', async () => {
    const ids = await Promise.all(['AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg', 'AAAAAAAAAAAAAAAAAAAAAw'].map((c) => store.ensureKafkaClusterId(c)));
    expect(new Set(ids).size).toBe(1);
    expect(await store.ensureKafkaClusterId('BBBBBBBBBBBBBBBBBBBBBB')).toBe(ids[0]);
  });

  it('hands out producer id blocks that never overlap, also when brokers ask at once', async () => {
    const blocks = await Promise.all(Array.from({ length: 8 }, () => store.allocateProducerIdBlock(1000)));
    const sorted = [...blocks].sort((a, b) => a.start - b.start);
    expect(sorted.map((b) => [b.start, b.end])).toEqual(Array.from({ length: 8 }, (_, i) => [i * 1000, (i + 1) * 1000]));
    // A broker that handed out ids before (its local mark) moves the counter past them.
    expect(await store.allocateProducerIdBlock(10, 20_000)).toEqual({ start: 20_000, end: 20_010 });
    expect(await store.allocateProducerIdBlock(10, 5)).toEqual({ start: 20_010, end: 20_020 });
  });

  it('registers brokers under leases: a second registration of a live node id is refused, a dead broker leaves within its TTL', async () => {
    sessions.push(await store.registerBroker(reg(1), 2), await store.registerBroker(reg(2), 2));
    expect((await store.listBrokers()).brokers.map((b) => b.nodeId)).toEqual([1, 2]);
    await expect(store.registerBroker(reg(2), 2)).rejects.toThrow(/node id 2 is already registered .* another MILLRACE_NODE_ID/);

    const seen: number[][] = [];
    const watcher = await store.watchBrokers((brokers) => seen.push(brokers.map((b) => b.nodeId)));
    try {
      // Broker 2 stops keeping its lease alive (as a dead or frozen process does).
      sessions[1].lease.release();
      await waitFor('broker 2 to leave', async () => seen.some((l) => l.join() === '1'));
      expect((await store.listBrokers()).brokers.map((b) => b.nodeId)).toEqual([1]);
      // A controlled shutdown leaves at once.
      await sessions[0].close();
      await waitFor('broker 1 to leave', async () => seen.some((l) => l.length === 0));
    } finally {
      await watcher.cancel();
    }
  });

  it('elects one controller; when its lease expires a successor gets a higher epoch and the old one is fenced', async () => {
    const a = await store.registerBroker(reg(1), 2);
    const b = await store.registerBroker(reg(2), 2);
    sessions.push(a, b);
    const [ca, cb] = await Promise.all([store.tryClaimController(a), store.tryClaimController(b)]);
    expect([ca, cb].filter((c) => c !== null)).toHaveLength(1);
    const first = (ca ?? cb)!;
    const [winner, loser] = ca ? [a, b] : [b, a];
    expect((await store.currentController())?.nodeId).toBe(winner.registration.nodeId);

    expect(await store.createTopic(first, 't', { topicId: 'id-t', replicas: [[1, 2]] }, [state(1, [1, 2])])).toBe(true);
    expect(await store.createTopic(first, 't', { topicId: 'id-t2', replicas: [[2, 1]] }, [state(2, [2, 1])])).toBe(false);
    const read = (await store.getPartition('t', 0))!;
    expect(read.state).toEqual(state(1, [1, 2]));

    // The winner freezes past its lease: the claim goes, the other broker takes over.
    winner.lease.release();
    const second = await waitFor('a new controller', () => store.tryClaimController(loser));
    expect(second.nodeId).toBe(loser.registration.nodeId);
    expect(second.epoch).toBeGreaterThan(first.epoch);

    // The old controller, even with a fresh read, can no longer write.
    const fresh = (await store.getPartition('t', 0))!;
    expect(await store.updatePartition(fresh, state(2, [2], 1, 1), first)).toBe('fenced');
    await expect(store.createTopic(first, 'u', { topicId: 'id-u', replicas: [[1]] }, [state(1, [1])])).rejects.toBeInstanceOf(ControllerFencedError);
    expect(await store.updatePartition(fresh, state(2, [2], 1, 1), second)).toBe('ok');
    expect((await store.getPartition('t', 0))!.state).toEqual(state(2, [2], 1, 1));
  });

  it('changes a partition state only from the revision the writer read (compare-and-swap)', async () => {
    const a = await store.registerBroker(reg(1), 5);
    sessions.push(a);
    const c = (await store.tryClaimController(a))!;
    await store.createTopic(c, 'orders', { topicId: 'id-o', replicas: [[1, 2, 3], [2, 3, 1]] }, [state(1, [1, 2, 3]), state(2, [2, 3, 1])]);
    const { partitions, revision } = await store.listPartitions();
    expect(partitions.map((p) => `${p.topic}-${p.partition}:${p.state.leader}`).sort()).toEqual(['orders-0:1', 'orders-1:2']);

    const seen: string[] = [];
    const watcher = await store.watchPartitions(revision, (p) => seen.push(`${p.topic}-${p.partition}:${p.state.isr.join(',')}`));
    try {
      const read = partitions.find((p) => p.partition === 0)!;
      // Two writers from the same read (a leader shrinking the ISR, the controller moving leadership): one wins.
      const results = await Promise.all([store.updatePartition(read, state(1, [1, 2], 0, 1)), store.updatePartition(read, state(2, [2, 3], 1, 1), c)]);
      expect(results.sort()).toEqual(['ok', 'stale']);
      // A skipped partition epoch is a bug in the caller, refused before it reaches etcd.
      await expect(store.updatePartition((await store.getPartition('orders', 0))!, state(1, [1], 0, 5))).rejects.toThrow(/partition epoch must go 1 -> 2/);
      await waitFor('the watch to report the change', async () => seen.length === 1);
      expect(seen[0]).toMatch(/^orders-0:(1,2|2,3)$/);
    } finally {
      await watcher.cancel();
    }
  });

  it('grows, reconfigures and deletes a topic: growth and deletion by the controller only, each watched', async () => {
    const a = await store.registerBroker(reg(1), 5);
    sessions.push(a);
    const c = (await store.tryClaimController(a))!;
    await store.createTopic(c, 'g', { topicId: 'id-g', replicas: [[1]] }, [state(1, [1])]);
    const { revisions, revision } = await store.readTopics();
    const events: string[] = [];
    const watcher = await store.watchTopics(revision, (name, t) => events.push(`put ${name} ${t.replicas.length} ${JSON.stringify(t.configs ?? {})}`), (name) => events.push(`delete ${name}`));
    const deleted: string[] = [];
    const partWatcher = await store.watchPartitions(revision, () => undefined, (p) => deleted.push(`${p.topic}-${p.partition}`));
    try {
      const grown = { topicId: 'id-g', replicas: [[1], [1]] };
      expect(await store.addPartitions(c, 'g', revisions.get('g')!, grown, [state(1, [1])])).toBe('ok');
      // From the old revision again: the topic changed meanwhile.
      expect(await store.addPartitions(c, 'g', revisions.get('g')!, { topicId: 'id-g', replicas: [[1], [1], [1]] }, [state(1, [1])])).toBe('stale');
      expect((await store.getPartition('g', 1))!.state).toEqual(state(1, [1]));
      const now = (await store.readTopics()).revisions.get('g')!;
      expect(await store.replaceTopic('g', now, { ...grown, configs: { 'retention.ms': '5' } })).toBe(true);
      expect(await store.replaceTopic('g', now, { ...grown, configs: {} })).toBe(false);
      expect(await store.deleteTopic(c, 'g')).toBe(true);
      expect(await store.deleteTopic(c, 'g')).toBe(false);
      expect((await store.listPartitions()).partitions).toEqual([]);
      await waitFor('the watches to report all', async () => events.length === 3 && deleted.length === 2);
      expect(events).toEqual(['put g 2 {}', 'put g 2 {"retention.ms":"5"}', 'delete g']);
      expect(deleted.sort()).toEqual(['g-0', 'g-1']);
    } finally {
      await watcher.cancel();
      await partWatcher.cancel();
    }
  });
});
