/** Errors raised by the Avro serde (registry and framing errors keep their own classes). */

/** The value does not match the schema, or the schema cannot be used. */
export class SerializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerializationError';
  }
}

/** The bytes cannot be decoded with the writer schema (or resolved to the reader schema). */
export class DeserializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeserializationError';
  }
}
