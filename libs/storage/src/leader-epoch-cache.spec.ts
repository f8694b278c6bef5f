import { decodeLeaderEpochCheckpoint, encodeLeaderEpochCheckpoint, LeaderEpochCache } from './leader-epoch-cache';

const e = (epoch: number, startOffset: number) => ({ epoch, startOffset });

describe('LeaderEpochCache', () => {
  it('keeps one entry per epoch, ignoring later offsets of the latest epoch', () => {
    const c = new LeaderEpochCache();
    expect(c.assign(0, 0)).toBe(true);
    expect(c.assign(0, 50)).toBe(false);
    expect(c.assign(2, 100)).toBe(true);
    expect(c.all).toEqual([e(0, 0), e(2, 100)]);
    expect(encodeLeaderEpochCheckpoint(c.all)).toBe('0\n2\n0 0\n2 100\n');
  });

  it('removes non-monotonic entries when an epoch arrives with a lower start offset (a follower after truncation)', () => {
    const c = new LeaderEpochCache([e(0, 0), e(1, 100), e(2, 200)]);
    c.assign(2, 150);
    expect(c.all).toEqual([e(0, 0), e(1, 100), e(2, 150)]);
    c.assign(3, 120);
    expect(c.all).toEqual([e(0, 0), e(1, 100), e(3, 120)]);
    expect(() => c.assign(-1, 0)).toThrow(/non-negative/);
  });

  it("answers OffsetsForLeaderEpoch as Kafka's cache does", () => {
    const c = new LeaderEpochCache([e(1, 10), e(3, 40), e(6, 90)]);
    const logEnd = 120;
    expect(c.endOffsetFor(6, logEnd)).toEqual(e(6, 120)); // latest epoch: the log end
    expect(c.endOffsetFor(3, logEnd)).toEqual(e(3, 90)); // ends where epoch 6 starts
    expect(c.endOffsetFor(4, logEnd)).toEqual(e(3, 90)); // unknown epoch between known ones: its floor
    expect(c.endOffsetFor(0, logEnd)).toEqual(e(0, 10)); // below every known epoch: the first start
    expect(c.endOffsetFor(7, logEnd)).toEqual(e(-1, -1)); // above every known epoch
    expect(c.endOffsetFor(-1, logEnd)).toEqual(e(-1, -1));
    expect(new LeaderEpochCache().endOffsetFor(0, logEnd)).toEqual(e(-1, -1));
  });

  it('follows truncation at the end and at the start of the log', () => {
    const c = new LeaderEpochCache([e(1, 10), e(3, 40), e(6, 90)]);
    expect(c.truncateFromEnd(95)).toBe(false);
    expect(c.all).toEqual([e(1, 10), e(3, 40), e(6, 90)]);
    expect(c.truncateFromEnd(90)).toBe(true);
    expect(c.all).toEqual([e(1, 10), e(3, 40)]);
    expect(c.truncateFromStart(50)).toBe(true);
    expect(c.all).toEqual([e(3, 50)]);
    expect(c.truncateFromStart(20)).toBe(false);
    expect(c.all).toEqual([e(3, 50)]);
    expect(c.clear()).toBe(true);
    expect(c.latestEpoch).toBeNull();
  });

  it('round-trips the checkpoint file and names what is wrong with a bad one', () => {
    const entries = [e(0, 0), e(4, 1234)];
    expect(decodeLeaderEpochCheckpoint(encodeLeaderEpochCheckpoint(entries))).toEqual(entries);
    expect(() => decodeLeaderEpochCheckpoint('1\n0\n')).toThrow(/unsupported version 1/);
    expect(() => decodeLeaderEpochCheckpoint('0\n2\n0 0\n')).toThrow(/expected 2 entries, found 1/);
    expect(() => decodeLeaderEpochCheckpoint('0\n2\n3 10\n2 20\n')).toThrow(/not increasing/);
    expect(() => decodeLeaderEpochCheckpoint('0\n1\nx 1\n')).toThrow(/malformed line "x 1"/);
  });
});
