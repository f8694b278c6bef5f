import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointEntries } from './checkpoint-file';
import { scrubLogs } from './log-scrubber';
import type { UnifiedLog } from './unified-log';

/**
 * The scrubber's progress across restarts (log-scrubber.ts verifies stored batches in the
 * background; without this every start re-verified every byte).
 *
 * `<dataDir>/scrub-offset-checkpoint` (checkpoint-file.ts format, written with the other
 * offset checkpoints) holds per partition its **scrubbed point**: the base offset of the
 * first segment not wholly verified since it was opened. Every segment below it is
 * sealed, fsynced (below the recovery point) and passed the batch checks (CRC-32C,
 * length, magic, offset order: read back by the scrubber or a fetch, or validated by
 * produce before this process appended it). A segment
 * whose verification stopped at a corrupt batch ends the scrubbed point there, so the
 * corruption is found and reported again after a restart.
 *
 * At open, a segment is taken as verified without reading it when it lies wholly below
 * the checkpointed point, its `.log` file's ctime is before the checkpoint file's mtime,
 * and its indexes did not have to be rebuilt at open (which hints at damage, and whose
 * scan may have found a corrupt batch that must stay unserved). The ctime check catches what replaced or rewrote a segment after the
 * checkpoint was written: a compaction swap (a rename, which sets ctime), a follower
 * truncation, a restore from backup. Everything else is verified again: in the
 * background by the scrubber after a clean shutdown, and before the log is served by
 * the recovery after an unclean one (`verifyAfterScrubbedPoint`: the whole log after the
 * scrubbed point, sealed segments and the active one, corrupt batches reported as
 * corrupt ranges and kept).
 */
export const SCRUB_OFFSET_CHECKPOINT = 'scrub-offset-checkpoint';

/**
 * The log's scrubbed point now (see the header): never above the active segment's base
 * offset, nor above a segment that is not yet wholly below the recovery point (not
 * fsynced: a power loss could still take its tail).
 */
export function scrubbedPoint(log: UnifiedLog): number {
  const segs = log.segments;
  const durable = log.recoveryPoint;
  for (let i = 0; i < segs.length - 1; i++) {
    if (segs[i].verifiedUpTo < segs[i].size || segs[i + 1].baseOffset > durable) return segs[i].baseOffset;
  }
  return segs[segs.length - 1].baseOffset;
}

/** The scrubbed points of `logs`, for the checkpoint file. */
export function scrubCheckpointEntries(logs: Iterable<[string, UnifiedLog]>): CheckpointEntries {
  const out: CheckpointEntries = new Map();
  for (const [key, log] of logs) out.set(key, { topic: log.topic, partition: log.partition, offset: scrubbedPoint(log) });
  return out;
}

/** The checkpoint file's mtime in ms, or null when it does not exist. */
export async function scrubCheckpointTime(dataDir: string): Promise<number | null> {
  try {
    return (await fsp.stat(path.join(dataDir, SCRUB_OFFSET_CHECKPOINT))).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Marks the segments of a just-opened `log` wholly below `point` as verified when their
 * files did not change after `checkpointTimeMs` (see the header). Returns how many.
 */
export async function applyScrubProgress(log: UnifiedLog, point: number, checkpointTimeMs: number): Promise<number> {
  const segs = log.segments;
  // A segment whose index had to be rebuilt at open is read again whatever its file times say.
  const rebuilt = new Set(log.recoveryReport.rebuiltIndexes);
  let trusted = 0;
  for (let i = 0; i + 1 < segs.length && segs[i + 1].baseOffset <= point; i++) {
    const seg = segs[i];
    if (rebuilt.has(seg.baseOffset)) continue;
    const changed = (await fsp.stat(seg.path)).ctimeMs;
    // File times come from a coarse clock (a few ms): a change in the checkpoint's own tick counts as after it.
    if (changed >= checkpointTimeMs) continue;
    seg.verifiedUpTo = seg.size;
    trusted++;
  }
  return trusted;
}

/**
 * Recovery after an unclean shutdown: verifies every batch after the scrubbed point
 * before the log is served (no byte budget). Returns the bytes verified and corrupt
 * ranges found.
 */
export async function verifyAfterScrubbedPoint(log: UnifiedLog): Promise<{ bytes: number; corrupt: number }> {
  const r = await scrubLogs([log], Number.MAX_SAFE_INTEGER);
  return { bytes: r.bytesVerified, corrupt: r.corruptFound };
}
