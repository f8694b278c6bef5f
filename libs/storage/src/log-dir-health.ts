import { errorMessage } from '@millrace/app-common';
import { promises as fsp } from 'node:fs';
import type { LocalLog } from './local-log';
import type { StorageLogger } from './logger';
import type { UnifiedLog } from './unified-log';

/**
 * Disk-full and I/O-error handling for one log directory (LogManager runs it).
 *
 * A failed write (ENOSPC, EIO) takes that partition's log offline at once: every later
 * produce answers KAFKA_STORAGE_ERROR immediately, reads go on. `probeOfflineLogs` is the
 * periodic probe: once the directory has `minFreeBytes` free again, each log offline
 * after a WRITE failure is brought back (UnifiedLog.bringOnline: the failed bytes are cut,
 * the segment fsynced) without a restart. A log offline after a failed FSYNC stays
 * offline until a restart re-validates it: after a failed fsync the kernel may have
 * dropped the dirty pages, and retrying the fsync would report success for data that is
 * gone.
 */
export interface LogDirSpace {
  freeBytes: number;
  totalBytes: number;
}

/** Free (available to this user) and total bytes of the filesystem holding `dir`. */
export async function logDirSpace(dir: string): Promise<LogDirSpace> {
  const s = await fsp.statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

/** Below this much free space an offline log is not brought back (it would fail again at once). */
export const DEFAULT_MIN_FREE_BYTES = 1 << 20;

/**
 * Brings back the logs offline after a write failure when `dir` has at least
 * `minFreeBytes` free. Returns the names of the logs brought back.
 */
export async function probeOfflineLogs(dir: string, logs: readonly UnifiedLog[], logger: StorageLogger, minFreeBytes = DEFAULT_MIN_FREE_BYTES): Promise<string[]> {
  const offline = logs.filter((l) => l.isOffline && !l.isClosed);
  if (offline.length === 0) return [];
  const { freeBytes } = await logDirSpace(dir);
  if (freeBytes < minFreeBytes) return [];
  const back: string[] = [];
  for (const log of offline) {
    try {
      if (await log.bringOnline()) back.push(log.name);
    } catch (err) {
      logger.warn(`partition ${log.name}: still offline, bringing it back failed: ${errorMessage(err)}`);
    }
  }
  if (back.length > 0) logger.info(`log dir ${dir}: ${freeBytes} bytes free; partitions back online: ${back.join(', ')}`);
  return back;
}

/**
 * Brings `local` back online after a failed WRITE (e.g. ENOSPC); the caller holds the
 * log's mutex. Every byte of the failed request is cut from the active segment (the file
 * ends at the last acknowledged batch again, indexes to match), the segment is fsynced,
 * and only if all that succeeds is the failure cleared. A failed fsync is never cleared:
 * after one the page cache may have dropped dirty pages ("fsyncgate"), so writes
 * acknowledged since the last good fsync cannot be trusted until a restart re-validates
 * the log (log-loader.ts). Returns whether the log is online.
 */
export async function recoverFromWriteFailure(local: LocalLog): Promise<boolean> {
  const failure = local.offlineError;
  if (!failure) return true;
  if (local.offlineAfterFsync) return false;
  const active = local.activeSegment;
  await active.truncateTo(local.logEndOffset);
  await active.cutTo(active.size, local.logEndOffset);
  await active.flush(true);
  local.clearWriteFailure();
  local.logger.info(`partition ${local.name}: back online after a write failure (${failure.message}); log end offset ${local.logEndOffset}`);
  return true;
}
