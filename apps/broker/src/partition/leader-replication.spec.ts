import { ErrorCode } from '@millrace/protocol';
import { LeaderReplication } from './leader-replication';

describe('LeaderReplication', () => {
  it('allows the high watermark up to the minimum log end over the ISR, none until every ISR follower fetched', () => {
    const r = new LeaderReplication(1);
    r.reset([1, 2, 3], true, 0, 0);
    expect(r.allowedHighWatermark(10)).toBe(-1);
    r.recordFetch(2, 10, 10, 5);
    expect(r.allowedHighWatermark(10)).toBe(-1);
    r.recordFetch(3, 7, 10, 5);
    expect(r.allowedHighWatermark(10)).toBe(7);
    // An ISR without 3: only 2 counts.
    r.reset([1, 2], false, 10);
    expect(r.allowedHighWatermark(12)).toBe(10);
  });

  it('names ISR followers not caught up for the lag time, and caught-up replicas outside the ISR', () => {
    const r = new LeaderReplication(1);
    r.reset([1, 2, 3], true, 100, 0);
    r.recordFetch(2, 100, 100, 1000);
    r.recordFetch(3, 90, 100, 1000);
    // The term began at 0: 3 has not been at the log end since, 2 was at 1000.
    expect(r.laggingInSync(900, 1000)).toEqual([]);
    expect(r.laggingInSync(1500, 1000)).toEqual([3]);
    expect(r.laggingInSync(2500, 1000)).toEqual([2, 3]);
    r.reset([1, 2], false, 100);
    expect(r.caughtUpOutOfSync([1, 2, 3], 100, 3000, 1000)).toEqual([]);
    r.recordFetch(3, 100, 100, 3000);
    expect(r.caughtUpOutOfSync([1, 2, 3], 100, 3100, 1000)).toEqual([3]);
    // A position from a fetch long ago (the follower died) does not count.
    expect(r.caughtUpOutOfSync([1, 2, 3], 100, 4000, 1000)).toEqual([]);
  });

  it('keeps a follower one round trip behind under steady produce caught up (Kafka\'s rule), not one that falls further behind', () => {
    const r = new LeaderReplication(1);
    r.reset([1, 2, 3], true, 0, 0);
    // Every 100 ms the leader's log grew by 5; follower 2 fetches from where the log ended at
    // its previous fetch (never from the current end), follower 3 gains only 1 per round.
    for (let k = 1; k <= 50; k++) {
      const leaderLeo = 5 * k;
      r.recordFetch(2, 5 * (k - 1), leaderLeo, 100 * k);
      r.recordFetch(3, k - 1, leaderLeo, 100 * k);
    }
    // At 5000 ms: 2 was caught up as of its previous fetch (4900); 3 not since the term began.
    expect(r.laggingInSync(5000, 1000)).toEqual([3]);
    expect(r.allowedHighWatermark(250)).toBe(49);
  });

  it('says on the fetch itself when a replica outside the ISR reached the high watermark and the term start', () => {
    const r = new LeaderReplication(1);
    r.reset([1, 2], true, 10, 0);
    expect(r.recordFetch(2, 12, 12, 1, 12)).toBe(false); // in the ISR already
    expect(r.recordFetch(3, 8, 12, 1, 12)).toBe(false); // below the high watermark
    expect(r.recordFetch(3, 12, 12, 2, 12)).toBe(true);
    expect(r.recordFetch(3, 12, 12, 3, -1)).toBe(false); // no high watermark given (not leading)
  });

  it('answers acks=all waiters when the high watermark passes them, times out, and fails them on leadership loss', async () => {
    const r = new LeaderReplication(1);
    const a = r.waitFor(5, 10_000);
    const b = r.waitFor(9, 10_000);
    const c = r.waitFor(20, 20);
    r.advanced(6);
    await expect(a).resolves.toBe(ErrorCode.NONE);
    await expect(c).resolves.toBe(ErrorCode.REQUEST_TIMED_OUT);
    r.failAll();
    await expect(b).resolves.toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
