import { PartitionReassigner, type ClusterMetadataStore } from './index';
import { partitionState as state, registration as reg, useEtcdStore } from './test-support/fixtures';

jest.setTimeout(60_000);

/** PartitionReassigner's steps written to a real etcd, with the leader's ISR expansion done by hand. */
describe('PartitionReassigner (real etcd)', () => {
  const env = useEtcdStore();
  let store: ClusterMetadataStore;
  beforeEach(() => {
    store = env.store;
  });

  it('records {1,2,3} -> {2,3,4}, waits for the new replica in the ISR, then moves leadership and drops broker 1 in one write', async () => {
    const session = await store.registerBroker(reg(1), 5);
    env.sessions.push(session);
    const c = (await store.tryClaimController(session))!;
    await store.createTopic(c, 'm', { topicId: 'id-m', replicas: [[1, 2, 3], [3, 1, 2]] }, [state(1, [1, 2, 3]), state(3, [3, 1, 2])]);
    const logs: string[] = [];
    const reassigner = new PartitionReassigner(store, c, { info: (m) => logs.push(m) });
    const live = new Set([1, 2, 3, 4]);

    const results = await reassigner.alter([{ topic: 'm', partition: 0, replicas: [2, 3, 4] }, { topic: 'm', partition: 1, replicas: [3, 3] }, { topic: 'm', partition: 1, replicas: null }], live);
    expect(results.map((r) => r.error)).toEqual([null, 'invalid-replica-assignment', 'no-reassignment-in-progress']);
    expect((await store.listTopics()).get('m')).toEqual({ topicId: 'id-m', replicas: [[2, 3, 4, 1], [3, 1, 2]], reassignments: { 0: { adding: [4], removing: [1] } } });
    expect(await reassigner.list(null)).toEqual([{ topic: 'm', partition: 0, replicas: [2, 3, 4, 1], adding: [4], removing: [1] }]);
    expect(await reassigner.list([{ topic: 'm', partitions: [1] }])).toEqual([]);

    // Broker 4 has not caught up: nothing completes.
    expect(await reassigner.progress(live)).toBe(true);
    // The leader takes broker 4 into the ISR (its ISR expansion).
    const read = (await store.getPartition('m', 0))!;
    expect(await store.updatePartition(read, state(1, [1, 2, 3, 4], 0, 1))).toBe('ok');
    expect(await reassigner.progress(live)).toBe(false);
    expect((await store.listTopics()).get('m')).toEqual({ topicId: 'id-m', replicas: [[2, 3, 4], [3, 1, 2]] });
    expect((await store.getPartition('m', 0))!.state).toEqual(state(2, [2, 3, 4], 1, 2));
    expect(logs.join('\n')).toMatch(/partition m-0: reassignment completed, replicas \[2,3,4\], leadership moved to broker 2/);

    // A write from an old read of the topic record is refused.
    const { revisions } = await store.readTopics();
    expect(await store.reassign(c, 'm', revisions.get('m')!, { topicId: 'id-m', replicas: [[2, 3, 4], [1, 2, 3]] }, [])).toBe('ok');
    expect(await store.reassign(c, 'm', revisions.get('m')!, { topicId: 'id-m', replicas: [[4], [4]] }, [])).toBe('stale');
  });
});
