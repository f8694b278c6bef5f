/** Where a followed partition stands in its leadership term. */
export type FollowPhase = 'truncating' | 'fetching';

/**
 * One partition a fetcher follows for one leadership term. An entry is never reused
 * across terms: a new leader epoch replaces it with a new object, so a response to a
 * request made for the old entry can be recognised (ReplicaFetchSet.isCurrent) and
 * dropped.
 */
export interface FollowedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  /** 'truncating' until OffsetsForLeaderEpoch cut the log for this term, then 'fetching'. */
  phase: FollowPhase;
  /** No request names this partition before this time (ms since epoch): its last one failed. */
  delayedUntil: number;
}

/** What `follow` changed. */
export type FollowChange = 'added' | 'new-term' | 'unchanged';

/**
 * The partitions one replica fetcher follows on its leader (the bookkeeping of Kafka's
 * AbstractFetcherThread partition map): added, moved to a new leader epoch, removed,
 * and backed off one by one when the leader answers an error for one of them, so one
 * failing partition neither stops the others nor turns the shared fetch into a busy
 * loop (a leader answers a fetch at once when any partition in it fails).
 *
 * `due` lists the partitions a request may name now, in an order that rotates by one
 * each call, so that when a response is capped by its byte limit the partitions at the
 * front are not always the same ones (the leader fills partitions in request order).
 */
export class ReplicaFetchSet {
  private readonly entries = new Map<string, FollowedPartition>();
  private rotation = 0;

  get size(): number {
    return this.entries.size;
  }

  /**
   * Follows `topic`-`partition` in `leaderEpoch`: a partition not followed yet, or
   * followed in another epoch, gets a new entry that truncates first.
   */
  follow(topic: string, partition: number, leaderEpoch: number): FollowChange {
    const key = keyOf(topic, partition);
    const current = this.entries.get(key);
    if (current && current.leaderEpoch === leaderEpoch) return 'unchanged';
    this.entries.set(key, { topic, partition, leaderEpoch, phase: 'truncating', delayedUntil: 0 });
    return current ? 'new-term' : 'added';
  }

  /** Stops following a partition; false when it was not followed. */
  unfollow(topic: string, partition: number): boolean {
    return this.entries.delete(keyOf(topic, partition));
  }

  get(topic: string, partition: number): FollowedPartition | undefined {
    return this.entries.get(keyOf(topic, partition));
  }

  /** True while `entry` is the partition's entry (not removed, not replaced by a newer term). */
  isCurrent(entry: FollowedPartition): boolean {
    return this.entries.get(keyOf(entry.topic, entry.partition)) === entry;
  }

  /** Backs a partition off until `untilMs` (a current entry only). */
  delay(entry: FollowedPartition, untilMs: number): void {
    if (this.isCurrent(entry)) entry.delayedUntil = Math.max(entry.delayedUntil, untilMs);
  }

  /** The partitions no back-off holds at `nowMs`, rotated by one position each call. */
  due(nowMs: number): FollowedPartition[] {
    const ready = [...this.entries.values()].filter((e) => e.delayedUntil <= nowMs);
    if (ready.length < 2) return ready;
    const start = this.rotation++ % ready.length;
    return [...ready.slice(start), ...ready.slice(0, start)];
  }

  /** The earliest time a partition backed off at `nowMs` becomes due again (null: none is). */
  nextDueAt(nowMs: number): number | null {
    let next: number | null = null;
    for (const e of this.entries.values()) if (e.delayedUntil > nowMs && (next === null || e.delayedUntil < next)) next = e.delayedUntil;
    return next;
  }
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}
