/**
 * The value types of a partition log's public API (UnifiedLog): what an append asks for
 * and answers (and the answer to an empty append), what a read returns, ListOffsets'
 * special timestamps and what retention did.
 */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

export interface AppendOptions {
  /** client (default): full validation + producer checks; coordinator: broker-written
   *  batches (offsets assigned, no client rules); replication: follower append that keeps
   *  the leader's offsets and epochs. */
  origin?: AppendOrigin;
  /** partitionLeaderEpoch written into each batch (leader appends). Default: `log.leaderEpoch`. */
  leaderEpoch?: number;
  /** Reject more than one batch per request (Kafka's rule for Produce v3+). Default false. */
  requireSingleBatch?: boolean;
}

export interface AppendResult {
  /** Offset of the first record written (or of the original, for a duplicate). */
  baseOffset: number;
  /** Offset of the last record written. */
  lastOffset: number;
  recordCount: number;
  /** Broker time stamped on the batches for LogAppendTime topics, else -1. */
  logAppendTime: number;
  /** Largest batch maxTimestamp in the request. */
  maxTimestamp: number;
  logStartOffset: number;
  /** True when an idempotent retry was recognised and nothing was written. */
  duplicate: boolean;
}

/** The answer to an append of no bytes: nothing written. */
export function emptyAppendResult(logStartOffset: number): AppendResult {
  return { baseOffset: -1, lastOffset: -1, recordCount: 0, logAppendTime: -1, maxTimestamp: -1, logStartOffset, duplicate: false };
}

export interface ReadOptions {
  /** Exclusive upper bound: only batches whose lastOffset < maxOffset (pass the high
   *  watermark or last stable offset for consumers). Default: the log end offset. */
  maxOffset?: number;
  /** Return the first batch even if it exceeds maxBytes (Kafka semantics). Default true. */
  minOneBatch?: boolean;
}

export interface LogReadResult {
  /** Whole batches back to back (empty when there is nothing to return). */
  records: Buffer;
  /** baseOffset of the first batch (may be < fetchOffset: the batch containing it), -1 when empty. */
  firstOffset: number;
  /** lastOffset of the last batch, -1 when empty. */
  lastOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/** ListOffsets special timestamps. */
export const ListOffsetsTimestamp = {
  LATEST: -1,
  EARLIEST: -2,
  MAX_TIMESTAMP: -3,
  EARLIEST_LOCAL: -4,
} as const;

export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
  reasons: string[];
}
