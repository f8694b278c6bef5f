import { errorMessage } from '@millrace/app-common';
import { ErrorCode, iterateBatches } from '@millrace/protocol';
import { errorCodeOf, type UnifiedLog } from '@millrace/storage';
import { failedAppendOutcome, IsolationLevel, type AppendOutcome } from './partition-types';

/**
 * One partition this broker leads: its log plus the offsets consumers see.
 *
 * Offsets: logStartOffset <= lastStableOffset <= highWatermark <= logEndOffset.
 * The high watermark is moved to just past an append only when that append resolved,
 * i.e. when it is as durable as the topic's flush settings require; with one broker the
 * in-sync replica set is the leader itself, so acks=1 and acks=-1 coincide. Appends
 * resolve in offset order (one drain per log), so the high watermark only grows.
 * Consumers read up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed, equal to it until transactions exist).
 *
 * The leader epoch is stamped on every appended batch: 0 for a partition this broker
 * owns alone (single broker; a cluster's broker-local internal topics), else the epoch
 * the cluster metadata gives the partition (`clustered`), set by `setLeadership`.
 * A clustered partition serves clients only while `isLeader` (the cluster metadata names
 * this broker its leader); until its leadership is known it is not the leader.
 */
export class Partition {
  private epoch = 0;
  private leading: boolean;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: UnifiedLog,
    private readonly onAppended: (partition: Partition, bytes: number, records: number) => void,
    readonly clustered = false,
  ) {
    this.leading = !clustered;
    log.leaderEpoch = this.epoch;
    // The in-sync replica set is this broker alone, so everything the (recovered) log
    // holds is committed: the checkpointed high watermark may lag by up to one
    // checkpoint interval, and acknowledged records must be readable after a crash.
    log.updateHighWatermark(log.logEndOffset);
  }

  get leaderEpoch(): number {
    return this.epoch;
  }

  /** Whether this broker leads the partition now (always, unless `clustered`). */
  get isLeader(): boolean {
    return this.leading;
  }

  /** A clustered partition's leadership as the cluster metadata records it. */
  setLeadership(isLeader: boolean, leaderEpoch: number): void {
    this.leading = isLeader;
    this.epoch = leaderEpoch;
    this.log.leaderEpoch = leaderEpoch;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get lastStableOffset(): number {
    const unstable = this.log.transactions.firstUnstableOffset();
    return unstable === null ? this.highWatermark : Math.min(unstable, this.highWatermark);
  }

  /** The offset consumers of this isolation level may read up to (exclusive). */
  fetchableEnd(isolation: IsolationLevel): number {
    return isolation === IsolationLevel.READ_COMMITTED ? this.lastStableOffset : this.highWatermark;
  }

  /**
   * Appends one produce request's records. The log takes its place in the append queue
   * synchronously (before the first await), which preserves per-connection order.
   */
  async appendRecords(records: Buffer | null, origin: 'client' | 'coordinator' = 'client'): Promise<AppendOutcome> {
    if (records === null || records.length === 0) {
      return failedAppendOutcome(ErrorCode.CORRUPT_MESSAGE, 'produce request carries no record batch', this.logStartOffset);
    }
    try {
      const result = await this.log.append(records, { origin, requireSingleBatch: origin === 'client', leaderEpoch: this.leaderEpoch });
      if (!result.duplicate) {
        this.log.updateHighWatermark(Math.max(this.log.highWatermark, result.lastOffset + 1));
        this.onAppended(this, records.length, result.recordCount);
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: result.baseOffset,
        logAppendTimeMs: result.logAppendTime,
        logStartOffset: result.logStartOffset,
        recordErrors: [],
      };
    } catch (err) {
      return failedAppendOutcome(errorCodeOf(err), errorMessage(err), this.logStartOffset);
    }
  }
}

/** Records in a buffer of whole batches, counted from batch headers only. */
export function countRecords(records: Buffer): number {
  let n = 0;
  for (const b of iterateBatches(records)) n += b.header.recordsCount;
  return n;
}
