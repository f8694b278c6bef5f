import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { BATCH_HEADER_SIZE, batchCrcIsValid, decodeBatch, LOG_OVERHEAD, readBatchHeader } from '@millrace/protocol';
import { scanBatches, ScanStep } from './batch-scanner';
import { KafkaStorageError } from './errors';
import {
  DELETED_SUFFIX,
  indexFilePath,
  logFilePath,
  timeIndexFilePath,
} from './log-file-names';
import type { LogConfig } from './log-config';
import type { TimestampAndOffset } from './log-types';
import { OffsetIndex } from './offset-index';
import { openReadWrite, readFully, StorageIo, unlinkIfExists, writeFully } from './storage-io';
import { TimeIndex } from './time-index';

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
 * offset-index.ts and time-index.ts for the index formats.
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
export interface SegmentOptions {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  io: StorageIo;
}

/** The segment options a topic config asks for (index.interval.bytes, segment.index.bytes). */
export function segmentOptionsFor(config: LogConfig, io: StorageIo): SegmentOptions {
  return { indexIntervalBytes: config.indexIntervalBytes, maxIndexBytes: config.segmentIndexBytes, io };
}

/** Header facts of a batch being appended (the caller already parsed them). */
export interface AppendedBatchInfo {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

export interface SegmentReadResult {
  /** Whole batches, back to back. */
  records: Buffer;
  /** baseOffset of the first batch returned. */
  firstOffset: number;
  /** lastOffset of the last batch returned. */
  lastOffset: number;
  /** File position of the first batch returned. */
  position: number;
}

export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface SegmentRecoveryResult {
  /** Bytes of whole valid batches kept. */
  validBytes: number;
  /** Bytes cut from the tail. */
  truncatedBytes: number;
  /** Batches checked (from the recovery start position). */
  batchesChecked: number;
  /** Offset after the last valid batch (segment base when empty). */
  nextOffset: number;
  /** Why the tail was cut, when it was. */
  reason: string | null;
  /**
   * The index entry recovery started from did not point at the batch it recorded; nothing
   * was changed and the caller must rebuild from position 0 (rebuildIndexes()).
   */
  indexMismatch: boolean;
}

const INT32_MAX = 2147483647;

export class LogSegment {
  private handle: FileHandle | null;
  private committed: number;
  private bytesSinceLastIndexEntry = 0;
  private maxTimestampSoFar = -1;
  private offsetOfMaxTimestampSoFar: number;
  /** maxTimestamp of the first batch; segment.ms is measured from it (Kafka's rule). */
  private rollingBasedTimestamp: number | null = null;
  private readonly created = Date.now();
  private refs = 0;
  private deleted = false;
  private closed = false;
  /** Offset after the last batch, when known (always known for the active segment). */
  private cachedNextOffset: number | null = null;
  private dirty = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    handle: FileHandle,
    size: number,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly opts: SegmentOptions,
    private logPath: string,
  ) {
    this.handle = handle;
    this.committed = size;
    this.offsetOfMaxTimestampSoFar = baseOffset;
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
    await seg.offsetIndex.load();
    await seg.timeIndex.load();
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
    return this.rollingBasedTimestamp;
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
    await this.offsetIndex.load();
    await this.timeIndex.load();
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime) {
      this.maxTimestampSoFar = lastTime.timestamp;
      this.offsetOfMaxTimestampSoFar = lastTime.offset;
    }
    if (this.committed > 0) {
      const first = await this.readHeaderAt(0);
      this.rollingBasedTimestamp = first ? first.maxTimestamp : null;
    }
  }

  /** Index files look consistent with the log (Kafka's sanityCheck). */
  async indexesAreSane(): Promise<boolean> {
    await this.offsetIndex.load();
    await this.timeIndex.load();
    return this.offsetIndex.isSane(Math.max(this.committed, 1)) && this.timeIndex.isSane();
  }

  /** Offset after the last batch of this segment (scans from the last index entry once). */
  async nextOffset(): Promise<number> {
    if (this.cachedNextOffset !== null) return this.cachedNextOffset;
    await this.offsetIndex.load();
    const start = this.offsetIndex.lastEntry()?.position ?? 0;
    let next = this.baseOffset;
    for await (const step of this.scan(start, false)) {
      if (step.kind !== 'batch') break;
      next = step.header.baseOffset + step.header.lastOffsetDelta + 1;
    }
    this.cachedNextOffset = next;
    return next;
  }

  // ---------------------------------------------------------------- append

  /**
   * Appends `buffers` (whole batches carrying their final offsets, described in order by
   * `batches`) at the end of the file with one writev, then updates the indexes (one write
   * per index file). Not durable until flush().
   */
  async append(buffers: readonly Buffer[], batches: readonly AppendedBatchInfo[]): Promise<void> {
    const h = this.requireHandle();
    const start = this.committed;
    try {
      await writeFully(h, buffers, start);
    } catch (err) {
      // Drop whatever part of the write landed so the file ends at a batch boundary.
      await h.truncate(start).catch(() => undefined);
      throw new KafkaStorageError(`write to ${this.logPath} failed: ${(err as Error).message}`, err);
    }
    await this.offsetIndex.load();
    await this.timeIndex.load();
    let pos = start;
    for (const b of batches) {
      if (b.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.baseOffset;
      }
      if (this.rollingBasedTimestamp === null) this.rollingBasedTimestamp = b.maxTimestamp;
      if (this.bytesSinceLastIndexEntry > this.opts.indexIntervalBytes) {
        this.offsetIndex.append(b.baseOffset, pos);
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += b.size;
      pos += b.size;
      this.cachedNextOffset = b.lastOffset + 1;
    }
    this.committed = pos;
    this.dirty = true;
    await this.offsetIndex.persist();
    await this.timeIndex.persist();
  }

  /** Whether `batches` of `bytes` total can be appended without breaking segment limits. */
  canAppend(bytes: number, lastOffset: number, maxSegmentBytes: number): boolean {
    if (this.committed > 0 && this.committed + bytes > maxSegmentBytes) return false;
    if (this.committed + bytes > INT32_MAX) return false;
    if (lastOffset - this.baseOffset > INT32_MAX) return false;
    if (this.offsetIndex.isLoaded && this.offsetIndex.isFull) return false;
    if (this.timeIndex.isLoaded && this.timeIndex.isFull) return false;
    return true;
  }

  /** Kafka's time-based roll check: (incoming timestamp or now) - first batch timestamp. */
  timeWaitedForRoll(nowMs: number, incomingMaxTimestamp: number): number {
    const t = this.rollingBasedTimestamp;
    if (t !== null && t >= 0) return incomingMaxTimestamp - t;
    return nowMs - this.created;
  }

  // ---------------------------------------------------------------- read

  /**
   * Position and header of the first batch whose lastOffset >= `offset`, null if none in
   * this segment (below `end`, default the committed size).
   */
  async findBatch(offset: number, end = this.committed): Promise<BatchLocation | null> {
    await this.offsetIndex.load();
    const start = this.offsetIndex.lookup(offset).position;
    for await (const step of this.scan(start, false, end)) {
      if (step.kind !== 'batch') return null;
      const last = step.header.baseOffset + step.header.lastOffsetDelta;
      if (last >= offset) {
        return {
          position: step.position,
          size: step.size,
          baseOffset: step.header.baseOffset,
          lastOffset: last,
          maxTimestamp: step.header.maxTimestamp,
        };
      }
    }
    return null;
  }

  /**
   * Whole batches starting with the one containing `startOffset` (or the first after it),
   * up to `maxBytes` total, and only batches whose lastOffset < `maxOffsetExclusive`.
   * When `minOneBatch`, the first batch is returned even if larger than `maxBytes`.
   * Usually a single positional read (the index puts the start within
   * index.interval.bytes of the target).
   */
  async read(
    startOffset: number,
    maxBytes: number,
    maxOffsetExclusive: number = Number.MAX_SAFE_INTEGER,
    minOneBatch = true,
  ): Promise<SegmentReadResult | null> {
    const end = this.committed;
    const h = this.requireHandle();
    await this.offsetIndex.load();
    const indexPos = this.offsetIndex.lookup(startOffset).position;
    if (indexPos >= end) return null;

    // 1. One read that covers the index gap plus maxBytes: find the target batch in it.
    const windowLen = Math.min(end - indexPos, this.opts.indexIntervalBytes + Math.max(maxBytes, 16384) + BATCH_HEADER_SIZE);
    const win = await readFully(h, indexPos, windowLen);
    let pos = indexPos;
    let found = false;
    while (pos + BATCH_HEADER_SIZE <= indexPos + win.length) {
      const o = pos - indexPos;
      const size = win.readInt32BE(o + 8) + LOG_OVERHEAD;
      if (size < BATCH_HEADER_SIZE) throw new KafkaStorageError(`corrupt batch length at ${this.logPath}:${pos}`);
      const last = Number(win.readBigInt64BE(o)) + win.readInt32BE(o + 23);
      if (last >= startOffset) {
        found = true;
        break;
      }
      pos += size;
    }
    if (!found) {
      // Rare: batches bigger than the window between the index entry and the target.
      const loc = await this.findBatch(startOffset, end);
      if (!loc) return null;
      pos = loc.position;
    }
    if (pos >= end) return null;

    // 2. The bytes from the target batch on: reuse the window when it covers them.
    const want = Math.min(maxBytes, end - pos);
    let data: Buffer;
    const inWin = pos - indexPos;
    if (found && inWin + Math.max(want, BATCH_HEADER_SIZE) <= win.length) {
      data = win.subarray(inWin, inWin + Math.max(want, Math.min(BATCH_HEADER_SIZE, end - pos)));
    } else {
      data = await readFully(h, pos, Math.max(want, Math.min(BATCH_HEADER_SIZE, end - pos)));
    }

    // 3. Keep whole batches within maxBytes and below maxOffsetExclusive.
    let cut = 0;
    let firstOffset = -1;
    let lastOffset = -1;
    while (cut + BATCH_HEADER_SIZE <= data.length) {
      const size = data.readInt32BE(cut + 8) + LOG_OVERHEAD;
      const base = Number(data.readBigInt64BE(cut));
      const last = base + data.readInt32BE(cut + 23);
      if (last >= maxOffsetExclusive) break;
      if (cut + size > Math.min(data.length, want)) {
        if (cut === 0 && minOneBatch) {
          // Kafka semantics: the first batch is returned whole even above maxBytes.
          data = size <= data.length ? data : await readFully(h, pos, size);
          if (data.length < size) return null;
          firstOffset = base;
          lastOffset = last;
          cut = size;
        }
        break;
      }
      if (firstOffset < 0) firstOffset = base;
      lastOffset = last;
      cut += size;
    }
    if (cut === 0) return null;
    let records = data.subarray(0, cut);
    // Do not pin a large window for a small answer.
    if (records.buffer.byteLength > 2 * records.length && records.length < 1 << 20) records = Buffer.from(records);
    return { records, firstOffset, lastOffset, position: pos };
  }

  /**
   * First batch whose maxTimestamp >= `timestamp` (ListOffsets by time), null if none.
   * Starts from the time index, then scans headers only.
   */
  async findBatchByTimestamp(timestamp: number, startingOffset: number): Promise<BatchLocation | null> {
    await this.timeIndex.load();
    await this.offsetIndex.load();
    const fromTime = this.timeIndex.lookupBefore(timestamp).offset;
    const from = Math.max(fromTime, startingOffset);
    const start = this.offsetIndex.lookup(from).position;
    for await (const step of this.scan(start, false)) {
      if (step.kind !== 'batch') return null;
      const h = step.header;
      const last = h.baseOffset + h.lastOffsetDelta;
      if (last >= startingOffset && h.maxTimestamp >= timestamp) {
        return { position: step.position, size: step.size, baseOffset: h.baseOffset, lastOffset: last, maxTimestamp: h.maxTimestamp };
      }
    }
    return null;
  }

  /**
   * The first record at or after `startingOffset` whose timestamp >= `timestamp` (Kafka's
   * findOffsetByTimestamp), null if none in this segment. Decodes only the batches that
   * may hold it (usually one).
   */
  async findOffsetByTimestamp(timestamp: number, startingOffset: number): Promise<TimestampAndOffset | null> {
    let from = startingOffset;
    while (true) {
      const loc = await this.findBatchByTimestamp(timestamp, from);
      if (!loc) return null;
      const decoded = decodeBatch(await this.readAt(loc.position, loc.size), 0, { verifyCrc: false });
      for (const r of decoded.records) {
        if (r.offset >= startingOffset && r.timestamp >= timestamp) return { offset: r.offset, timestamp: r.timestamp };
      }
      from = loc.lastOffset + 1;
    }
  }

  /** Bytes [position, position+size) of the file. */
  async readAt(position: number, size: number): Promise<Buffer> {
    return readFully(this.requireHandle(), position, size);
  }

  /** Batches from `from` to the committed end; see batch-scanner.ts. */
  scan(from = 0, withBodies = false, end = this.committed): AsyncGenerator<ScanStep> {
    return scanBatches(this.requireHandle(), { from, end, withBodies });
  }

  /** Largest batch timestamp in the segment (time index, else file mtime), for retention. */
  async largestTimestamp(): Promise<number> {
    if (this.maxTimestampSoFar >= 0) return this.maxTimestampSoFar;
    await this.timeIndex.load();
    const last = this.timeIndex.lastEntry();
    if (last) return last.timestamp;
    if (this.committed > 0) {
      // No index entry yet (small segment): the headers are few, scan them.
      let max = -1;
      for await (const step of this.scan(0, false)) {
        if (step.kind !== 'batch') break;
        if (step.header.maxTimestamp > max) max = step.header.maxTimestamp;
      }
      if (max >= 0) return max;
    }
    const st = await this.requireHandle().stat();
    return st.mtimeMs;
  }

  private async readHeaderAt(position: number): Promise<ReturnType<typeof readBatchHeader> | null> {
    if (position + BATCH_HEADER_SIZE > this.committed) return null;
    const buf = await readFully(this.requireHandle(), position, BATCH_HEADER_SIZE);
    return buf.length < BATCH_HEADER_SIZE ? null : readBatchHeader(buf, 0);
  }

  // ---------------------------------------------------------------- recovery / truncation

  /**
   * Re-validates batches from byte `fromPosition` (a batch boundary, e.g. the last index
   * entry) to the end of the file: each batch must have a sane length, magic 2, a valid
   * CRC, a baseOffset >= `minNextOffset` and >= the previous batch's end. The first failure
   * and everything after it are truncated. Index entries at or after `fromPosition` are
   * rebuilt while scanning; `maxTimestampSoFar` is rebuilt from the surviving entries.
   */
  async recover(fromPosition: number, minNextOffset: number): Promise<SegmentRecoveryResult> {
    await this.offsetIndex.load();
    await this.timeIndex.load();
    // Keep index entries up to and including the one at fromPosition (it gets re-checked).
    await this.offsetIndex.truncateToPosition(fromPosition + 1);
    const anchor = this.offsetIndex.lastEntry();
    const fromOffset = fromPosition === 0 ? this.baseOffset : anchor && anchor.position === fromPosition ? anchor.offset : -1;
    if (fromOffset < 0) throw new KafkaStorageError(`recovery of ${this.logPath} must start at 0 or at an index entry`);
    await this.timeIndex.truncateToOffset(fromOffset);
    const lastTime = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = lastTime ? lastTime.timestamp : -1;
    this.offsetOfMaxTimestampSoFar = lastTime ? lastTime.offset : this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    if (fromPosition === 0) this.rollingBasedTimestamp = null;
    const indexedAt = anchor ? anchor.position : -1;
    let next = minNextOffset;
    let validEnd = fromPosition;
    let checked = 0;
    let reason: string | null = null;

    for await (const step of this.scan(fromPosition, true)) {
      if (fromPosition > 0 && step.position === fromPosition && (step.kind !== 'batch' || step.header.baseOffset !== fromOffset)) {
        // The index points at something that is not the batch it recorded: distrust it.
        return { validBytes: -1, truncatedBytes: 0, batchesChecked: 0, nextOffset: -1, reason: 'index mismatch', indexMismatch: true };
      }
      if (step.kind === 'partial') {
        reason = `partial batch (${step.available} of its bytes present)`;
        break;
      }
      if (step.kind === 'invalid-length') {
        reason = `invalid batch length ${step.batchLength}`;
        break;
      }
      const h = step.header;
      const bytes = step.bytes!;
      if (h.magic !== 2) {
        reason = `unsupported magic ${h.magic}`;
        break;
      }
      if (!batchCrcIsValid(bytes, 0, step.size)) {
        reason = 'CRC mismatch';
        break;
      }
      const last = h.baseOffset + h.lastOffsetDelta;
      if (h.baseOffset < next || h.baseOffset < this.baseOffset || h.lastOffsetDelta < 0 || last - this.baseOffset > INT32_MAX) {
        reason = `offset ${h.baseOffset} out of order (expected >= ${next})`;
        break;
      }
      checked++;
      if (this.rollingBasedTimestamp === null) this.rollingBasedTimestamp = h.maxTimestamp;
      if (h.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = h.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = h.baseOffset;
      }
      if (this.bytesSinceLastIndexEntry > this.opts.indexIntervalBytes && step.position > indexedAt) {
        this.offsetIndex.append(h.baseOffset, step.position);
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
        this.bytesSinceLastIndexEntry = 0;
      }
      this.bytesSinceLastIndexEntry += step.size;
      next = last + 1;
      validEnd = step.position + step.size;
    }
    const fileSize = (await this.requireHandle().stat()).size;
    const truncatedBytes = fileSize - validEnd;
    if (truncatedBytes > 0) {
      await this.requireHandle().truncate(validEnd);
      if (reason === null) reason = 'bytes beyond the last whole batch';
    }
    this.committed = validEnd;
    this.cachedNextOffset = validEnd === 0 ? this.baseOffset : next;
    await this.offsetIndex.truncateToPosition(validEnd);
    await this.timeIndex.truncateToOffset(this.cachedNextOffset);
    await this.offsetIndex.persist();
    await this.timeIndex.persist();
    return {
      validBytes: validEnd,
      truncatedBytes,
      batchesChecked: checked,
      nextOffset: this.cachedNextOffset,
      reason: truncatedBytes > 0 ? reason : null,
      indexMismatch: false,
    };
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
    await this.requireHandle().truncate(cutAt);
    this.committed = cutAt;
    await this.offsetIndex.truncateToOffset(loc.baseOffset);
    await this.offsetIndex.truncateToPosition(cutAt);
    await this.timeIndex.truncateToOffset(loc.baseOffset);
    const lastTime = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = lastTime ? lastTime.timestamp : -1;
    this.offsetOfMaxTimestampSoFar = lastTime ? lastTime.offset : this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    if (cutAt === 0) this.rollingBasedTimestamp = null;
    this.cachedNextOffset = cutAt === 0 ? this.baseOffset : loc.baseOffset;
    this.dirty = true;
    return removed;
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
      if (withIndexes) {
        await this.offsetIndex.sync(this.opts.io);
        await this.timeIndex.sync(this.opts.io);
      } else {
        await this.offsetIndex.persist();
        await this.timeIndex.persist();
      }
    } catch (err) {
      this.dirty = true;
      throw new KafkaStorageError(`fsync of ${this.logPath} failed: ${(err as Error).message}`, err);
    }
  }

  /**
   * Called when the segment stops being the active one: writes the final time index entry
   * (Kafka does the same so retention can read the largest timestamp), fsyncs, and drops
   * the index write handles.
   */
  async onBecomeInactive(): Promise<void> {
    await this.timeIndex.load();
    if (this.maxTimestampSoFar >= 0) {
      // Bypass the capacity check: the final entry must exist for retention.
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    }
    await this.flush(true);
    await this.offsetIndex.closeHandle();
    await this.timeIndex.closeHandle();
  }

  /** Drops both indexes and rebuilds them with a full recovery scan from position 0. */
  async rebuildIndexes(): Promise<SegmentRecoveryResult> {
    await this.offsetIndex.reset();
    await this.timeIndex.reset();
    return this.recover(0, this.baseOffset);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.deleted && this.timeIndex.isLoaded && this.maxTimestampSoFar >= 0) {
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    }
    await this.offsetIndex.persist().catch(() => undefined);
    await this.timeIndex.persist().catch(() => undefined);
    await this.offsetIndex.closeHandle();
    await this.timeIndex.closeHandle();
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
    await this.offsetIndex.persist().catch(() => undefined);
    await this.timeIndex.persist().catch(() => undefined);
    await this.renameFiles('', DELETED_SUFFIX);
    if (this.refs === 0) await this.destroy();
  }

  private async destroy(): Promise<void> {
    await this.close();
    await unlinkIfExists(this.logPath);
    await this.offsetIndex.delete();
    await this.timeIndex.delete();
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new KafkaStorageError(`segment ${this.logPath} is closed`);
    return this.handle;
  }
}
