import type { BatchHeader } from '@millrace/protocol';
import * as protocol from '@millrace/protocol';
import { InvalidProducerEpochError, OutOfOrderSequenceError } from './errors';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { isControl, isTransactional } = protocol;

/**
 * Idempotent / transactional producer state of one partition (Kafka's
 * ProducerStateManager), derived purely from batch headers.
 *
 * Per producerId it keeps the epoch and the metadata of the last 5 batches (Kafka's
 * NUM_BATCHES_TO_RETAIN — the most a producer may have in flight), plus the first offset
 * of an open transaction. On append of a batch with producerId >= 0 (client origin):
 *
 *  - a batch equal (same epoch, firstSeq and lastSeq) to one of the last 5 is a DUPLICATE:
 *    the append is skipped and the original offsets are returned;
 *  - epoch < current epoch -> INVALID_PRODUCER_EPOCH (47);
 *  - epoch > current epoch (a bump) -> the batch must start at sequence 0, else
 *    OUT_OF_ORDER_SEQUENCE_NUMBER (45); the retained batches are forgotten;
 *  - same epoch -> firstSeq must be lastSeq + 1 (with wrap: Int32.MAX is followed by 0),
 *    else OUT_OF_ORDER_SEQUENCE_NUMBER (45);
 *  - unknown producer (no state: never seen, expired, or removed because all its data fell
 *    below the log start offset): ANY sequence is accepted and starts the state. This is
 *    Kafka's behaviour since 2.5 (KIP-360): brokers no longer answer UNKNOWN_PRODUCER_ID
 *    (59) for produce; the producer's own bookkeeping handles the rare lost-state case.
 *
 * Replicated appends (follower side) skip the checks and just record state, as Kafka.
 * Control batches (transaction markers) close the producer's open transaction; a marker
 * with an older epoch is rejected with INVALID_PRODUCER_EPOCH.
 *
 * Validation is staged: `ProducerStateView`s layer uncommitted updates over the committed
 * map so that a request (and a group of requests written with one writev) sees its own
 * earlier batches, and nothing is committed before the bytes are in the log.
 */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** maxTimestamp of the batch. */
  timestamp: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  /** First offset of the open transaction, -1 when none. */
  currentTxnFirstOffset: number;
  /** maxTimestamp of the producer's last batch (drives producer id expiration). */
  lastTimestamp: number;
  /** Oldest first, at most BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
}

/** lastSeq of a batch: baseSequence + lastOffsetDelta, wrapping past Int32.MAX to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence > INT32_MAX - lastOffsetDelta) return lastOffsetDelta - (INT32_MAX - baseSequence) - 1;
  return baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

function cloneEntry(e: ProducerStateEntry): ProducerStateEntry {
  return { ...e, batches: e.batches.map((b) => ({ ...b })) };
}

function emptyEntry(producerId: number): ProducerStateEntry {
  return {
    producerId,
    producerEpoch: NO_PRODUCER_EPOCH,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: -1,
    lastTimestamp: -1,
    batches: [],
  };
}

interface EntrySource {
  lookup(producerId: number): ProducerStateEntry | undefined;
}

/** Result of staging one batch. */
export type ProducerCheck = { duplicate: BatchMetadata } | { duplicate: null };

/**
 * Uncommitted producer-state changes on top of a parent (the manager or another view).
 * `stage` validates and records one batch; `mergeIntoParent` publishes the changes.
 */
export class ProducerStateView implements EntrySource {
  private readonly staged = new Map<number, ProducerStateEntry>();

  constructor(
    private readonly parent: EntrySource & {
      absorb?(entries: Map<number, ProducerStateEntry>): void;
      ongoingTransactions?(): { producerId: number; firstOffset: number }[];
    },
  ) {}

  /** Earliest first offset of an open transaction seen through this view (over a manager parent), else `end`. */
  firstUnstableOffset(end: number): number {
    let min = end;
    for (const e of this.staged.values()) if (e.currentTxnFirstOffset >= 0 && e.currentTxnFirstOffset < min) min = e.currentTxnFirstOffset;
    for (const o of this.parent.ongoingTransactions?.() ?? []) {
      if (!this.staged.has(o.producerId) && o.firstOffset < min) min = o.firstOffset;
    }
    return min;
  }

  lookup(producerId: number): ProducerStateEntry | undefined {
    return this.staged.get(producerId) ?? this.parent.lookup(producerId);
  }

  get size(): number {
    return this.staged.size;
  }

  /**
   * Checks a data batch before offsets are assigned. With `validate` (client origin)
   * returns the duplicate it repeats, if any, and throws the Kafka error for a bad epoch
   * or sequence; without (replication) it accepts everything, as Kafka's followers do.
   */
  checkDataBatch(h: BatchHeader, validate: boolean): ProducerCheck {
    const current = this.lookup(h.producerId);
    if (!current || !validate) return { duplicate: null };
    if (current.producerEpoch === h.producerEpoch && h.baseSequence !== NO_SEQUENCE) {
      const lastSeq = lastSequenceOf(h.baseSequence, h.lastOffsetDelta);
      const dup = current.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === lastSeq);
      if (dup) return { duplicate: { ...dup } };
    }
    if (h.producerEpoch < current.producerEpoch) {
      throw new InvalidProducerEpochError(
        `producer ${h.producerId}: epoch ${h.producerEpoch} is older than the current epoch ${current.producerEpoch}`,
      );
    }
    if (h.producerEpoch !== current.producerEpoch) {
      if (h.baseSequence !== 0 && current.producerEpoch !== NO_PRODUCER_EPOCH) {
        throw new OutOfOrderSequenceError(
          `producer ${h.producerId}: new epoch ${h.producerEpoch} must start at sequence 0, got ${h.baseSequence}`,
        );
      }
    } else {
      const last = current.batches.length > 0 ? current.batches[current.batches.length - 1].lastSeq : NO_SEQUENCE;
      if (last !== NO_SEQUENCE && !inSequence(last, h.baseSequence)) {
        throw new OutOfOrderSequenceError(
          `producer ${h.producerId} epoch ${h.producerEpoch}: expected sequence ${last === INT32_MAX ? 0 : last + 1}, got ${h.baseSequence}`,
        );
      }
    }
    return { duplicate: null };
  }

  /** Checks a transaction marker (control batch). */
  checkControlBatch(h: BatchHeader, validate: boolean): void {
    const current = this.lookup(h.producerId);
    if (validate && current && h.producerEpoch < current.producerEpoch) {
      throw new InvalidProducerEpochError(
        `producer ${h.producerId}: marker epoch ${h.producerEpoch} is older than the current epoch ${current.producerEpoch}`,
      );
    }
  }

  /** Records a batch (already checked) at its final offsets. */
  record(h: BatchHeader, firstOffset: number, lastOffset: number): void {
    if (h.producerId < 0) return;
    const base = this.lookup(h.producerId);
    const e = this.staged.get(h.producerId) ?? (base ? cloneEntry(base) : emptyEntry(h.producerId));
    if (h.producerEpoch !== e.producerEpoch) {
      e.producerEpoch = h.producerEpoch;
      e.batches = [];
    }
    if (h.maxTimestamp > e.lastTimestamp) e.lastTimestamp = h.maxTimestamp;
    if (isControl(h.attributes)) {
      e.currentTxnFirstOffset = -1;
    } else {
      if (h.baseSequence !== NO_SEQUENCE) {
        e.batches.push({
          firstSeq: h.baseSequence,
          lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
          firstOffset,
          lastOffset,
          timestamp: h.maxTimestamp,
        });
        if (e.batches.length > BATCHES_TO_RETAIN) e.batches.splice(0, e.batches.length - BATCHES_TO_RETAIN);
      }
      if (isTransactional(h.attributes) && e.currentTxnFirstOffset < 0) e.currentTxnFirstOffset = firstOffset;
    }
    this.staged.set(h.producerId, e);
  }

  /** Publishes the staged entries to the parent (view or manager). */
  mergeIntoParent(): void {
    if (this.parent.absorb) this.parent.absorb(this.staged);
    this.staged.clear();
  }

  absorb(entries: Map<number, ProducerStateEntry>): void {
    for (const [pid, e] of entries) this.staged.set(pid, e);
  }
}

/**
 * Committed producer state of a partition plus the offset it is valid up to
 * (`mapEndOffset`: every batch below it has been applied).
 */
export class ProducerStateManager implements EntrySource {
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** producerId -> first offset of its open transaction (kept so the LSO costs O(open transactions)). */
  private readonly ongoing = new Map<number, number>();
  private endOffset: number;

  constructor(mapEndOffset = 0) {
    this.endOffset = mapEndOffset;
  }

  lookup(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Offset up to which state has been applied. */
  get mapEndOffset(): number {
    return this.endOffset;
  }

  set mapEndOffset(offset: number) {
    this.endOffset = offset;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /** A staging view over the committed state. */
  view(): ProducerStateView {
    return new ProducerStateView(this);
  }

  absorb(entries: Map<number, ProducerStateEntry>): void {
    for (const [pid, e] of entries) {
      this.producers.set(pid, e);
      this.trackOngoing(e);
    }
  }

  private trackOngoing(e: ProducerStateEntry): void {
    if (e.currentTxnFirstOffset >= 0) this.ongoing.set(e.producerId, e.currentTxnFirstOffset);
    else this.ongoing.delete(e.producerId);
  }

  /** Producers with an open transaction and its first offset (for DescribeProducers / operations). */
  ongoingTransactions(): { producerId: number; firstOffset: number }[] {
    return [...this.ongoing].map(([producerId, firstOffset]) => ({ producerId, firstOffset }));
  }

  /** All entries (for snapshots and DescribeProducers). */
  entries(): ProducerStateEntry[] {
    return [...this.producers.values()];
  }

  /** Replaces the whole state (snapshot load). */
  load(entries: readonly ProducerStateEntry[], mapEndOffset: number): void {
    this.producers.clear();
    this.ongoing.clear();
    for (const e of entries) {
      this.producers.set(e.producerId, cloneEntry(e));
      this.trackOngoing(e);
    }
    this.endOffset = mapEndOffset;
  }

  clear(mapEndOffset: number): void {
    this.producers.clear();
    this.ongoing.clear();
    this.endOffset = mapEndOffset;
  }

  /** Smallest first offset of an open transaction (the LSO bound), null if none. */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const first of this.ongoing.values()) if (min === null || first < min) min = first;
    return min;
  }

  /** Forgets producers idle for longer than `expirationMs` (producer.id.expiration.ms). */
  removeExpiredProducers(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && e.lastTimestamp >= 0 && nowMs - e.lastTimestamp >= expirationMs) {
        this.producers.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  /** Forgets producers whose data all lies below the new log start offset (Kafka's truncateHead). */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    for (const [pid, e] of this.producers) {
      const last = e.batches.length > 0 ? e.batches[e.batches.length - 1].lastOffset : -1;
      if (e.currentTxnFirstOffset < 0 && last < logStartOffset) this.producers.delete(pid);
    }
  }
}
