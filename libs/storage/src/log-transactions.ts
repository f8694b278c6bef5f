import type { ProducerStateManager } from './producer-state';
import type { TransactionIndex } from './transaction-index';

/**
 * What a partition log knows about transactions, read-only (Kafka keeps these on
 * UnifiedLog; here `UnifiedLog.transactions`):
 *
 *   - the first unstable offset: the first offset of the oldest transaction still open in
 *     this partition (producer state); it bounds the last stable offset that
 *     read_committed consumers and the cleaner may reach;
 *   - aborted transactions from the transaction index (`.txnindex` files), each with the
 *     producer, its first offset and the offset of its ABORT marker;
 *   - the producers with an open transaction (DescribeTransactions / the admin API).
 *
 * The state itself is written by the append path (group-commit-queue.ts records the
 * markers and the aborted ranges) and by recovery (producer-state-loader.ts).
 */
export class LogTransactions {
  constructor(
    private readonly producers: ProducerStateManager,
    private readonly txnIndex: TransactionIndex,
  ) {}

  /** First offset of the oldest open transaction (bounds the last stable offset), null if none. */
  firstUnstableOffset(): number | null {
    return this.producers.firstUnstableOffset();
  }

  /**
   * Aborted transactions overlapping [fetchOffset, upperBound) from the transaction index
   * (Fetch's AbortedTransactions for read_committed consumers).
   */
  collectAbortedTransactions(fetchOffset: number, upperBound: number): { producerId: number; firstOffset: number }[] {
    return this.txnIndex.collect(fetchOffset, upperBound).map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
  }

  /** Aborted transactions (with the offset of their ABORT marker) overlapping [from, upperBound): for compaction. */
  abortedTransactionRanges(from: number, upperBound: number): { producerId: number; firstOffset: number; lastOffset: number }[] {
    return this.txnIndex.collect(from, upperBound);
  }

  /** Producers with an open transaction in this partition and its first offset. */
  ongoingTransactions(): { producerId: number; firstOffset: number }[] {
    return this.producers.ongoingTransactions();
  }
}
