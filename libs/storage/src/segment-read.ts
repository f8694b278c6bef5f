import * as protocol from '@millrace/protocol';
import type { ScanStep } from './batch-scanner';
import { KafkaStorageError } from './errors';
import type { TimestampAndOffset } from './log-types';
import type { OffsetIndex } from './offset-index';
import type { TimeIndex } from './time-index';

// Copied once: through the package index each use would be a getter call, and readBatches
// reads them for every batch it walks.
const { BATCH_HEADER_SIZE, BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, decodeBatch } = protocol;

/**
 * The read side of a segment (LogSegment delegates here): locating a batch by offset or
 * by timestamp through the indexes, and fetching whole batches. Batch headers are read in
 * place (baseOffset at 0, batchLength at 8, lastOffsetDelta at 23; batch-header.ts);
 * records are decoded only by findOffsetByTimestamp, for the batch that holds the answer.
 * Everything reads below the segment's committed size, so it may run beside an append.
 */
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

/** What the read functions use of a segment. */
export interface ReadableSegment {
  readonly path: string;
  /** Committed size of the .log file. */
  readonly size: number;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly indexIntervalBytes: number;
  readAt(position: number, size: number): Promise<Buffer>;
  scan(from?: number, withBodies?: boolean, end?: number): AsyncGenerator<ScanStep>;
  modifiedAtMs(): Promise<number>;
}

/** Offset after the last batch, scanning headers from the last offset-index entry; `baseOffset` when empty. */
export async function scanNextOffset(seg: ReadableSegment, baseOffset: number): Promise<number> {
  await seg.offsetIndex.load();
  const start = seg.offsetIndex.lastEntry()?.position ?? 0;
  let next = baseOffset;
  for await (const step of seg.scan(start, false)) {
    if (step.kind !== 'batch') break;
    next = step.header.baseOffset + step.header.lastOffsetDelta + 1;
  }
  return next;
}

/**
 * Largest batch timestamp in the segment, for retention and ListOffsets: `runningMax`
 * (the segment's in-memory maximum) when known, else the time index's last entry, else
 * the batch headers (a small segment has no index entry yet), else the file's mtime.
 */
export async function largestTimestamp(seg: ReadableSegment, runningMax: number): Promise<number> {
  if (runningMax >= 0) return runningMax;
  await seg.timeIndex.load();
  const last = seg.timeIndex.lastEntry();
  if (last) return last.timestamp;
  if (seg.size > 0) {
    let max = -1;
    for await (const step of seg.scan(0, false)) {
      if (step.kind !== 'batch') break;
      if (step.header.maxTimestamp > max) max = step.header.maxTimestamp;
    }
    if (max >= 0) return max;
  }
  return seg.modifiedAtMs();
}

/**
 * Position and header of the first batch whose lastOffset >= `offset`, null if none in
 * the segment below `end`.
 */
export async function findBatch(seg: ReadableSegment, offset: number, end: number): Promise<BatchLocation | null> {
  await seg.offsetIndex.load();
  const start = seg.offsetIndex.lookup(offset).position;
  for await (const step of seg.scan(start, false, end)) {
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
export async function readBatches(
  seg: ReadableSegment,
  startOffset: number,
  maxBytes: number,
  maxOffsetExclusive: number,
  minOneBatch: boolean,
): Promise<SegmentReadResult | null> {
  const end = seg.size;
  await seg.offsetIndex.load();
  const indexPos = seg.offsetIndex.lookup(startOffset).position;
  if (indexPos >= end) return null;

  // 1. One read that covers the index gap plus maxBytes: find the target batch in it.
  const windowLen = Math.min(end - indexPos, seg.indexIntervalBytes + Math.max(maxBytes, 16384) + BATCH_HEADER_SIZE);
  const win = await seg.readAt(indexPos, windowLen);
  let pos = indexPos;
  let found = false;
  while (pos + BATCH_HEADER_SIZE <= indexPos + win.length) {
    const o = pos - indexPos;
    const size = win.readInt32BE(o + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE) throw new KafkaStorageError(`corrupt batch length at ${seg.path}:${pos}`);
    const last = Number(win.readBigInt64BE(o)) + win.readInt32BE(o + LAST_OFFSET_DELTA_OFFSET);
    if (last >= startOffset) {
      found = true;
      break;
    }
    pos += size;
  }
  if (!found) {
    // Rare: batches bigger than the window between the index entry and the target.
    const loc = await findBatch(seg, startOffset, end);
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
    data = await seg.readAt(pos, Math.max(want, Math.min(BATCH_HEADER_SIZE, end - pos)));
  }

  // 3. Keep whole batches within maxBytes and below maxOffsetExclusive.
  let cut = 0;
  let firstOffset = -1;
  let lastOffset = -1;
  while (cut + BATCH_HEADER_SIZE <= data.length) {
    const size = data.readInt32BE(cut + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    const base = Number(data.readBigInt64BE(cut));
    const last = base + data.readInt32BE(cut + LAST_OFFSET_DELTA_OFFSET);
    if (last >= maxOffsetExclusive) break;
    if (cut + size > Math.min(data.length, want)) {
      if (cut === 0 && minOneBatch) {
        // Kafka semantics: the first batch is returned whole even above maxBytes.
        data = size <= data.length ? data : await seg.readAt(pos, size);
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
export async function findBatchByTimestamp(seg: ReadableSegment, timestamp: number, startingOffset: number): Promise<BatchLocation | null> {
  await seg.timeIndex.load();
  await seg.offsetIndex.load();
  const fromTime = seg.timeIndex.lookupBefore(timestamp).offset;
  const from = Math.max(fromTime, startingOffset);
  const start = seg.offsetIndex.lookup(from).position;
  for await (const step of seg.scan(start, false)) {
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
 * findOffsetByTimestamp), null if none in the segment. Decodes only the batches that may
 * hold it (usually one).
 */
export async function findOffsetByTimestamp(seg: ReadableSegment, timestamp: number, startingOffset: number): Promise<TimestampAndOffset | null> {
  let from = startingOffset;
  while (true) {
    const loc = await findBatchByTimestamp(seg, timestamp, from);
    if (!loc) return null;
    const decoded = decodeBatch(await seg.readAt(loc.position, loc.size), 0, { verifyCrc: false });
    for (const r of decoded.records) {
      if (r.offset >= startingOffset && r.timestamp >= timestamp) return { offset: r.offset, timestamp: r.timestamp };
    }
    from = loc.lastOffset + 1;
  }
}
