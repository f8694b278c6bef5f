import * as protocol from '@millrace/protocol';
import type { ScanStep } from './batch-scanner';
import { KafkaStorageError } from './errors';
import type { OffsetIndex } from './offset-index';
import type { SegmentIndexes } from './segment-indexes';
import type { TimeIndex } from './time-index';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { batchCrcIsValid, CURRENT_MAGIC } = protocol;

/**
 * Crash recovery of one segment's tail (LogSegment.recover runs it; log-loader.ts decides
 * when). From a batch boundary — position 0 or an offset-index entry — every batch must
 * have a sane length, magic 2, a valid CRC, a lastOffsetDelta >= 0, offsets relative to
 * the segment base that fit an int32, and a baseOffset >= both the segment base and the
 * end of the previous batch (>= `minNextOffset` for the first). The first batch that
 * fails, and everything after it, is cut. Index entries after the starting one are
 * rebuilt during the same scan (segment-indexes.ts), so the indexes end up as an append
 * would have written them.
 *
 * `sealed` (rebuilding the indexes of a non-active segment, which was fsynced when it was
 * rolled): nothing is cut. A bad batch there is corruption, not a torn write, and cutting
 * would silently drop every intact batch after it; batches failing only their CRC are
 * indexed like the others, and indexing stops at bytes that are not a batch. Reads then
 * answer CORRUPT_MESSAGE at the bad batch until an operator acts (corrupt-ranges.ts).
 */
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
  /** Sealed recovery only: what was wrong with the bad batches kept in place (none: null). */
  keptCorrupt: string | null;
  /**
   * The index entry recovery started from did not point at the batch it recorded; nothing
   * was changed and the caller must rebuild from position 0 (rebuildIndexes()).
   */
  indexMismatch: boolean;
}

/** What recovery uses of a segment (LogSegment). */
export interface RecoverableSegment {
  readonly baseOffset: number;
  readonly path: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  scan(from?: number, withBodies?: boolean): AsyncGenerator<ScanStep>;
  /** Cuts the file at `size` if longer, sets the committed size and next offset; returns the bytes cut. */
  cutTo(size: number, nextOffset: number): Promise<number>;
}

/**
 * Recovers `seg` from `fromPosition` (0 or the position of an offset-index entry):
 * index entries after it are dropped, the batches validated and indexed again
 * (`indexes` is the segment's), the file cut after the valid prefix, the indexes cut to
 * match and persisted. With an index mismatch nothing but the dropped entries changes.
 */
export async function recoverSegment(
  seg: RecoverableSegment,
  indexes: SegmentIndexes,
  fromPosition: number,
  minNextOffset: number,
  sealed = false,
): Promise<SegmentRecoveryResult> {
  await indexes.load();
  // Keep index entries up to and including the one at fromPosition (it gets re-checked).
  await seg.offsetIndex.truncateToPosition(fromPosition + 1);
  const anchor = seg.offsetIndex.lastEntry();
  const fromOffset = fromPosition === 0 ? seg.baseOffset : anchor && anchor.position === fromPosition ? anchor.offset : -1;
  if (fromOffset < 0) throw new KafkaStorageError(`recovery of ${seg.path} must start at 0 or at an index entry`);
  await seg.timeIndex.truncateToOffset(fromOffset);
  indexes.restoreFromTimeIndex();
  if (fromPosition === 0) indexes.firstBatchTimestamp = null;
  const valid = await validateSegmentTail(seg.scan(fromPosition, true), indexes, {
    baseOffset: seg.baseOffset,
    fromPosition,
    fromOffset,
    minNextOffset,
    indexedUpTo: anchor ? anchor.position : -1,
    keepCrcFailures: sealed,
  });
  if (!valid) {
    return { validBytes: -1, truncatedBytes: 0, batchesChecked: 0, nextOffset: -1, reason: 'index mismatch', indexMismatch: true, keptCorrupt: null };
  }
  const { validEnd } = valid;
  const nextOffset = validEnd === 0 ? seg.baseOffset : valid.nextOffset;
  if (sealed) {
    await seg.offsetIndex.truncateToPosition(validEnd);
    await seg.timeIndex.truncateToOffset(nextOffset);
    await indexes.persist();
    const kept = [valid.crcFailures > 0 ? `${valid.crcFailures} batch(es) failing their CRC` : '', valid.reason ? `unreadable bytes at byte ${validEnd} (${valid.reason})` : '']
      .filter((x) => x !== '')
      .join(', ');
    return { validBytes: validEnd, truncatedBytes: 0, batchesChecked: valid.batchesChecked, nextOffset, reason: null, indexMismatch: false, keptCorrupt: kept === '' ? null : kept };
  }
  const truncatedBytes = await seg.cutTo(validEnd, nextOffset);
  await seg.offsetIndex.truncateToPosition(validEnd);
  await seg.timeIndex.truncateToOffset(nextOffset);
  await indexes.persist();
  return {
    validBytes: validEnd,
    truncatedBytes,
    batchesChecked: valid.batchesChecked,
    nextOffset,
    reason: truncatedBytes > 0 ? (valid.reason ?? 'bytes beyond the last whole batch') : null,
    indexMismatch: false,
    keptCorrupt: null,
  };
}

/** Where the valid prefix of the scanned range ends. */
interface ValidPrefix {
  /** File position after the last valid batch. */
  validEnd: number;
  /** Offset after the last valid batch (`minNextOffset` when none). */
  nextOffset: number;
  batchesChecked: number;
  /** What was wrong with the first invalid batch; null when the scan reached the end. */
  reason: string | null;
  /** Batches kept although their CRC failed (keepCrcFailures only). */
  crcFailures: number;
}

const INT32_MAX = 2147483647;

/**
 * Validates the batches `steps` yields (a scan with bodies from `fromPosition`) and feeds
 * each valid one to `indexes`. Null when the batch at `fromPosition` (> 0) is not the one
 * whose base offset `fromOffset` the index recorded there: the index cannot be trusted.
 */
async function validateSegmentTail(
  steps: AsyncIterable<ScanStep>,
  indexes: SegmentIndexes,
  at: { baseOffset: number; fromPosition: number; fromOffset: number; minNextOffset: number; indexedUpTo: number; keepCrcFailures: boolean },
): Promise<ValidPrefix | null> {
  let crcFailures = 0;
  let next = at.minNextOffset;
  let validEnd = at.fromPosition;
  let checked = 0;
  let reason: string | null = null;
  for await (const step of steps) {
    if (at.fromPosition > 0 && step.position === at.fromPosition && (step.kind !== 'batch' || step.header.baseOffset !== at.fromOffset)) {
      return null;
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
    if (h.magic !== CURRENT_MAGIC) {
      reason = `unsupported magic ${h.magic}`;
      break;
    }
    if (!batchCrcIsValid(step.bytes!, 0, step.size)) {
      if (!at.keepCrcFailures) {
        reason = 'CRC mismatch';
        break;
      }
      crcFailures++;
    }
    const last = h.baseOffset + h.lastOffsetDelta;
    if (h.baseOffset < next || h.baseOffset < at.baseOffset || h.lastOffsetDelta < 0 || last - at.baseOffset > INT32_MAX) {
      reason = `offset ${h.baseOffset} out of order (expected >= ${next})`;
      break;
    }
    checked++;
    indexes.onBatch(h.baseOffset, h.maxTimestamp, step.position, step.size, at.indexedUpTo);
    next = last + 1;
    validEnd = step.position + step.size;
  }
  return { validEnd, nextOffset: next, batchesChecked: checked, reason, crcFailures };
}
