import type { AsyncMutex } from './async-mutex';
import { OffsetOutOfRangeError } from './errors';
import type { LocalLog } from './local-log';
import { isDeleteRetention, LogConfig } from './log-config';
import type { LogOffsets } from './log-offsets';
import type { LogSegment } from './log-segment';
import type { RetentionResult } from './log-types';
import type { ProducerStateManager } from './producer-state';
import { deleteProducerSnapshotsBelow } from './producer-state-snapshot';
import type { TransactionIndex } from './transaction-index';

/**
 * Which of a partition's oldest segments are deleted, and why (the rules of Kafka's
 * UnifiedLog.deleteOldSegments). Only whole segments go, oldest first, never the active
 * one; a rule stops at the first segment it keeps. The plan is a list of steps, each
 * deleting `count` more of the oldest remaining segments:
 *
 *   1. whatever the policy: segments entirely below logStartOffset (their successor
 *      starts at or below it), e.g. after DeleteRecords;
 *   2. cleanup.policy contains delete and retention.ms >= 0: then the segments whose
 *      largest timestamp is older than now - retention.ms;
 *   3. cleanup.policy contains delete and retention.bytes >= 0: then the oldest segments
 *      while the log would still be at or above retention.bytes without them.
 *
 * Rules 2 and 3 never take a segment holding offsets at or above the high watermark.
 * LogStartKeeper (below) runs the steps under the log's mutex, moving logStartOffset as
 * segments go; it also serves DeleteRecords (rule 1 after raising logStartOffset).
 */
export interface RetentionStep {
  count: number;
  /** Why, for the log line: "<count> segment(s) <reason>". */
  reason: string;
}

/** A segment may go when it is not the active one and its successor starts at or below `limit`. */
function endsBy(segs: readonly LogSegment[], i: number, limit: number): boolean {
  return i < segs.length - 1 && segs[i + 1].baseOffset <= limit;
}

/** Rule 1 alone (DeleteRecords): how many of the oldest segments lie entirely below `logStartOffset`. */
export function countBelowLogStart(segs: readonly LogSegment[], logStartOffset: number): number {
  let n = 0;
  while (endsBy(segs, n, logStartOffset)) n++;
  return n;
}

/** The deletion steps for `segs` (oldest first, the last one active), see the header. */
export async function planRetention(
  segs: readonly LogSegment[],
  logStartOffset: number,
  /** Read at each segment: the partition layer may raise it meanwhile. */
  highWatermark: () => number,
  config: LogConfig,
  now: () => number,
): Promise<RetentionStep[]> {
  let from = countBelowLogStart(segs, logStartOffset);
  const steps: RetentionStep[] = [{ count: from, reason: 'below log start offset' }];
  if (!isDeleteRetention(config)) return steps;
  const nowMs = now();
  if (config.retentionMs >= 0) {
    let n = 0;
    while (endsBy(segs, from + n, highWatermark()) && (await segs[from + n].largestTimestamp()) < nowMs - config.retentionMs) n++;
    steps.push({ count: n, reason: `past retention.ms ${config.retentionMs}` });
    from += n;
  }
  if (config.retentionBytes >= 0) {
    let excess = -config.retentionBytes;
    for (let i = from; i < segs.length; i++) excess += segs[i].size;
    let n = 0;
    while (endsBy(segs, from + n, highWatermark()) && excess - segs[from + n].size >= 0) {
      excess -= segs[from + n].size;
      n++;
    }
    steps.push({ count: n, reason: `over retention.bytes ${config.retentionBytes}` });
  }
  return steps;
}

/** The parts of a UnifiedLog that moving logStartOffset and deleting segments touch. */
export interface LogStartContext {
  readonly name: string;
  readonly dir: string;
  readonly local: LocalLog;
  readonly offsets: LogOffsets;
  readonly producers: ProducerStateManager;
  readonly txnIndex: TransactionIndex;
  /** The log's mutation mutex (every method here that deletes takes it). */
  readonly mutex: AsyncMutex;
  readonly config: () => LogConfig;
  /** Compaction progress never points below the first remaining segment. */
  raiseCleanerCheckpoint(offset: number): void;
  /** Called outside the mutex after logStartOffset moved (LogManager checkpoints it). */
  logStartOffsetChanged(): void;
}

/**
 * The log start offset and what moves it (Kafka's UnifiedLog.deleteRecords,
 * deleteOldSegments and deleteSegments): DeleteRecords and retention. When
 * logStartOffset rises, producer state forgets what lies below it and corrupt ranges
 * below it are dropped (they can no longer be read); when segments go, the producer
 * snapshots and transaction index entries below the first remaining segment go with
 * them and the cleaner checkpoint is raised to it.
 */
export class LogStartKeeper {
  constructor(private readonly ctx: LogStartContext) {}

  /**
   * DeleteRecords: moves logStartOffset to `offset` (must be <= high watermark; -1 means
   * the high watermark) and deletes the whole segments now entirely below it. Returns the
   * new logStartOffset.
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    const { offsets } = this.ctx;
    const target = offset === -1 ? offsets.highWatermark : offset;
    if (target < 0 || target > offsets.highWatermark) {
      throw new OffsetOutOfRangeError(
        `partition ${this.ctx.name}: cannot delete records before ${target}: above the high watermark ${offsets.highWatermark}`,
      );
    }
    if (target <= offsets.logStartOffset) return offsets.logStartOffset;
    await this.ctx.mutex.run(async () => {
      this.setLogStartOffset(target);
      await this.deleteOldestSegments(countBelowLogStart(this.ctx.local.segments.all, offsets.logStartOffset));
    });
    this.ctx.logStartOffsetChanged();
    return offsets.logStartOffset;
  }

  /**
   * Retention: deletes the oldest whole segments the rules above select (below
   * logStartOffset whatever the policy; past retention.ms or over retention.bytes when
   * cleanup.policy contains delete). Moves logStartOffset.
   */
  async deleteOldSegments(): Promise<RetentionResult> {
    const { local, offsets } = this.ctx;
    const res = await this.ctx.mutex.run(async () => {
      const out: RetentionResult = { deletedSegments: 0, deletedBytes: 0, logStartOffset: 0, reasons: [] };
      const hw = (): number => offsets.highWatermark;
      for (const step of await planRetention(local.segments.all, offsets.logStartOffset, hw, this.ctx.config(), local.now)) {
        const r = await this.deleteOldestSegments(step.count);
        if (r.count > 0) out.reasons.push(`${r.count} segment(s) ${step.reason}`);
        out.deletedSegments += r.count;
        out.deletedBytes += r.bytes;
      }
      out.logStartOffset = offsets.logStartOffset;
      return out;
    });
    if (res.deletedSegments > 0) {
      local.logger.info(
        `partition ${this.ctx.name}: deleted ${res.deletedSegments} segment(s), ${res.deletedBytes} bytes (${res.reasons.join('; ')}); log start offset now ${res.logStartOffset}`,
      );
      this.ctx.logStartOffsetChanged();
    }
    return res;
  }

  private setLogStartOffset(offset: number): void {
    const { offsets, local } = this.ctx;
    if (offsets.raiseLogStartOffset(offset)) this.ctx.producers.onLogStartOffsetIncremented(offset);
    if (local.corruptRanges.count > 0) local.corruptRanges.dropBelow(offsets.logStartOffset);
  }

  /** Removes the first `n` segments (never the active one) and what referred to them. Under the mutex. */
  private async deleteOldestSegments(n: number): Promise<{ count: number; bytes: number }> {
    const { local } = this.ctx;
    const deleted = await local.deleteOldestSegments(n);
    if (deleted.count === 0) return deleted;
    const first = local.segments.first.baseOffset;
    this.setLogStartOffset(first);
    // Producer snapshots and transaction indexes below the first remaining segment are useless now.
    await deleteProducerSnapshotsBelow(this.ctx.dir, first);
    await this.ctx.txnIndex.deleteBelow(first);
    this.ctx.raiseCleanerCheckpoint(first);
    return deleted;
  }
}
