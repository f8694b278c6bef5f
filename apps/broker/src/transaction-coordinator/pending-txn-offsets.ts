import type { PendingTransactionalOffsets } from '../group-coordinator';
import type { CommittedOffset } from '../group-coordinator/committed-offsets';

/** One offset of a TxnOffsetCommit, waiting for its transaction's marker. */
export interface TxnOffsetEntry {
  groupId: string;
  topic: string;
  partition: number;
  value: CommittedOffset;
}

/** Where committed transactional offsets go (the group coordinator). */
export interface TxnOffsetSink {
  applyTxnOffsets(groupId: string, entries: { topic: string; partition: number; value: CommittedOffset }[]): void;
}

/**
 * Transactional offsets written to `__consumer_offsets` but not yet visible (Kafka's
 * pendingTransactionalOffsetCommits): keyed by producer id, then `__consumer_offsets`
 * partition. The marker written to that partition settles them: COMMIT hands them to the
 * group coordinator (they become the committed offsets, in the order they were written),
 * ABORT drops them. After a restart the still-open ones are re-added from the log.
 */
export class PendingTxnOffsets implements PendingTransactionalOffsets {
  private readonly byProducer = new Map<number, Map<number, TxnOffsetEntry[]>>();

  constructor(private readonly sink: TxnOffsetSink) {}

  add(producerId: number, offsetsPartition: number, entries: TxnOffsetEntry[]): void {
    let parts = this.byProducer.get(producerId);
    if (!parts) this.byProducer.set(producerId, (parts = new Map()));
    const list = parts.get(offsetsPartition) ?? [];
    list.push(...entries);
    parts.set(offsetsPartition, list);
  }

  /** Forgets `entries` (their append failed). */
  remove(producerId: number, offsetsPartition: number, entries: TxnOffsetEntry[]): void {
    const list = this.byProducer.get(producerId)?.get(offsetsPartition);
    if (!list) return;
    const drop = new Set(entries);
    const kept = list.filter((e) => !drop.has(e));
    if (kept.length > 0) this.byProducer.get(producerId)!.set(offsetsPartition, kept);
    else this.forget(producerId, offsetsPartition);
  }

  /** The marker for `producerId` reached `offsetsPartition`. */
  complete(producerId: number, offsetsPartition: number, commit: boolean): void {
    const list = this.byProducer.get(producerId)?.get(offsetsPartition);
    this.forget(producerId, offsetsPartition);
    if (!list || !commit) return;
    const byGroup = new Map<string, TxnOffsetEntry[]>();
    for (const e of list) {
      const g = byGroup.get(e.groupId) ?? [];
      g.push(e);
      byGroup.set(e.groupId, g);
    }
    for (const [groupId, entries] of byGroup) this.sink.applyTxnOffsets(groupId, entries);
  }

  /** True while a transaction holds an uncommitted offset for the partition (OffsetFetch require_stable: UNSTABLE_OFFSET_COMMIT). */
  hasPendingTransactionalOffsets(groupId: string, topic: string, partition: number): boolean {
    for (const parts of this.byProducer.values()) {
      for (const list of parts.values()) if (list.some((e) => e.groupId === groupId && e.topic === topic && e.partition === partition)) return true;
    }
    return false;
  }

  /** Forgets every pending offset of one `__consumer_offsets` partition (another broker coordinates it now). */
  dropPartition(offsetsPartition: number): void {
    for (const producerId of [...this.byProducer.keys()]) this.forget(producerId, offsetsPartition);
  }

  get size(): number {
    let n = 0;
    for (const parts of this.byProducer.values()) for (const list of parts.values()) n += list.length;
    return n;
  }

  private forget(producerId: number, offsetsPartition: number): void {
    const parts = this.byProducer.get(producerId);
    if (!parts) return;
    parts.delete(offsetsPartition);
    if (parts.size === 0) this.byProducer.delete(producerId);
  }
}
