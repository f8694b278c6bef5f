import { errorMessage } from '@millrace/app-common';
import {
  CheckpointEntries,
  CLEANER_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  readCheckpoint,
  REPLICATION_OFFSET_CHECKPOINT,
  writeCheckpoint,
} from './checkpoint-file';
import { isCompacted } from './log-config';
import type { StorageLogger } from './logger';
import { SCRUB_OFFSET_CHECKPOINT, scrubCheckpointEntries } from './scrub-progress';
import type { StorageIo } from './storage-io';
import type { UnifiedLog } from './unified-log';

/**
 * The four offset checkpoint files of a log directory (format: checkpoint-file.ts), keyed
 * by `checkpointKey(topic, partition)`: high watermarks, log start offsets, compaction
 * progress (compacted topics only) and the scrubber's scrubbed points.
 */
export interface LogDirCheckpoints {
  highWatermarks: CheckpointEntries;
  logStartOffsets: CheckpointEntries;
  cleanerOffsets: CheckpointEntries;
  scrubbedPoints: CheckpointEntries;
}

/** Reads them at startup; an unreadable file is logged and taken as empty (recovery covers it). */
export async function readLogDirCheckpoints(dataDir: string, logger: StorageLogger): Promise<LogDirCheckpoints> {
  const safe = async (name: string): Promise<CheckpointEntries> => {
    try {
      return await readCheckpoint(dataDir, name);
    } catch (err) {
      logger.warn(`log dir ${dataDir}: ignoring unreadable ${name}: ${errorMessage(err)}`);
      return new Map();
    }
  };
  const [highWatermarks, logStartOffsets, cleanerOffsets, scrubbedPoints] = await Promise.all([
    safe(REPLICATION_OFFSET_CHECKPOINT),
    safe(LOG_START_OFFSET_CHECKPOINT),
    safe(CLEANER_OFFSET_CHECKPOINT),
    safe(SCRUB_OFFSET_CHECKPOINT),
  ]);
  return { highWatermarks, logStartOffsets, cleanerOffsets, scrubbedPoints };
}

/** Writes the state of `logs` as of now into the four files, one after the other. */
export async function writeLogDirCheckpoints(dataDir: string, logs: ReadonlyMap<string, UnifiedLog>, io: StorageIo): Promise<void> {
  const hw: CheckpointEntries = new Map();
  const lso: CheckpointEntries = new Map();
  const cleaner: CheckpointEntries = new Map();
  for (const [key, log] of logs) {
    const tp = { topic: log.topic, partition: log.partition };
    hw.set(key, { ...tp, offset: log.highWatermark });
    lso.set(key, { ...tp, offset: log.logStartOffset });
    if (isCompacted(log.config)) cleaner.set(key, { ...tp, offset: log.cleanerCheckpoint });
  }
  await writeCheckpoint(dataDir, REPLICATION_OFFSET_CHECKPOINT, hw, io);
  await writeCheckpoint(dataDir, LOG_START_OFFSET_CHECKPOINT, lso, io);
  await writeCheckpoint(dataDir, CLEANER_OFFSET_CHECKPOINT, cleaner, io);
  await writeCheckpoint(dataDir, SCRUB_OFFSET_CHECKPOINT, scrubCheckpointEntries(logs), io);
}
