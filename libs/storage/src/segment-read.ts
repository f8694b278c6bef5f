import * as protocol from '@millrace/protocol';
import type { ScanStep } from './batch-scanner';
import { CorruptBatchError, firstBadBatch } from './corrupt-batch';
import type { TimestampAndOffset } from './log-types';
import type { OffsetIndex, OffsetPosition } from './offset-index';
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
  /** Bytes [0, verifiedUpTo) passed the batch checks since the segment was opened (or were appended after validation). */
  verifiedUpTo: number;
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
  const entry = seg.offsetIndex.lookup(offset);
  const fromIndex = entry.position > 0 ? await findBatchFrom(seg, entry, offset, end) : null;
  if (fromIndex !== 'mismatch' && fromIndex !== null) return fromIndex;
  if (fromIndex === 'mismatch') indexMismatchReads++;
  if (fromIndex === null && entry.position > 0) return null;
  const fromStart = await findBatchFrom(seg, { offset: -1, position: 0 }, offset, end);
  return fromStart === 'mismatch' ? null : fromStart;
}

/**
 * findBatch's scan from `from` (an index entry, or position 0 with offset -1): 'mismatch'
 * when the entry does not point at the batch it recorded, or the bytes from it are not
 * batches with increasing offsets. From position 0, unreadable bytes are corruption.
 */
async function findBatchFrom(seg: ReadableSegment, from: OffsetPosition, offset: number, end: number): Promise<BatchLocation | null | 'mismatch'> {
  let prevLast = -1;
  for await (const step of seg.scan(from.position, false, end)) {
    const badStart = step.kind === 'batch' && step.position === from.position && from.position > 0 && step.header.baseOffset !== from.offset;
    if (step.kind !== 'batch' || badStart || step.header.baseOffset <= prevLast || step.header.lastOffsetDelta < 0) {
      if (from.position > 0) return 'mismatch';
      throw new CorruptBatchError(seg.path, step.position, prevLast >= 0 ? prevLast + 1 : seg.offsetIndex.baseOffset, -1, step.kind === 'batch' ? 'offsets out of order' : `unreadable batch (${step.kind})`);
    }
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
    prevLast = last;
  }
  return null;
}

/** Where readBatches' window read found (or did not find) the target batch. */
interface Located {
  win: Buffer;
  /** File position of the window. */
  from: number;
  /** Position of the target batch when found, else where the window's whole batches end. */
  pos: number;
  found: boolean;
}

/**
 * Reads the window from `from` and walks its batch headers to the first batch whose last
 * offset >= `startOffset`. Null when `from` is an index entry (> 0) that cannot be
 * trusted: past the end, not at the batch it recorded, or followed by bytes that are not
 * batches with increasing offsets. From position 0, such bytes are corruption.
 */
async function locateInWindow(seg: ReadableSegment, from: OffsetPosition, startOffset: number, maxBytes: number, end: number): Promise<Located | null> {
  if (from.position >= end) return null;
  const windowLen = Math.min(end - from.position, seg.indexIntervalBytes + Math.max(maxBytes, 16384) + BATCH_HEADER_SIZE);
  const win = await seg.readAt(from.position, windowLen);
  let pos = from.position;
  let prevLast = -1;
  while (pos + BATCH_HEADER_SIZE <= from.position + win.length) {
    const o = pos - from.position;
    const size = win.readInt32BE(o + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    const base = Number(win.readBigInt64BE(o));
    const last = base + win.readInt32BE(o + LAST_OFFSET_DELTA_OFFSET);
    const sane = size >= BATCH_HEADER_SIZE && pos + size <= end && last >= base && base > prevLast;
    if (!sane || (pos === from.position && from.position > 0 && base !== from.offset)) {
      if (from.position > 0) return null;
      // From the segment start: every batch before these bytes ends below startOffset, so
      // the target is in or after bytes that cannot be read as a batch.
      const fromOffset = prevLast >= 0 ? prevLast + 1 : seg.offsetIndex.baseOffset;
      throw new CorruptBatchError(seg.path, pos, fromOffset, -1, size < BATCH_HEADER_SIZE || pos + size > end ? 'batch length is not a valid batch' : `offsets ${base}..${last} out of order`);
    }
    if (last >= startOffset) return { win, from: from.position, pos, found: true };
    prevLast = last;
    pos += size;
  }
  return { win, from: from.position, pos, found: false };
}

/** Last offset of the last whole batch in `data[0, end)` (batch boundaries, already walked). */
function lastOffsetBefore(data: Buffer, end: number): number {
  let at = 0;
  let last = -1;
  while (at < end) {
    last = Number(data.readBigInt64BE(at)) + data.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
    at += data.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  }
  return last;
}

/** Reads whose offset-index entry did not match the log and fell back to a scan (metrics). */
let indexMismatchReads = 0;
export function indexMismatchReadCount(): number {
  return indexMismatchReads;
}

/**
 * CRC-checks the batches of `data[0, cut)` (read at file position `pos`) that lie beyond
 * the segment's verified prefix and returns how many bytes may be served: `cut` when all
 * pass, the bytes before the first bad batch otherwise. Throws CorruptBatchError when the
 * first batch is bad. Extends the verified prefix when the read starts inside it.
 */
function verifyRead(seg: ReadableSegment, data: Buffer, pos: number, cut: number): number {
  const verified = seg.verifiedUpTo;
  if (pos + cut <= verified) return cut;
  const from = pos >= verified ? 0 : verified - pos;
  const bad = firstBadBatch(data, from, cut, -1);
  const good = bad ? bad.at : cut;
  if (pos <= verified && pos + good > verified) seg.verifiedUpTo = pos + good;
  if (!bad) return cut;
  if (bad.at > 0) return bad.at;
  throw new CorruptBatchError(seg.path, pos, bad.fromOffset, bad.toOffset, bad.reason);
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
  // 1. One read that covers the index gap plus maxBytes: find the target batch in it. The
  //    index entry is checked against the batch it points at; when it does not match, the
  //    search starts over from the segment start (a wrong index costs time, never records).
  const entry = seg.offsetIndex.lookup(startOffset);
  let located = entry.position > 0 ? await locateInWindow(seg, entry, startOffset, maxBytes, end) : null;
  if (located === null) {
    if (entry.position > 0) indexMismatchReads++;
    located = await locateInWindow(seg, { offset: -1, position: 0 }, startOffset, maxBytes, end);
  }
  if (located === null) return null;
  const { win, from: indexPos, found } = located;
  let pos = located.pos;
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
    if (size < BATCH_HEADER_SIZE) break; // garbage length: verifyRead below reports it
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
  if (cut === 0) {
    if (data.length >= BATCH_HEADER_SIZE && data.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD < BATCH_HEADER_SIZE) {
      throw new CorruptBatchError(seg.path, pos, startOffset, -1, 'batch length is not a valid batch');
    }
    return null;
  }
  // 4. Batches not verified since the segment was opened are CRC-checked (once: the
  //    verified prefix grows); a bad one ends the answer, or fails it when it comes first.
  const servable = verifyRead(seg, data, pos, cut);
  if (servable < cut) {
    cut = servable;
    lastOffset = lastOffsetBefore(data, cut);
  }
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
