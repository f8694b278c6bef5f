/**
 * Kafka protocol error codes used by the record layer. The numbers are the
 * wire values of the Produce/Fetch error_code field.
 */
export enum RecordErrorCode {
  /** Batch/record bytes are malformed: bad CRC, bad length, truncated, undecodable. */
  CorruptMessage = 2,
  /** A producer set LogAppendTime on its batch (only the broker may). */
  InvalidTimestamp = 32,
  /** Magic 0/1 message sets: this broker only speaks RecordBatch v2. */
  UnsupportedForMessageFormat = 43,
  /** Well-formed bytes that violate a rule (offset range vs count, control batch from a client...). */
  InvalidRecord = 87,
}

/**
 * Thrown by every decoder in this folder when bytes cannot be decoded.
 * `code` is the Kafka error code a broker should answer with.
 */
export class RecordDecodeError extends Error {
  override readonly name = 'RecordDecodeError';

  constructor(
    message: string,
    readonly code: RecordErrorCode = RecordErrorCode.CorruptMessage,
  ) {
    super(message);
  }
}
