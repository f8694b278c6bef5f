import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CorruptBatchError } from './corrupt-batch';
import { CorruptRanges } from './corrupt-ranges';
import { KafkaStorageError } from './errors';
import type { LogConfig } from './log-config';
import { parsePartitionDirName } from './log-file-names';
import { AppendedBatchInfo, LogSegment, segmentOptionsFor, SegmentReadResult } from './log-segment';
import { LogSegments } from './log-segments';
import type { TimestampAndOffset } from './log-types';
import { NOOP_LOGGER, StorageLogger } from './logger';
import { DEFAULT_STORAGE_IO, StorageIo } from './storage-io';

/**
 * The files of one partition log (Kafka's LocalLog): the segments in
 * `<dataDir>/<topic>-<partition>/`, the last one active (the only one appended to), and
 * the log end offset (LEO: the offset the next appended record gets). It writes, rolls,
 * fsyncs, reads, truncates and swaps segments; it knows nothing of producers, the log
 * start offset or the high watermark, which UnifiedLog (its owner) keeps.
 *
 * Durability (`flush.messages`, `flush.ms`): by default data reaches the page cache only
 * (Kafka's default; durability comes from replication). `recoveryPoint` is the offset
 * below which everything is fsynced. fsyncs are GROUP-COMMITTED: one flush runs at a
 * time; every caller waiting while it runs is covered by the next one
 * (`waitUntilFlushed`). flush.ms is applied by `maybeFlushByTime()` (LogManager's flush
 * scheduler). A segment is fsynced when rolled, so only the active segment ever holds
 * unflushed data.
 *
 * Concurrency contract: append, roll, truncation, segment deletion, the compaction swap
 * and close are called by UnifiedLog under its mutex. Reads and fsyncs do not take it:
 * readers work on a snapshot of the segment list and pin each segment while reading (a
 * deleted segment's files live until its readers finish); flushes run beside appends. A
 * failed write or fsync takes the log offline (`markOffline`): every later append fails
 * with KAFKA_STORAGE_ERROR, as Kafka takes the log directory offline.
 */
export interface LocalLogArgs {
  dir: string;
  /** Label for messages; default the directory name (`<topic>-<partition>`). */
  name?: string;
  config: LogConfig;
  /** The loaded segments, oldest first (see log-loader.ts). */
  segments: LogSegment[];
  logEndOffset: number;
  logger?: StorageLogger;
  io?: StorageIo;
  /** Clock, for tests. Default Date.now. */
  time?: () => number;
}

/** What read() answers when a segment was deleted or replaced under it: retry on the new list. */
export const SEGMENTS_CHANGED: unique symbol = Symbol('segments changed');

const INT32_MAX = 2147483647;

export class LocalLog {
  readonly dir: string;
  readonly name: string;
  readonly topic: string;
  readonly partition: number;
  readonly segments: LogSegments;

  private cfg: LogConfig;
  private jitterMs: number;
  private nextOffset: number;
  private failure: KafkaStorageError | null = null;
  private failedFsync = false;
  private flushedOffset: number;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private flushInFlight: Promise<void> | null = null;
  readonly logger: StorageLogger;
  readonly io: StorageIo;
  /** Stored batches found corrupt, and the operator's quarantines (corrupt-ranges.ts). */
  readonly corruptRanges: CorruptRanges;
  /** The log's clock (segment.ms, flush.ms, LogAppendTime, retention.ms). */
  readonly now: () => number;

  constructor(args: LocalLogArgs) {
    this.dir = args.dir;
    const base = path.basename(args.dir);
    const parsed = parsePartitionDirName(base);
    this.topic = parsed?.topic ?? base;
    this.partition = parsed?.partition ?? 0;
    this.name = args.name ?? base;
    this.cfg = args.config;
    this.jitterMs = LocalLog.jitter(args.config);
    this.segments = new LogSegments(args.segments);
    this.nextOffset = args.logEndOffset;
    this.flushedOffset = args.logEndOffset;
    this.logger = args.logger ?? NOOP_LOGGER;
    this.io = args.io ?? DEFAULT_STORAGE_IO;
    this.now = args.time ?? Date.now;
    this.lastFlushMs = this.now();
    this.corruptRanges = new CorruptRanges(this.dir, this.name, this.logger);
  }

  private static jitter(c: LogConfig): number {
    return c.segmentJitterMs > 0 ? Math.floor(Math.random() * Math.min(c.segmentJitterMs, c.segmentMs)) : 0;
  }

  // ------------------------------------------------------------------ state

  get config(): LogConfig {
    return this.cfg;
  }

  /** Applies a new topic config. Takes effect for the next append/roll/flush. */
  updateConfig(config: LogConfig): void {
    this.cfg = config;
    this.jitterMs = LocalLog.jitter(config);
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }

  /** Offsets below it are fsynced (Kafka's recovery point). */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  /** Records appended since the last fsync. */
  get unflushedRecords(): number {
    return this.unflushedMessages;
  }

  /** True when the records appended since the last fsync reached flush.messages. */
  get flushMessagesReached(): boolean {
    return this.unflushedMessages >= this.cfg.flushMessages;
  }

  get activeSegment(): LogSegment {
    return this.segments.active;
  }

  /** The failure that took the log offline, null while it is online. */
  get offlineError(): KafkaStorageError | null {
    return this.failure;
  }

  /** Whether the failure that took the log offline was an fsync (never cleared without a restart). */
  get offlineAfterFsync(): boolean {
    return this.failedFsync;
  }

  /** Takes the log offline; the first failure is the one kept. Returns it. */
  markOffline(err: KafkaStorageError, kind: 'write' | 'fsync' = 'write'): KafkaStorageError {
    if (kind === 'fsync') this.failedFsync = true;
    this.failure ??= err;
    return this.failure;
  }

  /** Clears a failed WRITE (log-dir-health.ts recoverFromWriteFailure, under the mutex); never a failed fsync. */
  clearWriteFailure(): void {
    if (!this.failedFsync) this.failure = null;
  }

  // ------------------------------------------------------------------ append & roll

  /**
   * Whether a request of `incomingBytes` whose last offset is `lastOffset` must go to a new
   * segment, given `stagedBytes` already accepted for the active one but not yet written:
   * segment.bytes, int32 relative offsets, full indexes, or segment.ms (minus the jitter)
   * measured from the active segment's first batch timestamp (Kafka's rule).
   */
  shouldRoll(stagedBytes: number, incomingBytes: number, lastOffset: number, incomingMaxTimestamp: number): boolean {
    const active = this.segments.active;
    const segSize = active.size + stagedBytes;
    if (segSize === 0) return false;
    if (segSize + incomingBytes > this.cfg.segmentBytes) return true;
    if (lastOffset - active.baseOffset > INT32_MAX) return true;
    if (active.indexesFull) return true;
    const incomingTs = this.cfg.messageTimestampType === 'LogAppendTime' ? this.now() : incomingMaxTimestamp;
    return active.timeWaitedForRoll(this.now(), incomingTs) > this.cfg.segmentMs - this.jitterMs;
  }

  /**
   * Writes whole batches carrying their final offsets (described in order by `infos`) to
   * the active segment with one writev; the log end offset becomes `nextOffset`.
   */
  async append(buffers: readonly Buffer[], infos: readonly AppendedBatchInfo[], nextOffset: number, records: number): Promise<void> {
    await this.segments.active.append(buffers, infos);
    this.nextOffset = nextOffset;
    this.unflushedMessages += records;
  }

  /**
   * Makes a new active segment at `newBase`. An empty active segment is simply replaced;
   * a non-empty one becomes immutable: final time-index entry, fsync (crash recovery only
   * re-validates the active segment), index handles closed. Returns true in that second
   * case (the caller snapshots producer state at `newBase`).
   */
  async roll(newBase: number): Promise<boolean> {
    const old = this.segments.active;
    const segOpts = segmentOptionsFor(this.cfg, this.io);
    if (old.isEmpty) {
      if (old.baseOffset === newBase) return false;
      const seg = await LogSegment.create(this.dir, newBase, segOpts);
      this.segments.replaceActive(seg);
      await old.markDeleted();
      return false;
    }
    await old.onBecomeInactive();
    const seg = await LogSegment.create(this.dir, newBase, segOpts);
    this.segments.add(seg);
    if (this.flushedOffset < newBase) {
      this.flushedOffset = newBase;
      this.unflushedMessages = 0;
      this.lastFlushMs = this.now();
    }
    return true;
  }

  // ------------------------------------------------------------------ flush

  /** fsyncs everything appended so far (group-committed with concurrent callers). */
  flush(): Promise<void> {
    return this.waitUntilFlushed(this.nextOffset);
  }

  /** flush.ms: fsyncs when unflushed data is older than flush.ms. Returns whether it flushed. */
  async maybeFlushByTime(): Promise<boolean> {
    if (this.flushedOffset >= this.nextOffset) return false;
    if (this.now() - this.lastFlushMs < this.cfg.flushMs) return false;
    await this.flush();
    return true;
  }

  /** Resolves once every offset below `target` (capped at the log end offset) is fsynced. */
  async waitUntilFlushed(target: number): Promise<void> {
    while (this.flushedOffset < Math.min(target, this.nextOffset)) {
      if (!this.flushInFlight) {
        this.flushInFlight = this.flushOnce().finally(() => {
          this.flushInFlight = null;
        });
      }
      await this.flushInFlight;
    }
  }

  private async flushOnce(): Promise<void> {
    const upTo = this.nextOffset;
    const records = this.unflushedMessages;
    const segs = this.segments.all.filter((s) => s.hasUnflushedData);
    for (const s of segs) {
      s.retain();
      try {
        if (!s.isDeleted) await s.flush();
      } catch (err) {
        // After a failed fsync the page cache state is unknown ("fsyncgate"): go offline.
        const e = err instanceof KafkaStorageError ? err : new KafkaStorageError(String(err), err);
        this.markOffline(e, 'fsync');
        this.logger.warn(`partition ${this.name}: taking the log offline after an fsync failure (not retried; a restart re-validates the log): ${e.message}`);
        throw e;
      } finally {
        s.release();
      }
    }
    if (upTo > this.flushedOffset) this.flushedOffset = upTo;
    this.unflushedMessages = Math.max(0, this.unflushedMessages - records);
    this.lastFlushMs = this.now();
  }

  /**
   * Clean-close flush, under the mutex: waits for a running flush, then (unless offline)
   * fsyncs everything including the active segment's indexes. Returns false when offline.
   */
  async flushForClose(): Promise<boolean> {
    if (this.flushInFlight) await this.flushInFlight.catch(() => undefined);
    if (this.failure) return false;
    await this.flushOnce();
    await this.segments.active.flush(true);
    return true;
  }

  // ------------------------------------------------------------------ read

  /**
   * Whole batches from the one containing `fetchOffset`, at most `maxBytes` (see
   * LogSegment.read for `minOneBatch`), only batches entirely below `cap`, from a single
   * segment (like Kafka). Null when there is nothing to return; SEGMENTS_CHANGED when a
   * segment was deleted or replaced under the read (retention, compaction swap).
   */
  async read(
    fetchOffset: number,
    maxBytes: number,
    cap: number,
    minOneBatch: boolean,
  ): Promise<SegmentReadResult | null | typeof SEGMENTS_CHANGED> {
    const segs = this.segments.all;
    let i = this.segments.floorIndex(fetchOffset);
    if (i < 0) i = 0;
    for (; i < segs.length; i++) {
      const seg = segs[i];
      if (seg.baseOffset >= cap) break;
      seg.retain();
      try {
        if (seg.isDeleted) return SEGMENTS_CHANGED;
        const res = await seg.read(fetchOffset, maxBytes, cap, minOneBatch);
        if (res) return res;
      } catch (err) {
        if (!(err instanceof CorruptBatchError)) throw err;
        // Reported (logged, listed) and answered CORRUPT_MESSAGE, unless an operator
        // quarantined the range: then the read steps over it.
        const segmentEnd = i + 1 < segs.length ? segs[i + 1].baseOffset : this.nextOffset;
        const range = this.corruptRanges.report(err, segmentEnd);
        if (range.quarantinedAtMs === null || range.toOffset < fetchOffset) throw err;
        fetchOffset = range.toOffset + 1;
        if (fetchOffset >= cap) return null;
        i = Math.max(this.segments.floorIndex(fetchOffset), i) - 1;
      } finally {
        seg.release();
      }
    }
    return null;
  }

  /** Largest batch timestamp in the log, -1 when it holds no batch (ListOffsets MAX_TIMESTAMP). */
  async largestTimestamp(): Promise<number> {
    let max = -1;
    for (const s of this.segments.all) {
      if (s.isEmpty) continue;
      const t = await s.largestTimestamp();
      if (t > max) max = t;
    }
    return max;
  }

  /**
   * The first record at or after `startingOffset` whose timestamp >= `timestamp`
   * (ListOffsets by time), null if none. Searches, oldest first, the segments whose largest
   * timestamp reaches it; decodes only the batch that holds the answer.
   */
  async findOffsetByTimestamp(timestamp: number, startingOffset: number): Promise<TimestampAndOffset | null> {
    for (const seg of this.segments.all) {
      if (seg.isEmpty) continue;
      seg.retain();
      try {
        if (seg.isDeleted || (await seg.largestTimestamp()) < timestamp) continue;
        const found = await seg.findOffsetByTimestamp(timestamp, startingOffset);
        if (found) return found;
      } finally {
        seg.release();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ truncation, deletion, swap

  /**
   * Removes every batch containing offsets >= `offset` (the caller checked that
   * first segment base < offset < log end offset); the log end offset becomes `offset`,
   * or the start of the batch straddling it.
   */
  async truncateTo(offset: number): Promise<void> {
    for (const s of this.segments.removeFrom(offset)) await s.markDeleted();
    const active = this.segments.active;
    await active.truncateTo(offset);
    this.nextOffset = Math.min(await active.nextOffset(), offset);
    if (this.flushedOffset > this.nextOffset) this.flushedOffset = this.nextOffset;
    await active.flush();
  }

  /** Deletes every segment and restarts empty at `offset`. */
  async truncateFullyAndStartAt(offset: number): Promise<void> {
    const seg = await LogSegment.create(this.dir, offset, segmentOptionsFor(this.cfg, this.io));
    const old = this.segments.reset([seg]);
    for (const s of old) if (s !== seg) await s.markDeleted();
    this.nextOffset = offset;
    this.flushedOffset = offset;
    this.unflushedMessages = 0;
  }

  /** Deletes the first `n` segments (never the active one). */
  async deleteOldestSegments(n: number): Promise<{ count: number; bytes: number }> {
    n = Math.min(n, this.segments.count - 1);
    if (n <= 0) return { count: 0, bytes: 0 };
    let bytes = 0;
    for (const s of this.segments.removeOldest(n)) {
      bytes += s.size;
      await s.markDeleted();
    }
    return { count: n, bytes };
  }

  /**
   * Replaces the consecutive segments `old` (still the live ones) by `cleaned`, which has
   * been written and renamed to `<base>.log<swapSuffix>` (committed). Crash-safe sequence:
   * old files -> `.deleted`, swap files -> final names. False when `old` changed meanwhile.
   */
  async replaceSegments(old: readonly LogSegment[], cleaned: LogSegment, swapSuffix: string): Promise<boolean> {
    // Readers switch to the cleaned segment first (it is readable under any file name).
    if (!this.segments.replaceRange(old, cleaned)) return false;
    for (const s of old) await s.markDeleted();
    await cleaned.renameFiles(swapSuffix, '');
    return true;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Closes every segment's files (no flush). */
  async close(): Promise<void> {
    for (const s of this.segments.all) await s.close();
  }

  /** Closes every segment's files (no flush) and forgets them: the log has no segments. */
  async closeAndForget(): Promise<void> {
    await this.close();
    this.segments.reset([]);
  }

  /** Removes the partition directory and everything in it. */
  async removeDir(): Promise<void> {
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}
