import { AppendBatchInfo, AppendValidationOk, RecordErrorCode, validateBatchesForAppend } from '@millrace/protocol';
import {
  CorruptRecordError,
  InvalidRecordError,
  InvalidTimestampError,
  MessageTooLargeError,
  RecordListTooLargeError,
  StorageError,
  UnsupportedMessageFormatError,
} from './errors';
import { LogConfig, LONG_MAX } from './log-config';
import type { AppendOrigin } from './log-types';

/**
 * The checks UnifiedLog.append makes before queueing a request, from batch headers only
 * (no record is decoded): the protocol library's structural validation mapped to storage
 * errors, then the topic's limits.
 */

/**
 * Validates a request's batches for an append by `origin` (client rules only for client
 * appends) and checks the topic limits. Returns the batch facts; throws a StorageError.
 */
export function validateAppend(
  name: string,
  config: LogConfig,
  buf: Buffer,
  origin: AppendOrigin,
  requireSingleBatch: boolean,
  now: () => number,
): AppendValidationOk {
  const v = validateBatchesForAppend(buf, { fromClient: origin === 'client', singleBatch: requireSingleBatch });
  if (!v.ok) throw validationError(v.errorCode, `partition ${name}: ${v.message}`);
  validateAppendLimits(name, config, buf, v.batches, origin, now);
  return v;
}

/** The StorageError for a failed `validateBatchesForAppend` (its RecordErrorCode). */
function validationError(code: RecordErrorCode, message: string): StorageError {
  switch (code) {
    case RecordErrorCode.InvalidRecord:
      return new InvalidRecordError(message);
    case RecordErrorCode.InvalidTimestamp:
      return new InvalidTimestampError(message);
    case RecordErrorCode.UnsupportedForMessageFormat:
      return new UnsupportedMessageFormatError(message);
    default:
      return new CorruptRecordError(message);
  }
}

/**
 * Topic limits: every batch <= max.message.bytes (MESSAGE_TOO_LARGE), the request <=
 * segment.bytes (RECORD_LIST_TOO_LARGE), and for CreateTime topics the timestamps within
 * message.timestamp.before.max.ms / after.max.ms of now (INVALID_TIMESTAMP; not applied to
 * replicated batches). Throws the first violation.
 */
function validateAppendLimits(
  name: string,
  c: LogConfig,
  buf: Buffer,
  batches: readonly AppendBatchInfo[],
  origin: AppendOrigin,
  now: () => number,
): void {
  for (const b of batches) {
    if (b.size > c.maxMessageBytes) {
      throw new MessageTooLargeError(`partition ${name}: batch of ${b.size} bytes exceeds max.message.bytes ${c.maxMessageBytes}`);
    }
  }
  if (buf.length > c.segmentBytes) {
    throw new RecordListTooLargeError(`partition ${name}: ${buf.length} bytes exceed segment.bytes ${c.segmentBytes}`);
  }
  if (origin === 'replication' || c.messageTimestampType !== 'CreateTime') return;
  const before = c.messageTimestampBeforeMaxMs;
  const after = c.messageTimestampAfterMaxMs;
  if (before >= LONG_MAX && after >= LONG_MAX) return;
  const nowMs = now();
  for (const b of batches) {
    // Header-only approximation of Kafka's per-record check: baseTimestamp is the first
    // record's timestamp (the oldest in practice), maxTimestamp the newest.
    const first = b.header.baseTimestamp;
    const max = b.header.maxTimestamp;
    if (before < LONG_MAX && first >= 0 && nowMs - first > before) {
      throw new InvalidTimestampError(
        `partition ${name}: timestamp ${first} is more than message.timestamp.before.max.ms (${before}) in the past`,
      );
    }
    if (after < LONG_MAX && max >= 0 && max - nowMs > after) {
      throw new InvalidTimestampError(
        `partition ${name}: timestamp ${max} is more than message.timestamp.after.max.ms (${after}) in the future`,
      );
    }
  }
}
