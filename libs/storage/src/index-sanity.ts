import * as protocol from '@millrace/protocol';
import type { ReadableSegment } from './segment-read';

// Bound once: through the package index every use would be a getter call.
const { BATCH_HEADER_SIZE, BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD } = protocol;

/**
 * The check every segment's indexes pass when the segment is opened, clean shutdown or
 * not (log-loader.ts rebuilds the indexes of a segment that fails it). An index is never
 * trusted blindly: a random or stale `.index` would otherwise send reads past whole
 * batches, and a consumer would silently skip them.
 *
 * Structural (Kafka's sanityCheck, offset-index.ts / time-index.ts): whole entries only,
 * offsets and positions strictly increasing, every position inside the log, offsets at
 * or above the segment base; an empty log has no entries.
 *
 * Against the log (cheap: two header reads and the tail scan `nextOffset()` makes
 * anyway): the first and the last offset-index entries must point at a batch whose base
 * offset is the entry's offset (the index records base offsets), and every time-index
 * entry must name an offset below the segment's next offset.
 *
 * Returns null when the indexes pass, else what is wrong (for the log line).
 */
export async function indexProblem(seg: ReadableSegment & { readonly baseOffset: number }, nextOffset: () => Promise<number>): Promise<string | null> {
  await seg.offsetIndex.load();
  await seg.timeIndex.load();
  const oi = seg.offsetIndex;
  const ti = seg.timeIndex;
  if (seg.size === 0) {
    return oi.entries > 0 || ti.entries > 0 || oi.hadTornTail || ti.hadTornTail ? 'index entries for an empty log' : null;
  }
  if (!oi.isSane(seg.size)) return 'offset index not increasing, torn, or pointing past the log';
  if (!ti.isSane()) return 'time index not increasing or torn';
  if (oi.entries > 0) {
    for (const i of oi.entries === 1 ? [0] : [0, oi.entries - 1]) {
      const e = oi.entry(i);
      const found = await baseOffsetAt(seg, e.position);
      if (found !== e.offset) return `offset index entry ${i} (offset ${e.offset}) points at ${found === null ? 'no batch' : `a batch at offset ${found}`}`;
    }
  }
  const last = ti.lastEntry();
  if (last) {
    const next = await nextOffset();
    if (last.offset >= next) return `time index entry names offset ${last.offset}, past the segment end ${next}`;
  }
  return null;
}

/**
 * The base offset of the batch at `position` when the bytes there look like a batch
 * header (length and last offset delta sane), null otherwise.
 */
export async function baseOffsetAt(seg: ReadableSegment, position: number): Promise<number | null> {
  if (position < 0 || position + BATCH_HEADER_SIZE > seg.size) return null;
  const h = await seg.readAt(position, BATCH_HEADER_SIZE);
  return headerBaseOffset(h, 0, seg.size - position);
}

/**
 * Base offset of a batch header at `at` in `buf` (at least BATCH_HEADER_SIZE bytes),
 * null when its length cannot be a batch ending within `room` bytes or its last offset
 * delta is negative.
 */
export function headerBaseOffset(buf: Buffer, at: number, room: number): number | null {
  if (at + BATCH_HEADER_SIZE > buf.length) return null;
  const size = buf.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE || size > room) return null;
  if (buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) < 0) return null;
  return Number(buf.readBigInt64BE(at));
}
