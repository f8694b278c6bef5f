import { cancelReassignment, completeReassignment, originalReplicas, planReassignment } from './reassignment';

const st = (leader: number, isr: number[], leaderEpoch = 3, partitionEpoch = 7) => ({ leader, isr, leaderEpoch, partitionEpoch });
const live = (...ids: number[]) => new Set(ids);

describe('partition reassignment steps', () => {
  it('plans {1,2,3} -> {2,3,4} as target + removing, adding 4 and removing 1', () => {
    expect(planReassignment([1, 2, 3], undefined, [2, 3, 4])).toEqual({ replicas: [2, 3, 4, 1], reassignment: { adding: [4], removing: [1] } });
  });

  it('records no reassignment when the target holds the same brokers (only the order changes)', () => {
    expect(planReassignment([1, 2, 3], undefined, [3, 1, 2])).toEqual({ replicas: [3, 1, 2], reassignment: null });
  });

  it('replaces a reassignment in progress starting from the original replicas', () => {
    const first = planReassignment([1, 2, 3], undefined, [2, 3, 4]);
    expect(originalReplicas(first.replicas, first.reassignment!)).toEqual([2, 3, 1]);
    expect(planReassignment(first.replicas, first.reassignment!, [1, 2, 5])).toEqual({ replicas: [1, 2, 5, 3], reassignment: { adding: [5], removing: [3] } });
  });

  it('waits until every target replica is in the ISR', () => {
    expect(completeReassignment(st(1, [1, 2, 3]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(1, 2, 3, 4))).toBeNull();
  });

  it('completes by moving leadership off a removed leader to the first live in-sync target replica and dropping it from the ISR', () => {
    expect(completeReassignment(st(1, [1, 2, 3, 4]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(1, 3, 4))).toEqual({
      replicas: [2, 3, 4],
      state: st(3, [2, 3, 4], 4, 8),
    });
  });

  it('keeps a leader that stays, changing only the ISR (or nothing)', () => {
    expect(completeReassignment(st(2, [1, 2, 3, 4]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(1, 2, 3, 4))).toEqual({ replicas: [2, 3, 4], state: st(2, [2, 3, 4], 3, 8) });
    expect(completeReassignment(st(2, [2, 3, 4]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(2, 3, 4))).toEqual({ replicas: [2, 3, 4], state: null });
  });

  it('does not complete an offline partition', () => {
    expect(completeReassignment(st(-1, [2, 3, 4]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(2, 3, 4))).toBeNull();
  });

  it('cancels back to the original replicas, moving leadership off an adding replica', () => {
    expect(cancelReassignment(st(4, [1, 2, 3, 4]), [2, 3, 4, 1], { adding: [4], removing: [1] }, live(1, 2, 3, 4))).toEqual({ replicas: [2, 3, 1], state: st(2, [1, 2, 3], 4, 8) });
  });

  it('refuses to cancel when no original replica is in sync', () => {
    expect(cancelReassignment(st(4, [4]), [4, 1], { adding: [4], removing: [1] }, live(1, 4))).toBeNull();
  });
});
