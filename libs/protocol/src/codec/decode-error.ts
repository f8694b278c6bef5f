/**
 * Thrown by {@link Reader} (and everything built on it) when input bytes cannot be
 * decoded: truncation, a negative or oversized length, an invalid varint, or a value
 * outside its wire domain. It is the single signal for "malformed frame"; callers
 * should answer it by closing the connection. `offset` is the byte position, relative
 * to the start of the buffer given to the reader, at which decoding failed.
 */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';

  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/**
 * Thrown by the encoder when a value cannot be represented in the requested version:
 * null for a non-nullable field, an out-of-range integer, a malformed UUID. This is a
 * programming error in the caller, never caused by peer input.
 */
export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
}
