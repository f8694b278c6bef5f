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
 * The ISR is not shrunk or expanded by the leader yet: the controller removes dead
 * brokers from it; a returning broker catches up but does not rejoin it.
 */
export class LeaderReplication {
  private isr: readonly number[] = [];
  private readonly followerLeo = new Map<number, number>();
  private waiters: { offset: number; resolve: (code: ErrorCode) => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly nodeId: number) {}

  get inSyncReplicas(): readonly number[] {
    return this.isr;
  }

  /** A new leadership term (or an ISR change): follower positions from an earlier term are forgotten. */
  reset(isr: readonly number[], newTerm: boolean): void {
    this.isr = isr;
    if (newTerm) this.followerLeo.clear();
  }

  recordFetch(replicaId: number, fetchOffset: number): void {
    this.followerLeo.set(replicaId, fetchOffset);
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
