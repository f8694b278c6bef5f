import {
  BatchAttribute,
  BatchHeader,
  buildBatch,
  compressionOf,
  decodeBatch,
  isControl,
  isTransactional,
  readBatchHeader,
  TimestampType,
  timestampTypeOf,
  type KafkaRecord,
} from '@millrace/protocol';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from './log-file-names';
import { AppendedBatchInfo, LogSegment, segmentOptionsFor } from './log-segment';
import type { UnifiedLog } from './unified-log';
import { NOOP_LOGGER, StorageLogger } from './logger';
import { DEFAULT_STORAGE_IO, StorageIo, syncDirectory } from './storage-io';

/**
 * Log compaction for `cleanup.policy=compact` (and `compact,delete`), after Kafka's
 * LogCleaner.
 *
 * Which part of the log: the CLEANABLE range is the longest prefix of non-active segments
 * that each end at or below min(active segment base, high watermark, first unstable
 * offset) and whose largest timestamp is older than `min.compaction.lag.ms`. Within it,
 * segments below the log's cleaner checkpoint are "clean" (compacted before), the rest
 * "dirty". A log is compacted when dirty / (clean + dirty) bytes >=
 * `min.cleanable.dirty.ratio`, or when a tombstone delete horizon it set has passed.
 * The active segment is never touched.
 *
 * How: (1) scan the dirty segments and map each key to its latest offset; (2) rewrite the
 * whole cleanable range, group by group (consecutive segments totalling <= segment.bytes),
 * keeping a record when
 *   - it has a key (records WITHOUT a key are dropped, as Kafka's cleaner does: they
 *     cannot be compacted; Kafka also rejects them at produce time on compacted topics,
 *     which needs per-record decoding and is left to the produce path), and
 *   - no later record with the same key exists in the dirty range, and
 *   - it is not a tombstone (null value) whose delete horizon has passed.
 * Offsets are preserved (gaps appear); a batch whose records all survive is copied byte
 * for byte; a partially kept batch is rebuilt with its original baseOffset,
 * lastOffsetDelta, producer fields, compression and timestamp type. Control batches
 * (transaction markers) are kept as they are. Records of aborted transactions (found
 * through the transaction index) never enter the key map, so they cannot make a
 * committed record look superseded; they are kept as they are (not yet removed). The
 * range stops at the first unstable offset, so open transactions are never cleaned.
 *
 * Tombstones (Kafka 3.x rule, KIP-534): a tombstone survives at least
 * `delete.retention.ms` after the cleaner FIRST passed it. The first pass that keeps a
 * tombstone rewrites its batch with the delete-horizon attribute (bit 6) and
 * baseTimestamp = now + delete.retention.ms (record timestamps are unchanged: their deltas
 * are relative to baseTimestamp). A later pass drops tombstones of batches whose horizon
 * has passed.
 *
 * Crash safety: each group is written to `<base>.log.cleaned` (+ indexes), fsynced, then
 * renamed to `.swap` (the commit point), then — under the log mutex — the old segments
 * are renamed to `.deleted` and the swap files to their final names. On open,
 * `.cleaned` files are discarded and `.swap` files completed (log-loader.ts). When the
 * last batch of a group is removed entirely, an EMPTY batch (no records, same base
 * offset and lastOffsetDelta) is kept so the swap's offset range covers the whole group;
 * Kafka likewise keeps empty batches, and consumers skip them.
 *
 * Concurrency: reading and rewriting happen without the log mutex (non-active segments
 * are immutable); the swap takes it and is abandoned if retention/truncation changed the
 * segments meanwhile.
 */
export interface CleanerStats {
  segmentsCleaned: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRetained: number;
  tombstonesRemoved: number;
  keylessRemoved: number;
  /** Offset the dirty range started at. */
  firstDirtyOffset: number;
  /** End (exclusive) of the range cleaned; the new cleaner checkpoint. */
  endOffset: number;
  durationMs: number;
}

export interface LogCleanerOptions {
  logger?: StorageLogger;
  io?: StorageIo;
  /** Max distinct keys mapped per pass (Kafka's dedupe buffer); the dirty range stops at a segment boundary. */
  maxMapEntries?: number;
}

const INT32_MAX = 2147483647;

interface CleanableRange {
  segments: LogSegment[];
  firstDirty: number;
  endOffset: number;
  cleanBytes: number;
  dirtyBytes: number;
}

export class LogCleaner {
  private readonly logger: StorageLogger;
  private readonly io: StorageIo;
  private readonly maxMapEntries: number;

  constructor(opts: LogCleanerOptions = {}) {
    this.logger = opts.logger ?? NOOP_LOGGER;
    this.io = opts.io ?? DEFAULT_STORAGE_IO;
    this.maxMapEntries = opts.maxMapEntries ?? 4_000_000;
  }

  /** The cleanable range of `log` and its dirty ratio inputs. */
  async cleanableRange(log: UnifiedLog): Promise<CleanableRange> {
    const now = log.clock();
    const segs = log.segments;
    const active = segs[segs.length - 1];
    let bound = Math.min(active.baseOffset, log.highWatermark);
    const unstable = log.transactions.firstUnstableOffset();
    if (unstable !== null) bound = Math.min(bound, unstable);
    const lagLimit = now - log.config.minCompactionLagMs;
    const out: LogSegment[] = [];
    for (let i = 0; i < segs.length - 1; i++) {
      if (segs[i + 1].baseOffset > bound) break;
      if (log.config.minCompactionLagMs > 0 && (await segs[i].largestTimestamp()) > lagLimit) break;
      out.push(segs[i]);
    }
    const firstDirty = Math.max(log.cleanerCheckpoint, log.logStartOffset);
    const endOffset = out.length > 0 ? segs[out.length].baseOffset : firstDirty;
    let cleanBytes = 0;
    let dirtyBytes = 0;
    for (let i = 0; i < out.length; i++) {
      if (segs[i + 1].baseOffset <= firstDirty) cleanBytes += out[i].size;
      else dirtyBytes += out[i].size;
    }
    return { segments: out, firstDirty, endOffset, cleanBytes, dirtyBytes };
  }

  /** Compacts `log` if its dirty ratio or a passed delete horizon says so. */
  async cleanIfNeeded(log: UnifiedLog): Promise<CleanerStats | null> {
    const range = await this.cleanableRange(log);
    if (range.segments.length === 0) return null;
    const total = range.cleanBytes + range.dirtyBytes;
    const ratio = total === 0 ? 0 : range.dirtyBytes / total;
    const horizonDue = log.nextDeleteHorizonMs !== null && log.clock() >= log.nextDeleteHorizonMs;
    if (!horizonDue && (range.dirtyBytes === 0 || ratio < log.config.minCleanableDirtyRatio)) return null;
    return this.clean(log, range);
  }

  /** Compacts the cleanable range now (regardless of the dirty ratio). */
  async clean(log: UnifiedLog, given?: CleanableRange): Promise<CleanerStats | null> {
    const started = Date.now();
    const range = given ?? (await this.cleanableRange(log));
    if (range.segments.length === 0) return null;
    const now = log.clock();
    const stats: CleanerStats = {
      segmentsCleaned: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsRetained: 0,
      tombstonesRemoved: 0,
      keylessRemoved: 0,
      firstDirtyOffset: range.firstDirty,
      endOffset: range.endOffset,
      durationMs: 0,
    };
    for (const s of range.segments) s.retain();
    try {
      // 1. key -> latest offset over the dirty part.
      const { map, endOffset } = await this.buildOffsetMap(range, log.transactions.abortedTransactionRanges(range.firstDirty, range.endOffset));
      stats.endOffset = endOffset;
      const toClean = range.segments.filter((s, i) => (range.segments[i + 1]?.baseOffset ?? range.endOffset) <= endOffset);
      // 2. rewrite, group by group.
      let nextHorizon: number | null = null;
      for (const group of groupSegments(toClean, log.config.segmentBytes, endOffset, range.segments, range.endOffset)) {
        const res = await this.cleanGroup(log, group, map, now, stats);
        if (res.minHorizon !== null && (nextHorizon === null || res.minHorizon < nextHorizon)) nextHorizon = res.minHorizon;
      }
      log.cleanerCheckpoint = Math.max(log.cleanerCheckpoint, endOffset);
      log.nextDeleteHorizonMs = nextHorizon;
    } finally {
      for (const s of range.segments) s.release();
    }
    stats.durationMs = Date.now() - started;
    this.logger.info(
      `partition ${log.name}: compacted offsets [${log.segments[0].baseOffset}, ${stats.endOffset}) in ${stats.segmentsCleaned} segment(s): ` +
        `${stats.bytesRead} -> ${stats.bytesWritten} bytes, ${stats.recordsRetained}/${stats.recordsRead} records kept, ` +
        `${stats.tombstonesRemoved} tombstone(s) and ${stats.keylessRemoved} keyless record(s) removed`,
    );
    return stats;
  }

  private async buildOffsetMap(
    range: CleanableRange,
    aborted: readonly { producerId: number; firstOffset: number; lastOffset: number }[],
  ): Promise<{ map: Map<string, number>; endOffset: number }> {
    const map = new Map<string, number>();
    const segs = range.segments;
    let endOffset = range.endOffset;
    for (let i = 0; i < segs.length; i++) {
      const next = segs[i + 1]?.baseOffset ?? range.endOffset;
      if (next <= range.firstDirty) continue;
      for await (const step of segs[i].scan(0, true)) {
        if (step.kind !== 'batch') break;
        if (isControl(step.header.attributes)) continue;
        const last = step.header.baseOffset + step.header.lastOffsetDelta;
        if (last < range.firstDirty) continue;
        if (isTransactional(step.header.attributes) && isAborted(aborted, step.header.producerId, step.header.baseOffset)) continue;
        for (const r of decodeBatch(step.bytes!, 0).records) {
          if (r.key !== null && r.offset >= range.firstDirty) map.set(r.key.toString('latin1'), r.offset);
        }
      }
      if (map.size >= this.maxMapEntries) {
        endOffset = next;
        break;
      }
    }
    return { map, endOffset };
  }

  private async cleanGroup(
    log: UnifiedLog,
    group: LogSegment[],
    map: Map<string, number>,
    now: number,
    stats: CleanerStats,
  ): Promise<{ minHorizon: number | null }> {
    const segOpts = segmentOptionsFor(log.config, this.io);
    const cleaned = await LogSegment.create(log.dir, group[0].baseOffset, segOpts, CLEANED_SUFFIX);
    let minHorizon: number | null = null;
    let committed = false;
    try {
      let lastHeader: BatchHeader | null = null;
      let lastWritten = -1;
      const pending: { buf: Buffer; info: AppendedBatchInfo }[] = [];
      let pendingBytes = 0;
      const flushPending = async (): Promise<void> => {
        if (pending.length === 0) return;
        await cleaned.append(
          pending.map((p) => p.buf),
          pending.map((p) => p.info),
        );
        pending.length = 0;
        pendingBytes = 0;
      };
      const emit = async (buf: Buffer, h: BatchHeader): Promise<void> => {
        pending.push({
          buf,
          info: { baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, maxTimestamp: h.maxTimestamp, size: buf.length },
        });
        pendingBytes += buf.length;
        stats.bytesWritten += buf.length;
        lastWritten = h.baseOffset;
        if (pendingBytes >= 1 << 20) await flushPending();
      };
      for (const seg of group) {
        stats.bytesRead += seg.size;
        for await (const step of seg.scan(0, true)) {
          if (step.kind !== 'batch') break;
          const h = step.header;
          const bytes = step.bytes!;
          lastHeader = h;
          if (isControl(h.attributes)) {
            await emit(Buffer.from(bytes), h);
            continue;
          }
          const decoded = decodeBatch(bytes, 0);
          const hasHorizon = (h.attributes & BatchAttribute.DeleteHorizon) !== 0;
          const horizon = hasHorizon ? h.baseTimestamp : null;
          const kept = [];
          let tombstonesKept = 0;
          for (const r of decoded.records) {
            stats.recordsRead++;
            if (r.key === null) {
              stats.keylessRemoved++;
              continue;
            }
            const latest = map.get(r.key.toString('latin1'));
            if (latest !== undefined && r.offset < latest) continue;
            if (r.value === null) {
              if (horizon !== null && horizon <= now) {
                stats.tombstonesRemoved++;
                continue;
              }
              tombstonesKept++;
            }
            kept.push(r);
          }
          stats.recordsRetained += kept.length;
          const needsHorizon = tombstonesKept > 0 && horizon === null;
          const batchHorizon = needsHorizon ? now + log.config.deleteRetentionMs : horizon;
          if (tombstonesKept > 0 && batchHorizon !== null && (minHorizon === null || batchHorizon < minHorizon)) {
            minHorizon = batchHorizon;
          }
          if (kept.length === decoded.records.length && !needsHorizon) {
            await emit(Buffer.from(bytes), h);
            continue;
          }
          if (kept.length === 0) continue;
          const rebuilt = rebuildBatch(h, kept, batchHorizon);
          await emit(rebuilt, readBatchHeader(rebuilt, 0));
        }
      }
      // Keep the group's offset range whole (see the file comment).
      if (lastHeader && lastWritten !== lastHeader.baseOffset) {
        const empty = buildBatch({
          baseOffset: lastHeader.baseOffset,
          records: [],
          lastOffsetDelta: lastHeader.lastOffsetDelta,
          maxTimestamp: lastHeader.maxTimestamp,
          producerId: lastHeader.producerId,
          producerEpoch: lastHeader.producerEpoch,
          baseSequence: lastHeader.baseSequence,
          transactional: isTransactional(lastHeader.attributes),
          partitionLeaderEpoch: lastHeader.partitionLeaderEpoch,
        });
        await emit(empty, lastHeader);
      }
      await flushPending();
      await cleaned.onBecomeInactive();
      // Commit point: the .swap files.
      await cleaned.renameFiles(CLEANED_SUFFIX, SWAP_SUFFIX);
      await syncDirectory(log.dir);
      committed = await log.replaceSegments(group, cleaned, SWAP_SUFFIX);
      if (committed) {
        await syncDirectory(log.dir);
        stats.segmentsCleaned += group.length;
      } else {
        this.logger.warn(`partition ${log.name}: segments changed during compaction, discarding the cleaned segment ${group[0].baseOffset}`);
      }
    } finally {
      if (!committed) await cleaned.markDeleted().catch(() => undefined);
    }
    return { minHorizon };
  }
}

/** Rebuilds a batch keeping `kept` records at their original offsets. */
function rebuildBatch(h: BatchHeader, kept: readonly KafkaRecord[], horizon: number | null): Buffer {
  const logAppend = timestampTypeOf(h.attributes) === TimestampType.LogAppendTime;
  return buildBatch({
    baseOffset: h.baseOffset,
    records: kept.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    offsetDeltas: kept.map((r) => r.offset - h.baseOffset),
    lastOffsetDelta: h.lastOffsetDelta,
    compression: compressionOf(h.attributes),
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    transactional: isTransactional(h.attributes),
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    logAppendTime: logAppend ? h.maxTimestamp : undefined,
    deleteHorizonMs: horizon ?? undefined,
  });
}

/**
 * Consecutive groups of the segments to clean, each <= maxBytes in total (at least one
 * segment) and spanning < 2^31 offsets, as Kafka's groupSegmentsBySize.
 */
function groupSegments(
  segs: readonly LogSegment[],
  maxBytes: number,
  endOffset: number,
  all: readonly LogSegment[],
  rangeEnd: number,
): LogSegment[][] {
  const nextBase = (s: LogSegment): number => {
    const i = all.indexOf(s);
    return all[i + 1]?.baseOffset ?? rangeEnd;
  };
  const groups: LogSegment[][] = [];
  let cur: LogSegment[] = [];
  let bytes = 0;
  for (const s of segs) {
    if (nextBase(s) > endOffset) break;
    const span = nextBase(s) - (cur[0]?.baseOffset ?? s.baseOffset);
    if (cur.length > 0 && (bytes + s.size > maxBytes || span - 1 > INT32_MAX)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += s.size;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** True when the batch of `producerId` at `offset` belongs to one of the `aborted` transactions. */
function isAborted(aborted: readonly { producerId: number; firstOffset: number; lastOffset: number }[], producerId: number, offset: number): boolean {
  for (const a of aborted) if (a.producerId === producerId && offset >= a.firstOffset && offset <= a.lastOffset) return true;
  return false;
}
