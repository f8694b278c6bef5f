import { ErrorCode } from '@millrace/protocol';

/**
 * A partition leader's view of its followers (Kafka's Partition + its replica states):
 * the in-sync replica set the cluster metadata records, each follower's log end offset
 * (the offset it last fetched from), and the high watermark they allow: the minimum log
 * end offset over the ISR, the leader's own included. A follower in the ISR that has not
 * fetched since this broker became leader holds the high watermark where it is.
 *
 * acks=all producers wait here (`waitFor`) until the high watermark passes their batch;
 * losing leadership fails the waiters with NOT_LEADER_OR_FOLLOWER (the batch may or may
 * not survive: the client retries, idempotence removes the duplicate).
 *
 * It also tells the ISR manager (cluster/isr-manager.ts) which ISR followers lag (not
 * caught up to the leader's log end for replica.lag.time.max.ms) and which replicas
 * outside the ISR have caught up (their log end reached the high watermark and this
 * term's first offset); the ISR itself changes only through the cluster metadata.
 *
 * "Caught up" is Kafka's rule (Replica.updateFetchState): a fetch from the leader's
 * current log end makes the follower caught up now; a fetch from at least the log end
 * the leader had at the follower's previous fetch makes it caught up as of that previous
 * fetch. Under steady produce a healthy follower is always one round trip behind the
 * log end, and the second clause keeps it in the ISR; a follower that stops fetching, or
 * falls further behind each round, stops being caught up.
 */
export class LeaderReplication {
  private isr: readonly number[] = [];
  private readonly followerLeo = new Map<number, number>();
  /** When each follower last fetched from the leader's log end (or the term began). */
  private readonly lastCaughtUp = new Map<number, number>();
  /** When each follower last fetched at all (a dead one's position must not look caught up). */
  private readonly lastFetch = new Map<number, number>();
  /** The leader's log end offset at each follower's last fetch. */
  private readonly lastFetchLeaderLeo = new Map<number, number>();
  private termStartOffset = 0;
  private waiters: { offset: number; resolve: (code: ErrorCode) => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly nodeId: number) {}

  get inSyncReplicas(): readonly number[] {
    return this.isr;
  }

  /**
   * A new leadership term (or an ISR change): follower positions from an earlier term are
   * forgotten, and the ISR followers get a full lag time to fetch (as Kafka's new leader).
   */
  reset(isr: readonly number[], newTerm: boolean, leaderLeo: number, nowMs = Date.now()): void {
    this.isr = isr;
    if (!newTerm) return;
    this.followerLeo.clear();
    this.lastCaughtUp.clear();
    this.lastFetch.clear();
    this.lastFetchLeaderLeo.clear();
    this.termStartOffset = leaderLeo;
    for (const r of isr) this.lastCaughtUp.set(r, nowMs);
  }

  /**
   * A fetch from `replicaId` at `fetchOffset` while the leader's log ends at `leaderLeo`.
   * Returns true when the follower is outside the ISR and now qualifies to rejoin it
   * (caughtUpOutOfSync's rule), so the ISR manager can act on this fetch, as Kafka's
   * leader does, rather than on its next periodic check.
   */
  recordFetch(replicaId: number, fetchOffset: number, leaderLeo: number, nowMs = Date.now(), highWatermark = -1): boolean {
    const previousLeo = this.lastFetchLeaderLeo.get(replicaId);
    const previousAt = this.lastFetch.get(replicaId);
    const caughtUp = this.lastCaughtUp.get(replicaId) ?? 0;
    if (fetchOffset >= leaderLeo) this.lastCaughtUp.set(replicaId, Math.max(caughtUp, nowMs));
    else if (previousLeo !== undefined && previousAt !== undefined && fetchOffset >= previousLeo) this.lastCaughtUp.set(replicaId, Math.max(caughtUp, previousAt));
    this.followerLeo.set(replicaId, fetchOffset);
    this.lastFetch.set(replicaId, nowMs);
    this.lastFetchLeaderLeo.set(replicaId, leaderLeo);
    return highWatermark >= 0 && !this.isr.includes(replicaId) && fetchOffset >= highWatermark && fetchOffset >= this.termStartOffset;
  }

  /** Each follower's log end offset as its last fetch this term reported it. */
  followerPositions(): ReadonlyMap<number, number> {
    return this.followerLeo;
  }

  /** ISR followers that have not been caught up for more than `lagMs`. */
  laggingInSync(nowMs: number, lagMs: number): number[] {
    return this.isr.filter((r) => r !== this.nodeId && nowMs - (this.lastCaughtUp.get(r) ?? 0) > lagMs);
  }

  /**
   * Assigned replicas outside the ISR whose log reached `highWatermark` and this term's
   * first offset, by a fetch less than half the lag time ago (so a follower that died
   * after its last fetch, and left the ISR for it, does not look caught up).
   */
  caughtUpOutOfSync(assigned: readonly number[], highWatermark: number, nowMs: number, lagMs: number): number[] {
    return assigned.filter((r) => {
      if (r === this.nodeId || this.isr.includes(r)) return false;
      const leo = this.followerLeo.get(r);
      const fetchedAt = this.lastFetch.get(r);
      return leo !== undefined && fetchedAt !== undefined && nowMs - fetchedAt < lagMs / 2 && leo >= highWatermark && leo >= this.termStartOffset;
    });
  }

  /** The high watermark the ISR allows given the leader's log end offset (-1: some ISR follower has not fetched yet). */
  allowedHighWatermark(leaderLeo: number): number {
    let hw = leaderLeo;
    for (const r of this.isr) {
      if (r === this.nodeId) continue;
      const leo = this.followerLeo.get(r);
      if (leo === undefined) return -1;
      hw = Math.min(hw, leo);
    }
    return hw;
  }

  /** Resolves NONE once the high watermark reaches `offset`, REQUEST_TIMED_OUT after `timeoutMs`. */
  waitFor(offset: number, timeoutMs: number): Promise<ErrorCode> {
    return new Promise((resolve) => {
      const entry = {
        offset,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== entry);
          resolve(ErrorCode.REQUEST_TIMED_OUT);
        }, Math.max(1, timeoutMs)),
      };
      this.waiters.push(entry);
    });
  }

  /** The high watermark moved to `hw`: producers waiting for it are answered. */
  advanced(hw: number): void {
    if (this.waiters.length === 0) return;
    const done = this.waiters.filter((w) => w.offset <= hw);
    this.waiters = this.waiters.filter((w) => w.offset > hw);
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve(ErrorCode.NONE);
    }
  }

  /** Leadership lost: every waiting producer is answered NOT_LEADER_OR_FOLLOWER. */
  failAll(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
  }
}
