import type { PartitionState } from '@millrace/cluster-metadata';
import { ReplicaFetchers } from './replica-fetchers';

/** Which partitions follow which leader, as partition records and assignments change (no leader is ever reachable here). */
describe('ReplicaFetchers (fetchers per leader broker)', () => {
  const assignment = new Map<string, number[]>();
  let fetchers: ReplicaFetchers;
  const state = (leader: number, leaderEpoch: number): PartitionState => ({ leader, leaderEpoch, isr: [1, 2, 3], partitionEpoch: leaderEpoch });
  const following = () => Object.fromEntries([...fetchers.following()].map(([k, v]) => [k, `${v.leader}/e${v.leaderEpoch}`]));

  const create = (fetchersPerLeader: number): ReplicaFetchers =>
    new ReplicaFetchers({
      nodeId: 1,
      fetchWaitMaxMs: 500,
      fetchersPerLeader,
      assignedReplicas: (topic, partition) => assignment.get(`${topic}-${partition}`) ?? [],
      replica: () => undefined,
      connect: () => Promise.resolve(null),
      logger: { info: () => undefined, warn: () => undefined },
    });

  beforeEach(() => {
    assignment.clear();
    for (const p of [0, 1, 2, 3]) assignment.set(`t-${p}`, [1, 2, 3]);
    for (const p of [0, 1]) assignment.set(`u-${p}`, [1, 2, 3]);
    fetchers = create(1);
  });

  afterEach(() => fetchers.stopAll());

  it('groups the partitions by leader: one fetcher per leader, none for partitions this broker leads', () => {
    fetchers.update('t', 0, state(2, 1));
    fetchers.update('t', 1, state(3, 1));
    fetchers.update('t', 2, state(2, 1));
    fetchers.update('t', 3, state(1, 1));
    expect(fetchers.leaders).toEqual([2, 3]);
    expect(following()).toEqual({ 't-0': '2/e1', 't-1': '3/e1', 't-2': '2/e1' });
  });

  it('a leader change moves the partition to the new leader fetcher; the old one stops once empty', () => {
    fetchers.update('t', 0, state(2, 1));
    fetchers.update('t', 1, state(3, 1));
    fetchers.update('t', 0, state(3, 2));
    expect(following()).toEqual({ 't-0': '3/e2', 't-1': '3/e1' });
    expect(fetchers.leaders).toEqual([3]);
  });

  it('an epoch change with the same leader stays in its fetcher with the new epoch', () => {
    fetchers.update('t', 0, state(2, 1));
    fetchers.update('t', 0, state(2, 4));
    expect(following()).toEqual({ 't-0': '2/e4' });
    expect(fetchers.leaders).toEqual([2]);
  });

  it('stops following when this broker becomes leader, the record goes, the partition has no leader, or this broker leaves the assignment', () => {
    for (const p of [0, 1, 2, 3]) fetchers.update('t', p, state(2, 1));
    fetchers.update('t', 0, state(1, 2));
    fetchers.update('t', 1, undefined);
    fetchers.update('t', 2, state(-1, 2));
    assignment.set('t-3', [2, 3, 4]);
    fetchers.update('t', 3, state(2, 1));
    expect(following()).toEqual({});
    expect(fetchers.leaders).toEqual([]);
    fetchers.update('t', 0, state(3, 3));
    expect(following()).toEqual({ 't-0': '3/e3' });
  });

  describe('with several fetchers per leader', () => {
    beforeEach(async () => {
      await fetchers.stopAll();
      fetchers = create(2);
    });

    it("spreads a topic's partitions on one leader over its fetchers, and each topic's on its own", () => {
      for (const p of [0, 1, 2, 3]) fetchers.update('t', p, state(2, 1));
      expect(fetchers.fetcherCount).toBe(2);
      expect(fetchers.slotsOf(2)).toEqual([2, 2]);
      fetchers.update('u', 0, state(2, 1));
      fetchers.update('u', 1, state(2, 1));
      expect(fetchers.slotsOf(2)).toEqual([3, 3]);
      fetchers.update('t', 0, state(3, 1));
      expect(fetchers.fetcherCount).toBe(3);
      expect(fetchers.slotsOf(3)).toEqual([1, 0]);
    });

    it('keeps a partition in its fetcher across an epoch change, and stops a fetcher left empty', () => {
      fetchers.update('t', 0, state(2, 1));
      fetchers.update('t', 1, state(2, 1));
      expect(fetchers.slotsOf(2)).toEqual([1, 1]);
      fetchers.update('t', 1, state(2, 5));
      expect(fetchers.slotsOf(2)).toEqual([1, 1]);
      expect(following()).toEqual({ 't-0': '2/e1', 't-1': '2/e5' });
      fetchers.update('t', 1, state(1, 6));
      expect(fetchers.fetcherCount).toBe(1);
      expect(following()).toEqual({ 't-0': '2/e1' });
    });
  });
});
