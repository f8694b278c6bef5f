/**
 * Confluent wire format of a serialized key or value:
 *
 *   byte 0      magic byte 0x00
 *   bytes 1-4   schema id, big-endian signed int32 (ids are >= 0)
 *   bytes 5..   payload (Avro binary encoding of the datum, no container header)
 *
 * {@link decodeFrame} returns a view on the input buffer (no copy).
 */

export const MAGIC_BYTE = 0x00;
export const HEADER_SIZE = 5;
const MAX_SCHEMA_ID = 0x7fffffff;

export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

export interface Frame {
  schemaId: number;
  payload: Buffer;
}

/** Prefixes `payload` with the magic byte and `schemaId`. */
export function encodeFrame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  payload.copy(out, HEADER_SIZE);
  return encodeFrameHeader(out, schemaId);
}

/** Writes the magic byte and `schemaId` into the first HEADER_SIZE bytes of `frame` (the payload already follows them); returns `frame`. */
export function encodeFrameHeader(frame: Buffer, schemaId: number): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new WireFormatError(`Invalid schema id ${schemaId}: must be an integer in [0, ${MAX_SCHEMA_ID}]`);
  }
  frame[0] = MAGIC_BYTE;
  frame.writeInt32BE(schemaId, 1);
  return frame;
}

/** The schema id of a framed buffer, or undefined when `buf` is not in the wire format (no throw, no copy: for hot paths that only route by id). */
export function frameSchemaId(buf: Buffer): number | undefined {
  if (buf.length < HEADER_SIZE || buf[0] !== MAGIC_BYTE) return undefined;
  const schemaId = buf.readInt32BE(1);
  return schemaId < 0 ? undefined : schemaId;
}

/** Splits a framed buffer; throws {@link WireFormatError} on a short buffer, wrong magic byte or negative id. */
export function decodeFrame(buf: Buffer): Frame {
  if (!Buffer.isBuffer(buf)) throw new WireFormatError('Expected a Buffer');
  if (buf.length < HEADER_SIZE) {
    throw new WireFormatError(
      `Buffer too short for the Confluent wire format: ${buf.length} byte(s), need at least ${HEADER_SIZE} (magic byte + 4-byte schema id)`,
    );
  }
  if (buf[0] !== MAGIC_BYTE) {
    throw new WireFormatError(
      `Unknown magic byte 0x${buf[0].toString(16).padStart(2, '0')}: expected 0x00 (the data was not written with a schema-registry serializer)`,
    );
  }
  const schemaId = buf.readInt32BE(1);
  if (schemaId < 0) throw new WireFormatError(`Invalid schema id ${schemaId} in wire-format header`);
  return { schemaId, payload: buf.subarray(HEADER_SIZE) };
}
