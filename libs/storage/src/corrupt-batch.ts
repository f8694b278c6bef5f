import * as protocol from '@millrace/protocol';
import { CorruptRecordError } from './errors';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { BATCH_HEADER_SIZE, BATCH_LENGTH_OFFSET, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, batchCrcIsValid } = protocol;

/**
 * A stored batch that fails its checks on the way out: what a fetch reaching it answers
 * (CORRUPT_MESSAGE for that partition, from that offset) and what the log records as a
 * corrupt range (corrupt-ranges.ts). `fromOffset`..`toOffset` is the offset range the
 * batch covers as far as the surrounding batches tell (inclusive); `toOffset` is -1 when
 * the batch's length is garbage, so nothing after it in the segment can be located.
 */
export class CorruptBatchError extends CorruptRecordError {
  constructor(
    readonly segmentPath: string,
    readonly position: number,
    readonly fromOffset: number,
    readonly toOffset: number,
    readonly reason: string,
  ) {
    super(`corrupt batch in ${segmentPath} at byte ${position}, offsets ${fromOffset}..${toOffset < 0 ? 'end of segment' : toOffset}: ${reason}`);
  }
}

/** The first bad batch of a buffer of batches, as found by firstBadBatch. */
export interface BadBatch {
  /** Byte offset inside the checked buffer. */
  at: number;
  /** Offsets as far as they can be told (see CorruptBatchError); toOffset -1 when unknown. */
  fromOffset: number;
  toOffset: number;
  reason: string;
}

/**
 * Checks the whole batches in `data[from, to)` (batch boundaries) — sane length, magic 2,
 * offsets increasing, CRC-32C over [attributes, end) — and returns the first that fails,
 * null when all pass. `expectedFrom` is the smallest offset the first batch may start at
 * (the previous batch's last offset + 1, or -1 when unknown). One native CRC call per
 * batch; nothing per record.
 */
export function firstBadBatch(data: Buffer, from: number, to: number, expectedFrom: number): BadBatch | null {
  let at = from;
  let next = expectedFrom;
  while (at < to) {
    const lengthOk = at + BATCH_HEADER_SIZE <= to && data.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD >= BATCH_HEADER_SIZE;
    const size = lengthOk ? data.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD : 0;
    if (!lengthOk || at + size > to) {
      return { at, fromOffset: next, toOffset: -1, reason: 'batch length is not a valid batch' };
    }
    const base = Number(data.readBigInt64BE(at));
    const last = base + data.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
    // The offsets the batch covers: trust its header only when the batch after it agrees.
    const nextBase = at + size + BATCH_HEADER_SIZE <= data.length ? Number(data.readBigInt64BE(at + size)) : -1;
    const span = (): { fromOffset: number; toOffset: number } => {
      const fromOffset = next >= 0 && (base < next || base > last) ? next : base;
      const toOffset = nextBase > fromOffset && (last < fromOffset || last >= nextBase) ? nextBase - 1 : last >= fromOffset ? last : -1;
      return { fromOffset, toOffset };
    };
    if (data.readInt8(at + MAGIC_OFFSET) !== CURRENT_MAGIC) return { at, ...span(), reason: `magic ${data.readInt8(at + MAGIC_OFFSET)}` };
    if (last < base || (next >= 0 && base < next)) return { at, ...span(), reason: `offsets ${base}..${last} out of order (expected >= ${next})` };
    if (!batchCrcIsValid(data, at, size)) return { at, ...span(), reason: 'CRC-32C mismatch' };
    next = last + 1;
    at += size;
  }
  return null;
}
