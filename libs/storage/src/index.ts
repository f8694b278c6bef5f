/**
 * @millrace/storage — the broker's durable, segmented, per-partition log.
 *
 *   LogManager   one data directory: opens/creates/deletes partition logs, background
 *                retention, compaction, flush.ms and offset checkpoints, clean shutdown.
 *   UnifiedLog   one partition: append (offset assignment, idempotence, group commit),
 *                read, ListOffsets, DeleteRecords, truncation, retention, recovery. It
 *                owns a LocalLog (the segment files: roll, flush, read, truncate), which
 *                is internal.
 *   LogConfig    topic-level configs with Kafka's names and defaults.
 *   StorageError subclasses carry the Kafka error code (`errorCode`).
 */
export * from './errors';
export * from './log-config';
export * from './logger';
export { DEFAULT_STORAGE_IO } from './storage-io';
export { writeFileAtomically, writeJsonAtomically } from './atomic-file';
export { AsyncMutex } from './async-mutex';
export type { StorageIo } from './storage-io';
export { UnifiedLog } from './unified-log';
export type { UnifiedLogOptions } from './unified-log';
export type { LogTransactions } from './log-transactions';
export { ListOffsetsTimestamp } from './log-types';
export type {
  AppendOptions,
  AppendOrigin,
  AppendResult,
  ReadOptions,
  LogReadResult,
  TimestampAndOffset,
  RetentionResult,
} from './log-types';
export type { RecoveryReport } from './log-loader';
export { LogSegment } from './log-segment';
export { CorruptBatchError } from './corrupt-batch';
export { CorruptRanges, QUARANTINE_FILE } from './corrupt-ranges';
export type { CorruptRange } from './corrupt-ranges';
export { indexMismatchReadCount } from './segment-read';
export { logDirSpace, probeOfflineLogs, DEFAULT_MIN_FREE_BYTES } from './log-dir-health';
export type { LogDirSpace } from './log-dir-health';
export { scrubLogs } from './log-scrubber';
export { SCRUB_OFFSET_CHECKPOINT, scrubbedPoint } from './scrub-progress';
export type { ScrubResult } from './log-scrubber';
export type { SegmentReadResult } from './log-segment';
export { LogManager, CLEAN_SHUTDOWN_FILE } from './log-manager';
export type { LogManagerOptions, TopicPartition } from './log-manager';
export { LogCleaner } from './log-cleaner';
export type { CleanerStats, LogCleanerOptions } from './log-cleaner';
export { BATCHES_TO_RETAIN, NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE, lastSequenceOf } from './producer-state';
export type { ProducerStateEntry, BatchMetadata } from './producer-state';
export { REPLICATION_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, CLEANER_OFFSET_CHECKPOINT } from './checkpoint-file';
export {
  LeaderEpochCache,
  LEADER_EPOCH_CHECKPOINT,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  encodeLeaderEpochCheckpoint,
  decodeLeaderEpochCheckpoint,
  type EpochEntry,
} from './leader-epoch-cache';
export { offsetFileName, partitionDirName, parsePartitionDirName } from './log-file-names';
