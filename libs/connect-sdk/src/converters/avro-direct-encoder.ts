/**
 * Connect values straight to Avro binary, framed in the Confluent wire format, without
 * the avsc value graph (avro-value-mapping.ts) and without avsc's encode: the fast path
 * of AvroConverter.fromConnectData for the schemas most source tasks emit.
 *
 * Contract:
 * - `compileDirectEncoder(schema)` returns an encoder for a schema made of structs,
 *   primitives (int8..int64, float32/64, boolean, string, bytes), Decimal/Date/Time/
 *   Timestamp and optional values without a default; anything else (arrays, maps,
 *   defaults, an invalid Decimal scale) gives null, and the general path is used.
 * - For every value the general path accepts, the bytes are exactly the general path's
 *   (connectToAvroValue, then the avsc Type of connectToAvroSchema(schema) with the
 *   int64 hook): same zigzag varints, same minimal two's complement decimals, same
 *   string encoding (avsc's own loop for strings of 64 bytes or less, so even lone
 *   surrogates come out alike).
 * - A value the general path would refuse makes the encoder throw (any error, no path in
 *   the message): the caller then runs the general path, which words the error.
 * - Frames are written one after another into a slab of 64 KiB (a new slab when one is
 *   full) and handed out as views of it: no copy per value. A view keeps its slab alive,
 *   so a value kept for long pins at most one slab.
 */
import type { ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { checkBoolean, checkBytes, checkFloat, checkInt, checkString, checkStruct, dateToDays, decimalScale, decimalToBytes, int64ToBigint, logicalOf, normalizeInt64, timestampToMillis, timeToMillis } from './logical-values';

const SLAB_BYTES = 64 * 1024;
/** Node's Buffer has utf8Write (what Buffer#write calls for 'utf8', without the encoding lookup); avsc uses it too. */
type Utf8Writable = Buffer & { utf8Write(s: string, offset: number, length: number): number };
/** avsc writes strings up to this many bytes with its own loop, longer ones with utf8Write. */
const SHORT_STRING_BYTES = 64;
/** Unscaled decimals of up to 15 digits are exact numbers. */
const FAST_DECIMAL_DIGITS = 15;
/** Below 2^52 in magnitude the float zigzag of a long is exact. */
const FLOAT_ZIGZAG_LIMIT = 2 ** 52;

/** The output position: frames are appended to `buf` at `pos`; the frame being written starts at `start`. */
export class FrameWriter {
  buf: Buffer = Buffer.allocUnsafe(SLAB_BYTES);
  pos = 0;
  start = 0;

  /** Makes room for `n` more bytes (a new slab, with the frame written so far copied over). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_BYTES, (used + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Avro int/long zigzag varint of a safe integer. */
  long(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= -1073741824 && n < 1073741824) {
      let m = n >= 0 ? n << 1 : (~n << 1) | 1;
      while (m > 0x7f) {
        buf[pos++] = (m & 0x7f) | 0x80;
        m >>>= 7;
      }
      buf[pos++] = m;
    } else if (n > -FLOAT_ZIGZAG_LIMIT && n < FLOAT_ZIGZAG_LIMIT) {
      let f = n >= 0 ? n * 2 : -n * 2 - 1;
      while (f > 0x7f) {
        buf[pos++] = (f % 128) | 0x80;
        f = Math.floor(f / 128);
      }
      buf[pos++] = f;
    } else {
      this.pos = pos;
      this.bigLong(BigInt(n));
      return;
    }
    this.pos = pos;
  }

  /** Avro long zigzag varint of a 64-bit bigint. */
  bigLong(n: bigint): void {
    this.ensure(10);
    let z = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
    while (z > 0x7fn) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
  }

  float(v: number): void {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Buffer): void {
    this.long(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    const chars = s.length;
    // ASCII of fewer than 64 characters (names, codes, short notes): its byte length is its
    // length and fits a one-byte varint, so it is written without measuring it first.
    if (chars < SHORT_STRING_BYTES) {
      this.ensure(chars + 1);
      const buf = this.buf;
      let pos = this.pos + 1;
      let i = 0;
      for (; i < chars; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === chars) {
        buf[this.pos] = chars << 1;
        this.pos = pos;
        return;
      }
    }
    const len = Buffer.byteLength(s);
    this.long(len);
    this.ensure(len);
    if (len > SHORT_STRING_BYTES) {
      (this.buf as Utf8Writable).utf8Write(s, this.pos, len);
      this.pos += len;
      return;
    }
    // avsc's loop (Tap.writeString), so the bytes are its bytes for every string.
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < chars; i++) {
      let c1 = s.charCodeAt(i);
      let c2: number;
      if (c1 < 0x80) {
        buf[pos++] = c1;
      } else if (c1 < 0x800) {
        buf[pos++] = (c1 >> 6) | 0xc0;
        buf[pos++] = (c1 & 0x3f) | 0x80;
      } else if ((c1 & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
        c1 = 0x10000 + ((c1 & 0x03ff) << 10) + (c2 & 0x03ff);
        i++;
        buf[pos++] = (c1 >> 18) | 0xf0;
        buf[pos++] = ((c1 >> 12) & 0x3f) | 0x80;
        buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c1 & 0x3f) | 0x80;
      } else {
        buf[pos++] = (c1 >> 12) | 0xe0;
        buf[pos++] = ((c1 >> 6) & 0x3f) | 0x80;
        buf[pos++] = (c1 & 0x3f) | 0x80;
      }
    }
    this.pos = pos;
  }

  /** Minimal big-endian two's complement of a safe integer, length-prefixed (decimalToBytes' fast case). */
  unscaled(n: number): void {
    let width = 1;
    while (n >= 2 ** (width * 8 - 1) || n < -(2 ** (width * 8 - 1))) width++;
    this.long(width);
    this.ensure(width);
    let v = n < 0 ? 2 ** (width * 8) + n : n;
    for (let i = this.pos + width - 1; i >= this.pos; i--) {
      this.buf[i] = v % 256;
      v = Math.floor(v / 256);
    }
    this.pos += width;
  }

  /** Frames `value` (magic byte, `schemaId`, Avro body); on a throw nothing is kept. */
  frame(schemaId: number, encode: DirectEncoder, value: unknown): Buffer {
    this.ensure(5);
    this.start = this.pos;
    this.buf[this.pos] = 0;
    this.buf.writeInt32BE(schemaId, this.pos + 1);
    this.pos += 5;
    try {
      encode(this, value);
    } catch (e) {
      this.pos = this.start;
      throw e;
    }
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    return out;
  }
}

/** Writes one Connect value of its schema (null included). */
export type DirectEncoder = (w: FrameWriter, value: unknown) => void;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function int32(w: FrameWriter, n: number): void {
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) throw new RangeError(`not an Avro int: ${n}`);
  w.long(n);
}

function int64(w: FrameWriter, v: unknown): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    w.long(v);
    return;
  }
  const n = normalizeInt64(int64ToBigint(v));
  if (typeof n === 'number') w.long(n);
  else w.bigLong(n);
}

/** The encoder of `schema`, or null when the general path must be used (see the contract). */
export function compileDirectEncoder(schema: ConnectSchema): DirectEncoder | null {
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) return null;
  const present = compilePresent(schema);
  if (!present) return null;
  if (schema.optional) {
    // ["null", T]: branch 0 (zigzag 0) for null, branch 1 (zigzag 2) for a value.
    return (w, v) => {
      if (v === null || v === undefined) w.byte(0);
      else {
        w.byte(2);
        present(w, v);
      }
    };
  }
  return (w, v) => {
    if (v === null || v === undefined) throw new TypeError('null for a required value');
    present(w, v);
  };
}

function compilePresent(schema: ConnectSchema): DirectEncoder | null {
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      let scale: number;
      try {
        scale = decimalScale(schema);
      } catch {
        return null;
      }
      return (w, v) => writeDecimal(w, v, scale);
    }
    case DATE_LOGICAL:
      return (w, v) => int32(w, dateToDays(v));
    case TIME_LOGICAL:
      return (w, v) => int32(w, timeToMillis(v));
    case TIMESTAMP_LOGICAL:
      return (w, v) => {
        // The general path's long refuses an unsafe number (a bigint timestamp beyond 2^53 becomes one).
        const ms = timestampToMillis(v);
        if (!Number.isSafeInteger(ms)) throw new RangeError(`not a safe timestamp: ${ms}`);
        w.long(ms);
      };
    default:
      break;
  }
  const type = schema.type;
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return (w, v) => w.long(checkInt(v, type));
    case 'int64':
      return int64;
    case 'float32':
      return (w, v) => w.float(checkFloat(v, type));
    case 'float64':
      return (w, v) => w.double(checkFloat(v, type));
    case 'boolean':
      return (w, v) => w.byte(checkBoolean(v) ? 1 : 0);
    case 'string':
      return (w, v) => w.string(checkString(v));
    case 'bytes':
      return (w, v) => w.bytes(checkBytes(v));
    case 'struct': {
      const fields: { readonly name: string; readonly encode: DirectEncoder }[] = [];
      for (const f of schema.fields ?? []) {
        const encode = compileDirectEncoder(f.schema);
        if (!encode) return null;
        fields.push({ name: f.name, encode });
      }
      return (w, v) => {
        const struct = checkStruct(v);
        for (let i = 0; i < fields.length; i++) fields[i].encode(w, struct[fields[i].name]);
      };
    }
    default:
      return null;
  }
}

const ZERO = 48;

/**
 * A Decimal as decimalToBytes encodes it: plain text `-?digits[.digits]` with at most
 * `scale` fraction digits and at most 15 unscaled digits is converted without a BigInt
 * or a Buffer; anything else goes through decimalToBytes itself.
 */
function writeDecimal(w: FrameWriter, v: unknown, scale: number): void {
  if (typeof v === 'string' && scale >= 0) {
    const len = v.length;
    let i = v.charCodeAt(0) === 45 ? 1 : 0;
    const negative = i === 1;
    let unscaled = 0;
    let intDigits = 0;
    let fracDigits = -1;
    for (; i < len; i++) {
      const c = v.charCodeAt(i);
      if (c >= ZERO && c <= ZERO + 9) {
        unscaled = unscaled * 10 + (c - ZERO);
        if (fracDigits < 0) intDigits++;
        else fracDigits++;
      } else if (c === 46 && fracDigits < 0) {
        fracDigits = 0;
      } else {
        intDigits = -1;
        break;
      }
    }
    const fraction = fracDigits < 0 ? 0 : fracDigits;
    if (intDigits > 0 && fraction <= scale && intDigits + scale <= FAST_DECIMAL_DIGITS) {
      for (let k = fraction; k < scale; k++) unscaled *= 10;
      w.unscaled(negative ? -unscaled : unscaled);
      return;
    }
  }
  w.bytes(decimalToBytes(v, scale));
}
