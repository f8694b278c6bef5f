import {
  BatchHeader,
  CURRENT_MAGIC,
  CompressionType,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MIN_BATCH_LENGTH,
  BATCH_HEADER_SIZE,
  TimestampType,
  batchCrcIsValid,
  compressionOf,
  isControl,
  isTransactional,
  readBatchHeader,
  timestampTypeOf,
} from './batch-header';
import { RecordErrorCode } from './errors';

/**
 * Header-only validation of the `records` field of a Produce request, the broker's
 * hot path: no decompression, no record decoding, one CRC-32C pass over each batch.
 * Mirrors the batch-level checks of Kafka's LogValidator for client appends.
 *
 * Checks, per batch, in order (error code in brackets):
 *   - at least 17 bytes left so magic (byte 16) is visible            [CORRUPT_MESSAGE 2]
 *   - magic == 2; 0 or 1                                              [UNSUPPORTED_FOR_MESSAGE_FORMAT 43]
 *                 anything else                                       [CORRUPT_MESSAGE 2]
 *   - batchLength >= 49 and the batch fits in the buffer              [CORRUPT_MESSAGE 2]
 *   - CRC-32C of bytes [21, end) equals the crc field                 [CORRUPT_MESSAGE 2]
 *   - compression codec in 0..4                                       [CORRUPT_MESSAGE 2]
 *   - uncompressed: recordsCount records can fit (>= 7 bytes each)    [CORRUPT_MESSAGE 2]
 *   fromClient only (default):
 *   - recordsCount > 0, lastOffsetDelta >= 0,
 *     lastOffsetDelta == recordsCount - 1 (compressed or not)         [INVALID_RECORD 87]
 *   - not a control batch                                             [INVALID_RECORD 87]
 *   - producerId >= 0 implies baseSequence >= 0                       [INVALID_RECORD 87]
 *   - timestamp type is CreateTime                                    [INVALID_TIMESTAMP 32]
 *   and over the whole buffer:
 *   - at least one batch                                              [INVALID_RECORD 87]
 *   - singleBatch (default): exactly one batch, as Kafka requires
 *     for v2 produce requests                                         [INVALID_RECORD 87]
 *
 * Record-level rules (null keys on compacted topics, per-record timestamp bounds)
 * need decoding and are left to the caller.
 */

export interface AppendValidationOptions {
  /** Apply the client-only rules (default true). Pass false for replication / internal writes. */
  fromClient?: boolean;
  /** Require exactly one batch, as Kafka does for produce v3+ (default true). */
  singleBatch?: boolean;
}

export interface AppendBatchInfo {
  pos: number;
  size: number;
  header: BatchHeader;
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
}

export interface AppendValidationOk {
  ok: true;
  batches: AppendBatchInfo[];
  /** Sum of recordsCount over the batches. */
  recordCount: number;
  /** Largest maxTimestamp over the batches (-1 when none). */
  maxTimestamp: number;
}

export interface AppendValidationError {
  ok: false;
  errorCode: RecordErrorCode;
  message: string;
  /** Index of the offending batch (-1 for whole-buffer problems). */
  batchIndex: number;
  /** Byte position of the offending batch. */
  pos: number;
}

export type AppendValidationResult = AppendValidationOk | AppendValidationError;

function fail(errorCode: RecordErrorCode, message: string, batchIndex: number, pos: number): AppendValidationError {
  return { ok: false, errorCode, message, batchIndex, pos };
}

const MIN_RECORD_SIZE = 7;

export function validateBatchesForAppend(buf: Buffer, options: AppendValidationOptions = {}): AppendValidationResult {
  const fromClient = options.fromClient !== false;
  const singleBatch = options.singleBatch !== false;
  const batches: AppendBatchInfo[] = [];
  let recordCount = 0;
  let maxTimestamp = -1;
  let pos = 0;
  const len = buf.length;

  while (pos < len) {
    const index = batches.length;
    if (singleBatch && index === 1) {
      return fail(RecordErrorCode.InvalidRecord, 'produce request must contain exactly one record batch', index, pos);
    }
    const available = len - pos;
    if (available <= MAGIC_OFFSET) {
      return fail(RecordErrorCode.CorruptMessage, `truncated batch: ${available} bytes`, index, pos);
    }
    const magic = buf[pos + MAGIC_OFFSET];
    if (magic !== CURRENT_MAGIC) {
      return magic === 0 || magic === 1
        ? fail(RecordErrorCode.UnsupportedForMessageFormat, `message format v${magic} is not supported`, index, pos)
        : fail(RecordErrorCode.CorruptMessage, `invalid magic ${(magic << 24) >> 24}`, index, pos);
    }
    const batchLength = buf.readInt32BE(pos + 8);
    if (batchLength < MIN_BATCH_LENGTH) {
      return fail(RecordErrorCode.CorruptMessage, `batchLength ${batchLength} below minimum ${MIN_BATCH_LENGTH}`, index, pos);
    }
    const size = batchLength + LOG_OVERHEAD;
    if (size > available) {
      return fail(RecordErrorCode.CorruptMessage, `batch declares ${size} bytes but ${available} remain`, index, pos);
    }
    if (!batchCrcIsValid(buf, pos, size)) {
      return fail(RecordErrorCode.CorruptMessage, 'CRC mismatch', index, pos);
    }
    const header = readBatchHeader(buf, pos);
    const attributes = header.attributes;
    const compression = compressionOf(attributes);
    if (compression > CompressionType.Zstd) {
      return fail(RecordErrorCode.CorruptMessage, `unknown compression codec ${compression}`, index, pos);
    }
    const count = header.recordsCount;
    if (compression === CompressionType.None && count * MIN_RECORD_SIZE > size - BATCH_HEADER_SIZE) {
      return fail(RecordErrorCode.CorruptMessage, `${count} records cannot fit in ${size - BATCH_HEADER_SIZE} bytes`, index, pos);
    }
    const control = isControl(attributes);
    const timestampType = timestampTypeOf(attributes);
    if (fromClient) {
      if (count <= 0) return fail(RecordErrorCode.InvalidRecord, `invalid record count ${count}`, index, pos);
      if (header.lastOffsetDelta < 0) {
        return fail(RecordErrorCode.InvalidRecord, `invalid lastOffsetDelta ${header.lastOffsetDelta}`, index, pos);
      }
      if (header.lastOffsetDelta !== count - 1) {
        return fail(
          RecordErrorCode.InvalidRecord,
          `lastOffsetDelta ${header.lastOffsetDelta} inconsistent with record count ${count}`,
          index,
          pos,
        );
      }
      if (control) return fail(RecordErrorCode.InvalidRecord, 'clients may not write control batches', index, pos);
      if (header.producerId >= 0 && header.baseSequence < 0) {
        return fail(RecordErrorCode.InvalidRecord, `invalid sequence ${header.baseSequence} with producerId ${header.producerId}`, index, pos);
      }
      if (timestampType === TimestampType.LogAppendTime) {
        return fail(RecordErrorCode.InvalidTimestamp, 'producers may not set LogAppendTime', index, pos);
      }
    }
    batches.push({
      pos,
      size,
      header,
      compression,
      timestampType,
      transactional: isTransactional(attributes),
      control,
    });
    recordCount += count;
    if (header.maxTimestamp > maxTimestamp) maxTimestamp = header.maxTimestamp;
    pos += size;
  }
  if (batches.length === 0) return fail(RecordErrorCode.InvalidRecord, 'no record batch', -1, 0);
  return { ok: true, batches, recordCount, maxTimestamp };
}
