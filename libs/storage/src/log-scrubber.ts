import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { CorruptBatchError, firstBadBatch } from './corrupt-batch';
import type { LogSegment } from './log-segment';
import type { UnifiedLog } from './unified-log';

/**
 * Background re-verification of stored batches (LogManager runs it at start and on an
 * interval). Each segment keeps a verified prefix (LogSegment.verifiedUpTo: batches
 * checked since the segment was opened, or appended after validation); the scrubber
 * extends it to the segment's end, checking length, magic, offset order and CRC-32C of
 * every batch, so reads of scrubbed bytes pay no CRC. A bad batch is reported as a
 * corrupt range (corrupt-ranges.ts: logged with the segment file and offsets, shown by
 * the admin API and metrics); the segment's prefix stops before it and the scrubber does
 * not look at that segment again until the process restarts.
 *
 * Budget: at most `maxBytes` per run, yielding to the event loop after every batch
 * chunk of the scan so produce and fetch latency are not held up.
 */
export interface ScrubResult {
  bytesVerified: number;
  corruptFound: number;
}

const stopped = new WeakSet<LogSegment>();

export async function scrubLogs(logs: readonly UnifiedLog[], maxBytes: number): Promise<ScrubResult> {
  const out: ScrubResult = { bytesVerified: 0, corruptFound: 0 };
  for (const log of logs) {
    if (log.isClosed) continue;
    const segs = log.segments;
    for (let i = 0; i < segs.length && out.bytesVerified < maxBytes; i++) {
      const seg = segs[i];
      if (stopped.has(seg) || seg.verifiedUpTo >= seg.size) continue;
      const end = i + 1 < segs.length ? segs[i + 1].baseOffset : log.logEndOffset;
      await scrubSegment(log, seg, end, maxBytes - out.bytesVerified, out);
    }
  }
  return out;
}

async function scrubSegment(log: UnifiedLog, seg: LogSegment, segmentEnd: number, budget: number, out: ScrubResult): Promise<void> {
  const from = seg.verifiedUpTo;
  await verifySegmentRange(log, seg, from, Math.min(seg.size, from + budget), segmentEnd, out, (pos, batchStart) => {
    // Reads may have moved the prefix meanwhile; it only ever grows here.
    if (seg.verifiedUpTo >= batchStart && seg.verifiedUpTo < pos) seg.verifiedUpTo = pos;
  });
}

/**
 * Checks every batch of `seg` from byte `from` (a batch boundary) until the batch that
 * ends at or after `limit`; `onVerified(end, start)` after each good batch. A bad batch
 * is reported as a corrupt range (the segment is then left alone until a restart) and
 * ends the walk. Returns the position of the bad batch, or -1.
 */
export async function verifySegmentRange(
  log: UnifiedLog,
  seg: LogSegment,
  from: number,
  limit: number,
  segmentEnd: number,
  out: ScrubResult,
  onVerified: (end: number, start: number) => void = () => undefined,
): Promise<number> {
  seg.retain();
  try {
    if (seg.isDeleted || from >= limit) return -1;
    let pos = from;
    let checkedSinceYield = 0;
    let next = from === 0 ? seg.baseOffset : -1;
    for await (const step of seg.scan(from, true, seg.size)) {
      if (seg.isDeleted) return -1;
      if (step.kind !== 'batch') {
        report(log, seg, step.position, segmentEnd, `unreadable batch (${step.kind})`, next);
        out.corruptFound++;
        return step.position;
      }
      const bad = firstBadBatch(step.bytes!, 0, step.size, next);
      if (bad) {
        report(log, seg, step.position, segmentEnd, bad.reason, bad.fromOffset, bad.toOffset);
        out.corruptFound++;
        return step.position;
      }
      pos = step.position + step.size;
      next = step.header.baseOffset + step.header.lastOffsetDelta + 1;
      onVerified(pos, step.position);
      out.bytesVerified += step.size;
      checkedSinceYield += step.size;
      if (checkedSinceYield >= 1 << 20) {
        checkedSinceYield = 0;
        await yieldToLoop();
      }
      if (pos >= limit) return -1;
    }
    return -1;
  } finally {
    seg.release();
  }
}

/** Whether the scrubber stopped at a corrupt batch of `seg` (left alone until a restart). */
export function scrubStoppedAt(seg: LogSegment): boolean {
  return stopped.has(seg);
}

function report(log: UnifiedLog, seg: LogSegment, position: number, segmentEnd: number, reason: string, fromOffset = -1, toOffset = -1): void {
  stopped.add(seg);
  const from = fromOffset >= 0 ? fromOffset : seg.baseOffset;
  log.corruptRanges.report(new CorruptBatchError(seg.path, position, from, toOffset, `${reason} (found by the scrubber)`), segmentEnd);
}
