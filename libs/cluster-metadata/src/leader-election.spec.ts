import { decideElection, electLeader, electPreferredLeader } from './leader-election';

const st = (leader: number, isr: number[], leaderEpoch = 4, partitionEpoch = 9) => ({ leader, isr, leaderEpoch, partitionEpoch });
const live = (...ids: number[]) => new Set(ids);

describe('electLeader', () => {
  it('moves leadership to the first live ISR replica in assignment order, bumping both epochs', () => {
    expect(electLeader(st(1, [1, 3, 2]), [1, 2, 3], live(2, 3))).toEqual(st(2, [3, 2], 5, 10));
  });

  it('never elects a live replica outside the ISR unless unclean election is on', () => {
    expect(electLeader(st(1, [1]), [1, 2, 3], live(2, 3))).toEqual(st(-1, [1], 4, 10));
    expect(electLeader(st(1, [1]), [1, 2, 3], live(2, 3), true)).toEqual(st(2, [2], 5, 10));
  });

  it('brings an offline partition back when its last ISR member returns', () => {
    expect(electLeader(st(-1, [1]), [1, 2, 3], live(1, 2))).toEqual(st(1, [1], 5, 10));
    expect(electLeader(st(-1, [1]), [1, 2, 3], live(2, 3))).toBeNull();
  });

  it('drops dead followers from the ISR of a live leader, and changes nothing when all are alive', () => {
    expect(electLeader(st(2, [2, 1, 3]), [1, 2, 3], live(2, 3))).toEqual(st(2, [2, 3], 4, 10));
    expect(electLeader(st(2, [2, 1, 3]), [1, 2, 3], live(1, 2, 3))).toBeNull();
  });
});

describe('electPreferredLeader', () => {
  it('gives leadership back to the first replica once it is live and in the ISR', () => {
    expect(electPreferredLeader(st(2, [2, 3, 1]), [1, 2, 3], live(1, 2, 3))).toEqual(st(1, [2, 3, 1], 5, 10));
  });

  it('waits while the preferred replica is out of the ISR or dead, and leaves offline partitions to electLeader', () => {
    expect(electPreferredLeader(st(2, [2, 3]), [1, 2, 3], live(1, 2, 3))).toBeNull();
    expect(electPreferredLeader(st(2, [2, 3, 1]), [1, 2, 3], live(2, 3))).toBeNull();
    expect(electPreferredLeader(st(-1, [1]), [1, 2, 3], live(1))).toBeNull();
    expect(electPreferredLeader(st(1, [1, 2]), [1, 2, 3], live(1, 2, 3))).toBeNull();
  });
});

describe('decideElection (ElectLeaders)', () => {
  it('preferred: elects the first assigned replica when live and in sync, else says why not', () => {
    expect(decideElection('preferred', st(2, [1, 2]), [1, 2, 3], live(1, 2, 3))).toEqual(st(1, [1, 2], 5, 10));
    expect(decideElection('preferred', st(1, [1, 2]), [1, 2, 3], live(1, 2, 3))).toBe('election-not-needed');
    expect(decideElection('preferred', st(2, [2, 3]), [1, 2, 3], live(1, 2, 3))).toBe('preferred-leader-not-available');
    expect(decideElection('preferred', st(2, [1, 2]), [1, 2, 3], live(2, 3))).toBe('preferred-leader-not-available');
  });

  it('unclean: only for a partition without a live leader, taking a live out-of-sync replica when no in-sync one lives', () => {
    expect(decideElection('unclean', st(1, [1, 2]), [1, 2, 3], live(1, 2, 3))).toBe('election-not-needed');
    expect(decideElection('unclean', st(-1, [1]), [1, 2, 3], live(3))).toEqual(st(3, [3], 5, 10));
    expect(decideElection('unclean', st(-1, [1]), [1, 2, 3], live(4))).toBe('eligible-leaders-not-available');
  });
});
