import { RecordDecodeError } from './errors';

/**
 * Kafka variable-length integers (same as protobuf's sint32/sint64).
 *
 * Encoding, byte by byte:
 *   1. zigzag-map the signed value to unsigned so small magnitudes stay small:
 *        0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...  i.e. (n << 1) ^ (n >> 63)
 *   2. emit the unsigned value 7 bits at a time, least significant group first;
 *      every byte except the last has its high bit (0x80) set.
 *
 *   value        bytes
 *   0            00
 *   -1           01
 *   1            02
 *   63           7e
 *   -64          7f
 *   64           80 01
 *   300          d8 04
 *   2147483647   fe ff ff ff 0f
 *   -2147483648  ff ff ff ff 0f
 *
 * A varint (int32) is at most 5 bytes, a varlong (int64) at most 10 bytes.
 *
 * Decoders take a {@link Cursor} and advance it; encoders take a position and
 * return the position after the written bytes. Varlongs are JS numbers: the
 * supported range is -2^52 <= value < 2^52 (zigzag value <= 2^53 - 1); anything
 * larger is rejected on decode rather than silently rounded. Timestamps (~2^41) and
 * offsets fit easily.
 */

/** Mutable read position shared by the decoders of this folder. */
export interface Cursor {
  pos: number;
}

export const MAX_VARINT_BYTES = 5;
export const MAX_VARLONG_BYTES = 10;

/** Number of bytes `writeVarint(value)` produces. `value` must be an int32. */
export function varintSize(value: number): number {
  let u = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (u >= 0x80) {
    u >>>= 7;
    size++;
  }
  return size;
}

/** Writes the zigzag varint of int32 `value` at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let u = ((value << 1) ^ (value >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/**
 * Reads a zigzag varint (int32) at `cursor.pos`, advancing the cursor.
 * `end` bounds the read (defaults to buf.length). Throws RecordDecodeError when
 * the bytes run out or the varint is longer than 5 bytes.
 */
export function readVarint(buf: Buffer, cursor: Cursor, end: number = buf.length): number {
  let pos = cursor.pos;
  let u = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) throw new RecordDecodeError(`truncated varint at ${cursor.pos}`);
    const b = buf[pos++];
    u |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new RecordDecodeError(`varint longer than ${MAX_VARINT_BYTES} bytes at ${cursor.pos}`);
  }
  cursor.pos = pos;
  return (u >>> 1) ^ -(u & 1);
}

/** Zigzag-maps a safe integer to the unsigned value that a varlong carries. */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Number of bytes `writeVarlong(value)` produces. `value` must be a safe integer. */
export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value);
  let u = zigzag64(value);
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

/** Writes the zigzag varlong of safe integer `value` at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value);
  let u = zigzag64(value);
  while (u >= 0x80) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/**
 * Reads a zigzag varlong (int64) at `cursor.pos`, advancing the cursor.
 * Throws RecordDecodeError when truncated, longer than 10 bytes, or when the
 * value is outside the exactly representable range (see the file comment).
 */
export function readVarlong(buf: Buffer, cursor: Cursor, end: number = buf.length): number {
  let pos = cursor.pos;
  // Low 28 bits in an int (fast path: deltas are usually small), the rest as a float.
  let lo = 0;
  let shift = 0;
  let b = 0;
  do {
    if (pos >= end) throw new RecordDecodeError(`truncated varlong at ${cursor.pos}`);
    b = buf[pos++];
    lo |= (b & 0x7f) << shift;
    shift += 7;
  } while ((b & 0x80) !== 0 && shift < 28);
  let u = lo;
  if ((b & 0x80) !== 0) {
    let mul = 1 << 28;
    for (;;) {
      if (pos >= end) throw new RecordDecodeError(`truncated varlong at ${cursor.pos}`);
      if (pos - cursor.pos >= MAX_VARLONG_BYTES) {
        throw new RecordDecodeError(`varlong longer than ${MAX_VARLONG_BYTES} bytes at ${cursor.pos}`);
      }
      b = buf[pos++];
      u += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
    }
    if (u > Number.MAX_SAFE_INTEGER) {
      throw new RecordDecodeError(`varlong at ${cursor.pos} does not fit in a JS safe integer`);
    }
  }
  cursor.pos = pos;
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

