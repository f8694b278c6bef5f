/**
 * @millrace/cdc-snapshot — the chunked, resumable initial snapshot shared by the CDC
 * source connectors: a plan of primary-key chunks, its progress stored in the source
 * offsets (so a restart resumes the unfinished chunks), a chunk job queue (in-process,
 * or BullMQ on Redis behind the same interface), the runner that turns chunk reads into
 * ordered records with their offsets, and progress figures.
 */
export { chunksFromBoundaries, chunkId, allChunks, type KeyTuple, type SnapshotChunk, type TablePlan, type SnapshotPlan } from './snapshot-plan';
export { SnapshotState, SnapshotStateError, type SnapshotStateJson, type PendingChunk, type TableProgress } from './snapshot-state';
export type { ChunkJob, ChunkJobContext, ChunkProcessor, ChunkQueue, ChunkQueueOptions, ChunkQueueStats } from './chunk-queue';
export { InProcessChunkQueue } from './in-process-chunk-queue';
export { SnapshotProgressMeter, describeProgress, type ProgressSummary } from './snapshot-progress';
export { ChunkedSnapshot, readSnapshotPhase, type ChunkedSnapshotOptions, type ChunkRows, type SnapshotSource } from './chunked-snapshot';
export { BullMqChunkQueue, type BullMqChunkQueueOptions } from './bullmq-chunk-queue';
export { changeTableSchemas, changeRecord, tombstoneRecord, changeKey, platformSchema, platformSchemaPath, type ChangeOp, type ChangeTable, type ChangeTableSchemas, type ChangePosition, type ChangeSource } from './change-envelope';
export { ConnectionLoan, type PooledConnection } from './connection-pool';
export { parseSignal, matchCollections, SignalError, EXECUTE_SNAPSHOT, STOP_SNAPSHOT, type SnapshotSignal } from './snapshot-signal';
export { IncrementalSnapshotState, SnapshotWindow, keyString, type IncrementalTable, type IncrementalSnapshotJson } from './incremental-snapshot';
export { sharedChunksDone, storedChunksDone, chunkQueueRedisUrl, openRedisChunkQueue, type SharedSnapshotInfo, type SharedChunkJob } from './shared-chunks';
export { SharedChunkWorker, type SharedChunkWorkerOptions } from './shared-chunk-worker';
export { IncrementalSnapshotRunner, type IncrementalReader, type IncrementalRunnerOptions } from './incremental-runner';
export { createIncrementalRunner, type IncrementalModelReader, type IncrementalRunnerFactoryOptions, type IncrementalTableModel } from './incremental-runner-factory';
export { KafkaSignalChannel, kafkaSignalSettings, SIGNAL_CHANNEL_KEYS, type KafkaSignalSettings } from './kafka-signal-channel';
