import { isDeleteRetention, LogConfig } from './log-config';
import type { LogSegment } from './log-segment';

/**
 * Which of a partition's oldest segments are deleted, and why (the rules of Kafka's
 * UnifiedLog.deleteOldSegments). Only whole segments go, oldest first, never the active
 * one; a rule stops at the first segment it keeps. The plan is a list of steps, each
 * deleting `count` more of the oldest remaining segments:
 *
 *   1. whatever the policy: segments entirely below logStartOffset (their successor
 *      starts at or below it), e.g. after DeleteRecords;
 *   2. cleanup.policy contains delete and retention.ms >= 0: then the segments whose
 *      largest timestamp is older than now - retention.ms;
 *   3. cleanup.policy contains delete and retention.bytes >= 0: then the oldest segments
 *      while the log would still be at or above retention.bytes without them.
 *
 * Rules 2 and 3 never take a segment holding offsets at or above the high watermark.
 * UnifiedLog runs the steps under its mutex, moving logStartOffset as segments go.
 */
export interface RetentionStep {
  count: number;
  /** Why, for the log line: "<count> segment(s) <reason>". */
  reason: string;
}

/** A segment may go when it is not the active one and its successor starts at or below `limit`. */
function endsBy(segs: readonly LogSegment[], i: number, limit: number): boolean {
  return i < segs.length - 1 && segs[i + 1].baseOffset <= limit;
}

/** Rule 1 alone (DeleteRecords): how many of the oldest segments lie entirely below `logStartOffset`. */
export function countBelowLogStart(segs: readonly LogSegment[], logStartOffset: number): number {
  let n = 0;
  while (endsBy(segs, n, logStartOffset)) n++;
  return n;
}

/** The deletion steps for `segs` (oldest first, the last one active), see the header. */
export async function planRetention(
  segs: readonly LogSegment[],
  logStartOffset: number,
  /** Read at each segment: the partition layer may raise it meanwhile. */
  highWatermark: () => number,
  config: LogConfig,
  now: () => number,
): Promise<RetentionStep[]> {
  let from = countBelowLogStart(segs, logStartOffset);
  const steps: RetentionStep[] = [{ count: from, reason: 'below log start offset' }];
  if (!isDeleteRetention(config)) return steps;
  const nowMs = now();
  if (config.retentionMs >= 0) {
    let n = 0;
    while (endsBy(segs, from + n, highWatermark()) && (await segs[from + n].largestTimestamp()) < nowMs - config.retentionMs) n++;
    steps.push({ count: n, reason: `past retention.ms ${config.retentionMs}` });
    from += n;
  }
  if (config.retentionBytes >= 0) {
    let excess = -config.retentionBytes;
    for (let i = from; i < segs.length; i++) excess += segs[i].size;
    let n = 0;
    while (endsBy(segs, from + n, highWatermark()) && excess - segs[from + n].size >= 0) {
      excess -= segs[from + n].size;
      n++;
    }
    steps.push({ count: n, reason: `over retention.bytes ${config.retentionBytes}` });
  }
  return steps;
}
