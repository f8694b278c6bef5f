import { errorMessage } from '@millrace/app-common';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as protocol from '@millrace/protocol';
import { scanBatches, ScanStep } from './batch-scanner';
import { KafkaStorageError } from './errors';
import { indexProblem } from './index-sanity';
import { DELETED_SUFFIX, indexFilePath, logFilePath, timeIndexFilePath } from './log-file-names';
import type { TimestampAndOffset } from './log-types';
import { OffsetIndex } from './offset-index';
import { SegmentIndexes } from './segment-indexes';
import { SegmentTailCache } from './segment-tail-cache';
import { AppendedBatchInfo, INDEX_PERSIST_EVERY_ENTRIES, SegmentOptions, TAIL_CACHE_BYTES } from './segment-options';
import {
  BatchLocation,
  findBatch,
  findBatchByTimestamp,
  findOffsetByTimestamp,
  largestTimestamp,
  ReadableSegment,
  readBatches,
  scanNextOffset,
  SegmentReadResult,
} from './segment-read';
import { recoverSegment, SegmentRecoveryResult } from './segment-recovery';
import { openReadWrite, readFully, unlinkIfExists, writeFully } from './storage-io';
import { TimeIndex } from './time-index';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { BATCH_HEADER_SIZE, readBatchHeader } = protocol;

export type { BatchLocation, SegmentReadResult } from './segment-read';
export type { SegmentRecoveryResult } from './segment-recovery';
export { type AppendedBatchInfo, type SegmentOptions, segmentOptionsFor } from './segment-options';

/**
 * One segment of a partition log: `<base>.log` + `<base>.index` + `<base>.timeindex`.
 *
 * `.log` format: RecordBatch v2 batches back to back, no file header, no padding; the
 * file length is the sum of the batch sizes. Each batch (big-endian; full table in
 * libs/protocol/src/record/batch-header.ts):
 *
 *   offset  size  field
 *   0       8     baseOffset            int64   REWRITTEN by the broker (offset assignment)
 *   8       4     batchLength           int32   bytes after this field; batch size = batchLength + 12
 *   12      4     partitionLeaderEpoch  int32   REWRITTEN by the broker (leader epoch)
 *   16      1     magic                 int8    2
 *   17      4     crc                   uint32  CRC-32C of bytes [21, end): unaffected by the two rewrites
 *   21      2     attributes            int16   (LogAppendTime topics: bit 3 set by the broker)
 *   23      4     lastOffsetDelta       int32
 *   27      8     baseTimestamp         int64
 *   35      8     maxTimestamp          int64   (LogAppendTime topics: broker time, CRC recomputed)
 *   43      8     producerId            int64
 *   51      2     producerEpoch         int16
 *   53      4     baseSequence          int32
 *   57      4     recordsCount          int32
 *   61      ...   records, as produced (possibly compressed)
 *
 * Batch base offsets strictly increase; gaps are allowed (compaction). See
 * offset-index.ts and time-index.ts for the index formats, segment-indexes.ts for when
 * entries are added, segment-read.ts for the read path and segment-recovery.ts for the
 * checks crash recovery makes.
 *
 * Invariants:
 *  - `size` is the committed length: every byte below it belongs to a whole batch that was
 *    fully written; readers never look past it. Appends write at `size` and advance it
 *    only once the write completed.
 *  - Index entries only reference positions < size.
 *  - Relative offsets (offset - baseOffset) fit an int32 (the log rolls before they don't).
 *
 * Concurrency contract: append/truncate/flush/close/delete are called by the owning
 * UnifiedLog (through its LocalLog) under its mutex (never concurrently with each other). Reads may run at any
 * time, concurrently with an append (they see the previous `size`). A reader brackets its
 * use with retain()/release(); deleting a segment renames its files to `*.deleted` at
 * once and closes + unlinks them when the last reader released it.
 */
export class LogSegment implements ReadableSegment {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private readonly indexes: SegmentIndexes;
  private handle: FileHandle | null;
  private committed: number;
  private readonly created = Date.now();
  private refs = 0;
  private deleted = false;
  private closed = false;
  /** Offset after the last batch, when known (always known for the active segment). */
  private cachedNextOffset: number | null = null;
  private dirty = false;
  private readonly tail = new SegmentTailCache(TAIL_CACHE_BYTES);
  /**
   * Bytes [0, verifiedUpTo) passed the batch checks (CRC-32C, length, magic, offsets)
   * since this process opened the segment: on a read, by the scrubber, by recovery, or
   * were appended after the append validation checked them. Reads check only beyond it
   * (segment-read.ts), so each stored batch is verified once per open, not per fetch.
   */
  verifiedUpTo = 0;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    handle: FileHandle,
    size: number,
    offsetIndex: OffsetIndex,
    timeIndex: TimeIndex,
    private readonly opts: SegmentOptions,
    private logPath: string,
  ) {
    this.handle = handle;
    this.committed = size;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.indexes = new SegmentIndexes(offsetIndex, timeIndex, baseOffset, opts.indexIntervalBytes);
  }

  /** Opens (or creates, when missing) the segment files. Indexes load lazily. */
  static async open(dir: string, baseOffset: number, opts: SegmentOptions, fileSuffix = ''): Promise<LogSegment> {
    const logPath = logFilePath(dir, baseOffset) + fileSuffix;
    const handle = await openReadWrite(logPath);
    const { size } = await handle.stat();
    const offsetIndex = new OffsetIndex(indexFilePath(dir, baseOffset) + fileSuffix, baseOffset, opts.maxIndexBytes);
    const timeIndex = new TimeIndex(timeIndexFilePath(dir, baseOffset) + fileSuffix, baseOffset, opts.maxIndexBytes);
    return new LogSegment(dir, baseOffset, handle, size, offsetIndex, timeIndex, opts, logPath);
  }

  /** Creates a fresh empty segment, discarding any files left with that name. */
  static async create(dir: string, baseOffset: number, opts: SegmentOptions, fileSuffix = ''): Promise<LogSegment> {
    await unlinkIfExists(logFilePath(dir, baseOffset) + fileSuffix);
    await unlinkIfExists(indexFilePath(dir, baseOffset) + fileSuffix);
    await unlinkIfExists(timeIndexFilePath(dir, baseOffset) + fileSuffix);
    const seg = await LogSegment.open(dir, baseOffset, opts, fileSuffix);
    await seg.indexes.load();
    await seg.offsetIndex.ensureFile();
    await seg.timeIndex.ensureFile();
    seg.cachedNextOffset = baseOffset;
    return seg;
  }

  get path(): string {
    return this.logPath;
  }

  /** Committed size of the .log file in bytes. */
  get size(): number {
    return this.committed;
  }

  get isEmpty(): boolean {
    return this.committed === 0;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  /** True when appends since the last flush() are not yet fsynced. */
  get hasUnflushedData(): boolean {
    return this.dirty;
  }

  get createdAtMs(): number {
    return this.created;
  }

  /** maxTimestamp of the first batch, null for an empty segment. */
  get firstBatchTimestamp(): number | null {
    return this.indexes.firstBatchTimestamp;
  }

  get indexIntervalBytes(): number {
    return this.opts.indexIntervalBytes;
  }

  /** True when either index has no room left: nothing more may be appended. */
  get indexesFull(): boolean {
    return this.indexes.isFull;
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    this.refs--;
    if (this.refs === 0 && this.deleted) void this.destroy();
  }

  // ---------------------------------------------------------------- loading

  /** Loads both indexes and the in-memory tail state (active segment, recovery). */
  async loadState(): Promise<void> {
    await this.indexes.loadWithRunningMax();
    if (this.committed > 0) {
      const first = await this.readHeaderAt(0);
      this.indexes.firstBatchTimestamp = first ? first.maxTimestamp : null;
    }
  }

  /** Why the index files cannot be trusted, null when they pass (index-sanity.ts). */
  indexProblem(): Promise<string | null> {
    return indexProblem(this, () => this.nextOffset());
  }

  /** Offset after the last batch of this segment (scans from the last index entry once). */
  async nextOffset(): Promise<number> {
    if (this.cachedNextOffset === null) this.cachedNextOffset = await scanNextOffset(this, this.baseOffset);
    return this.cachedNextOffset;
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends `buffers` (whole batches carrying their final offsets, described in order by
   * `batches`) at the end of the file with one writev, then updates the indexes in memory;
   * their files are written every INDEX_PERSIST_EVERY_ENTRIES entries and on flush, roll
   * and close. Not durable until flush(). The bytes also go to the tail cache.
   */
  async append(buffers: readonly Buffer[], batches: readonly AppendedBatchInfo[]): Promise<void> {
    const h = this.requireHandle();
    const start = this.committed;
    try {
      await writeFully(h, buffers, start);
    } catch (err) {
      // Drop whatever part of the write landed so the file ends at a batch boundary.
      await h.truncate(start).catch(() => undefined);
      throw new KafkaStorageError(`write to ${this.logPath} failed: ${errorMessage(err)}`, err);
    }
    await this.indexes.load();
    let pos = start;
    for (const b of batches) {
      this.indexes.onBatch(b.baseOffset, b.maxTimestamp, pos, b.size);
      pos += b.size;
      this.cachedNextOffset = b.lastOffset + 1;
    }
    if (this.verifiedUpTo === start) this.verifiedUpTo = pos;
    this.tail.onAppend(start, buffers, pos - start);
    this.committed = pos;
    this.dirty = true;
    await this.indexes.persistIfBehind(INDEX_PERSIST_EVERY_ENTRIES);
  }

  /** Kafka's time-based roll check: (incoming timestamp or now) - first batch timestamp. */
  timeWaitedForRoll(nowMs: number, incomingMaxTimestamp: number): number {
    const t = this.indexes.firstBatchTimestamp;
    if (t !== null && t >= 0) return incomingMaxTimestamp - t;
    return nowMs - this.created;
  }

  // ---------------------------------------------------------------- read (segment-read.ts)

  /** Position and header of the first batch whose lastOffset >= `offset`, null if none below `end`. */
  findBatch(offset: number, end = this.committed): Promise<BatchLocation | null> {
    return findBatch(this, offset, end);
  }

  /** Whole batches from the one containing `startOffset`; see segment-read.ts readBatches. */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number = Number.MAX_SAFE_INTEGER,
    minOneBatch = true,
  ): Promise<SegmentReadResult | null> {
    return readBatches(this, startOffset, maxBytes, maxOffsetExclusive, minOneBatch);
  }

  /** First batch whose maxTimestamp >= `timestamp` at or after `startingOffset`, null if none. */
  findBatchByTimestamp(timestamp: number, startingOffset: number): Promise<BatchLocation | null> {
    return findBatchByTimestamp(this, timestamp, startingOffset);
  }

  /** First record at or after `startingOffset` whose timestamp >= `timestamp`, null if none. */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): Promise<TimestampAndOffset | null> {
    return findOffsetByTimestamp(this, timestamp, startingOffset);
  }

  /** Bytes [position, position+size) of the file (from the tail cache when it holds them). */
  readAt(position: number, size: number): Promise<Buffer> {
    const cached = this.tail.read(position, size, this.committed);
    if (cached !== null) return Promise.resolve(cached);
    return readFully(this.requireHandle(), position, size);
  }

  /** Batches from `from` to the committed end; see batch-scanner.ts. */
  scan(from = 0, withBodies = false, end = this.committed): AsyncGenerator<ScanStep> {
    return scanBatches(this.requireHandle(), { from, end, withBodies });
  }

  /** Largest batch timestamp in the segment (running maximum, time index, headers, else file mtime), for retention. */
  largestTimestamp(): Promise<number> {
    return largestTimestamp(this, this.indexes.maxTimestamp);
  }

  /** Last-modified time of the .log file. */
  async modifiedAtMs(): Promise<number> {
    return (await this.requireHandle().stat()).mtimeMs;
  }

  private async readHeaderAt(position: number): Promise<ReturnType<typeof readBatchHeader> | null> {
    if (position + BATCH_HEADER_SIZE > this.committed) return null;
    const buf = await readFully(this.requireHandle(), position, BATCH_HEADER_SIZE);
    return buf.length < BATCH_HEADER_SIZE ? null : readBatchHeader(buf, 0);
  }

  // ---------------------------------------------------------------- recovery / truncation

  /**
   * Re-validates batches from byte `fromPosition` (a batch boundary: 0 or an offset-index
   * entry) to the end of the file and cuts the first invalid batch and everything after
   * it; see segment-recovery.ts.
   */
  async recover(fromPosition: number, minNextOffset: number, sealed = false): Promise<SegmentRecoveryResult> {
    const r = await recoverSegment(this, this.indexes, fromPosition, minNextOffset, sealed);
    if (!r.indexMismatch && r.keptCorrupt === null && fromPosition <= this.verifiedUpTo) this.verifiedUpTo = r.validBytes;
    return r;
  }

  /**
   * Removes every batch containing offsets >= `offset` (batches are atomic: a batch
   * straddling `offset` goes too). Returns the number of bytes removed.
   */
  async truncateTo(offset: number): Promise<number> {
    await this.loadState();
    const loc = await this.findBatch(offset);
    if (!loc) return 0;
    const cutAt = loc.position; // the batch containing `offset`, or the first one after it
    const removed = this.committed - cutAt;
    await this.cutTo(cutAt, cutAt === 0 ? this.baseOffset : loc.baseOffset);
    await this.offsetIndex.truncateToOffset(loc.baseOffset);
    await this.offsetIndex.truncateToPosition(cutAt);
    await this.timeIndex.truncateToOffset(loc.baseOffset);
    this.indexes.restoreFromTimeIndex();
    if (cutAt === 0) this.indexes.firstBatchTimestamp = null;
    this.dirty = true;
    return removed;
  }

  /**
   * Cuts the .log file at `size` (a batch boundary) when it is longer; the committed size
   * becomes `size` and the offset after the last batch `nextOffset`. Indexes are the
   * caller's to cut. Returns the bytes removed from the file.
   */
  async cutTo(size: number, nextOffset: number): Promise<number> {
    const h = this.requireHandle();
    const removed = (await h.stat()).size - size;
    if (removed > 0) await h.truncate(size);
    this.tail.clear();
    this.committed = size;
    this.verifiedUpTo = Math.min(this.verifiedUpTo, size);
    this.cachedNextOffset = nextOffset;
    return removed;
  }

  /**
   * Drops both indexes and rebuilds them with a full recovery scan from position 0;
   * `sealed` (a non-active segment) cuts nothing, see segment-recovery.ts.
   */
  async rebuildIndexes(sealed = false): Promise<SegmentRecoveryResult> {
    await this.indexes.reset();
    return this.recover(0, this.baseOffset, sealed);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * fsyncs the .log file. Index entries are written (page cache) but fsynced only with
   * `withIndexes` (roll, close): crash recovery re-validates the active segment's tail and
   * rebuilds its indexes when they do not match, so the per-append durability path pays
   * a single fsync.
   */
  async flush(withIndexes = false): Promise<void> {
    const h = this.requireHandle();
    this.dirty = false;
    try {
      await this.opts.io.sync(h);
      if (withIndexes) await this.indexes.sync(this.opts.io);
      else await this.indexes.persist();
    } catch (err) {
      this.dirty = true;
      throw new KafkaStorageError(`fsync of ${this.logPath} failed: ${errorMessage(err)}`, err);
    }
  }

  /**
   * Called when the segment stops being the active one: writes the final time index entry
   * (Kafka does the same so retention can read the largest timestamp), fsyncs, and drops
   * the index write handles.
   */
  async onBecomeInactive(): Promise<void> {
    await this.timeIndex.load();
    this.indexes.appendFinalTimeEntry();
    await this.flush(true);
    await this.indexes.closeHandles();
    this.tail.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tail.clear();
    if (!this.deleted && this.timeIndex.isLoaded) this.indexes.appendFinalTimeEntry();
    await this.indexes.persistQuietly();
    await this.indexes.closeHandles();
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }

  /** Renames the three files by appending `suffix` (e.g. `.deleted`) or removing `fromSuffix`. */
  async renameFiles(fromSuffix: string, toSuffix: string): Promise<void> {
    const base = (p: string): string => (fromSuffix && p.endsWith(fromSuffix) ? p.slice(0, -fromSuffix.length) : p);
    const newLog = base(this.logPath) + toSuffix;
    await fsp.rename(this.logPath, newLog);
    this.logPath = newLog;
    await this.offsetIndex.renameTo(base(this.offsetIndex.path) + toSuffix);
    await this.timeIndex.renameTo(base(this.timeIndex.path) + toSuffix);
  }

  /**
   * Schedules deletion: renames the files to `*.deleted` now (so a restart finishes the
   * job), unlinks them once no reader holds the segment.
   */
  async markDeleted(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await this.indexes.persistQuietly();
    await this.renameFiles('', DELETED_SUFFIX);
    if (this.refs === 0) await this.destroy();
  }

  private async destroy(): Promise<void> {
    await this.close();
    await unlinkIfExists(this.logPath);
    await this.indexes.delete();
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new KafkaStorageError(`segment ${this.logPath} is closed`);
    return this.handle;
  }
}
