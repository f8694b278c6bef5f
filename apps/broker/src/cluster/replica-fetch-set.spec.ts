import { ReplicaFetchSet } from './replica-fetch-set';

describe('ReplicaFetchSet (the partitions of one fetcher)', () => {
  it('adds a partition truncating, keeps it for the same epoch, replaces it for a new one', () => {
    const s = new ReplicaFetchSet();
    expect(s.follow('t', 0, 1)).toBe('added');
    const first = s.get('t', 0)!;
    expect(first.phase).toBe('truncating');
    first.phase = 'fetching';
    expect(s.follow('t', 0, 1)).toBe('unchanged');
    expect(s.get('t', 0)).toBe(first);
    expect(s.follow('t', 0, 2)).toBe('new-term');
    const second = s.get('t', 0)!;
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ leaderEpoch: 2, phase: 'truncating', delayedUntil: 0 });
    expect(s.isCurrent(first)).toBe(false);
    expect(s.isCurrent(second)).toBe(true);
    expect(s.size).toBe(1);
  });

  it('unfollows: the entry is no longer current, and a second unfollow says so', () => {
    const s = new ReplicaFetchSet();
    s.follow('t', 0, 1);
    s.follow('t', 1, 1);
    const e = s.get('t', 1)!;
    expect(s.unfollow('t', 1)).toBe(true);
    expect(s.unfollow('t', 1)).toBe(false);
    expect(s.isCurrent(e)).toBe(false);
    expect(s.size).toBe(1);
    expect(s.due(0).map((x) => x.partition)).toEqual([0]);
  });

  it('a delayed partition is not due until its back-off ends; nextDueAt names the earliest end', () => {
    const s = new ReplicaFetchSet();
    s.follow('t', 0, 1);
    s.follow('t', 1, 1);
    s.follow('t', 2, 1);
    s.delay(s.get('t', 0)!, 1_300);
    s.delay(s.get('t', 2)!, 1_200);
    expect(s.due(1_000).map((x) => x.partition)).toEqual([1]);
    expect(s.nextDueAt(1_000)).toBe(1_200);
    expect(s.due(1_250).map((x) => x.partition).sort()).toEqual([1, 2]);
    expect(s.nextDueAt(1_250)).toBe(1_300);
    expect(s.due(1_300)).toHaveLength(3);
    expect(s.nextDueAt(1_300)).toBeNull();
  });

  it('delay never shortens a back-off and ignores an entry that was replaced', () => {
    const s = new ReplicaFetchSet();
    s.follow('t', 0, 1);
    const old = s.get('t', 0)!;
    s.delay(old, 500);
    s.delay(old, 100);
    expect(old.delayedUntil).toBe(500);
    s.follow('t', 0, 2);
    s.delay(old, 900);
    expect(s.get('t', 0)!.delayedUntil).toBe(0);
    expect(s.due(0)).toHaveLength(1);
  });

  it('rotates the order of due partitions so none is always first', () => {
    const s = new ReplicaFetchSet();
    for (const p of [0, 1, 2]) s.follow('t', p, 1);
    const firsts = [0, 1, 2, 3].map(() => s.due(0)[0].partition);
    expect(firsts).toEqual([0, 1, 2, 0]);
    expect(new Set(s.due(0).map((x) => x.partition))).toEqual(new Set([0, 1, 2]));
  });
});
