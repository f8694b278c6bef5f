/**
 * Typed storage errors, each carrying the Kafka protocol error code it maps to.
 *
 * The broker's request handlers turn a thrown `StorageError` into the per-partition
 * `errorCode` of the response (`err.errorCode`). The numeric codes are Kafka's
 * (org.apache.kafka.common.protocol.Errors); this file deliberately does not import the
 * protocol library's error table so the storage library stays self-contained — the two
 * tables agree on the numbers.
 */
export const StorageErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  INVALID_CONFIG: 40,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_PRODUCER_ID: 59,
  INVALID_RECORD: 87,
} as const;

export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** Base class: every error the storage layer throws on purpose. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly errorCode: StorageErrorCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Fetch/ListOffsets/DeleteRecords offset outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.OFFSET_OUT_OF_RANGE);
  }
}

/** Malformed batch: bad size, magic, CRC or header fields. */
export class CorruptRecordError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.CORRUPT_MESSAGE);
  }
}

/** One batch larger than `max.message.bytes`. */
export class MessageTooLargeError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.MESSAGE_TOO_LARGE);
  }
}

/** A whole append larger than `segment.bytes` (it could never fit a segment). */
export class RecordListTooLargeError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.RECORD_LIST_TOO_LARGE);
  }
}

/** Timestamp outside `message.timestamp.before.max.ms` / `after.max.ms`. */
export class InvalidTimestampError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.INVALID_TIMESTAMP);
  }
}

/** Bad topic config value; the message names the key. */
export class InvalidConfigError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.INVALID_CONFIG);
  }
}

/** Well-formed batch that breaks a rule (record count vs offsets, control batch from a client...). */
export class InvalidRecordError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.INVALID_RECORD);
  }
}

/** Magic 0/1 message sets: only RecordBatch v2 is stored. */
export class UnsupportedMessageFormatError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  }
}

export class OutOfOrderSequenceError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  }
}

export class InvalidProducerEpochError extends StorageError {
  constructor(message: string) {
    super(message, StorageErrorCode.INVALID_PRODUCER_EPOCH);
  }
}

/** An I/O failure or a log that is closed/offline. */
export class KafkaStorageError extends StorageError {
  constructor(message: string, cause?: unknown) {
    super(message, StorageErrorCode.KAFKA_STORAGE_ERROR);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** Maps any thrown value to the Kafka error code a response should carry. */
export function errorCodeOf(err: unknown): number {
  return err instanceof StorageError ? err.errorCode : StorageErrorCode.KAFKA_STORAGE_ERROR;
}
