import { partitionKey } from '../partition/partition-key';

/**
 * The committed offsets of one group, in memory (the `__consumer_offsets` records are the
 * durable copy). Keyed by topic then partition.
 *
 * Ordering: each write carries a sequence number assigned when its log append was issued;
 * a write whose sequence is lower than the stored one is ignored, so when two commits for
 * the same partition overlap, memory ends with the one that comes last in the log — the
 * same one a reload would keep. Loaded records use sequence 0 and simply overwrite in
 * log order.
 *
 * Pending commits (appended but not yet acknowledged) are counted per partition so that
 * expiration never removes an offset a commit is about to write.
 */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Explicit expiry from a v2-v4 retention_time_ms commit; null = group retention rules. */
  expireTimestamp: number | null;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  value: CommittedOffset;
}

interface Entry {
  value: CommittedOffset;
  seq: number;
}

export class CommittedOffsets {
  private readonly byTopic = new Map<string, Map<number, Entry>>();
  private readonly pending = new Map<string, number>();

  get size(): number {
    let n = 0;
    for (const parts of this.byTopic.values()) n += parts.size;
    return n;
  }

  get(topic: string, partition: number): CommittedOffset | undefined {
    return this.byTopic.get(topic)?.get(partition)?.value;
  }

  /** Stores `value` unless a write with a higher sequence number is already stored. */
  set(topic: string, partition: number, value: CommittedOffset, seq = 0): void {
    let parts = this.byTopic.get(topic);
    if (!parts) {
      parts = new Map();
      this.byTopic.set(topic, parts);
    }
    const existing = parts.get(partition);
    if (existing && existing.seq > seq) return;
    parts.set(partition, { value, seq });
  }

  delete(topic: string, partition: number): boolean {
    const parts = this.byTopic.get(topic);
    if (!parts) return false;
    const removed = parts.delete(partition);
    if (parts.size === 0) this.byTopic.delete(topic);
    return removed;
  }

  /**
   * Removes the offset unless it was written with a sequence number above `seq` (a
   * commit issued after the deletion, which comes after its tombstone in the log).
   */
  deleteUpTo(topic: string, partition: number, seq: number): boolean {
    const existing = this.byTopic.get(topic)?.get(partition);
    if (!existing || existing.seq > seq) return false;
    return this.delete(topic, partition);
  }

  clear(): TopicPartitionOffset[] {
    const all = this.entries();
    this.byTopic.clear();
    return all;
  }

  /** All offsets, topics in insertion order, partitions ascending. */
  entries(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [topic, parts] of this.byTopic) {
      for (const partition of [...parts.keys()].sort((a, b) => a - b)) {
        out.push({ topic, partition, value: parts.get(partition)!.value });
      }
    }
    return out;
  }

  beginPending(topic: string, partition: number): void {
    const k = partitionKey(topic, partition);
    this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
  }

  endPending(topic: string, partition: number): void {
    const k = partitionKey(topic, partition);
    const n = (this.pending.get(k) ?? 0) - 1;
    if (n > 0) this.pending.set(k, n);
    else this.pending.delete(k);
  }

  hasPending(topic: string, partition: number): boolean {
    return this.pending.has(partitionKey(topic, partition));
  }

  get hasAnyPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Offsets that have expired at `now` (Kafka's GroupMetadata.removeExpiredOffsets rule):
   * an offset with an explicit expireTimestamp expires at that time; otherwise when
   * `now - baseTimestamp(offset) >= retentionMs`. Partitions of `excludedTopics` and those
   * with a pending commit never expire. Does not remove anything.
   */
  expired(
    now: number,
    retentionMs: number,
    baseTimestamp: (o: CommittedOffset) => number,
    excludedTopics: ReadonlySet<string> = new Set(),
  ): TopicPartitionOffset[] {
    return this.entries().filter(({ topic, partition, value }) => {
      if (excludedTopics.has(topic) || this.hasPending(topic, partition)) return false;
      if (value.expireTimestamp !== null) return now >= value.expireTimestamp;
      return now - baseTimestamp(value) >= retentionMs;
    });
  }
}
