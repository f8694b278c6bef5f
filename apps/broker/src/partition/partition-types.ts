import type { ErrorCode } from '@millrace/protocol';

/** Outcome of appending one produce request's records to one partition. */
export interface AppendOutcome {
  errorCode: ErrorCode;
  errorMessage: string | null;
  /** Offset of the first appended record (or of the original append for a duplicate); -1 on error. */
  baseOffset: number;
  /** Broker time stamped into the batches with LogAppendTime, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  /** Produce v8+: which batches were rejected. */
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  /** Offset of the last record written (successful appends only; acks=all waits for it). */
  lastOffset?: number;
}

/** An append that wrote nothing: `errorCode` with no offsets (logStartOffset -1 when no log answered). */
export function failedAppendOutcome(errorCode: ErrorCode, errorMessage: string, logStartOffset = -1): AppendOutcome {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTimeMs: -1, logStartOffset, recordErrors: [] };
}

export enum IsolationLevel {
  READ_UNCOMMITTED = 0,
  READ_COMMITTED = 1,
}

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** Fetch v9+: the leader epoch the client believes current (-1 or absent = not checked). */
  currentLeaderEpoch?: number;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: ErrorCode;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed: aborted transactions overlapping the returned batches (from the .txnindex); else absent. */
  abortedTransactions?: { producerId: number; firstOffset: number }[];
  /** Whole batches, possibly several buffers; empty when there was nothing to read. */
  records: Buffer[];
  bytes: number;
}

export interface FetchParams {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: IsolationLevel;
  partitions: FetchPartitionRequest[];
  /** A follower's node id (replica fetch: reads up to the log end and reports its position); absent or -1 for consumers. */
  replicaId?: number;
}

export interface ListOffsetOutcome {
  errorCode: ErrorCode;
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** Special timestamps of ListOffsets. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
