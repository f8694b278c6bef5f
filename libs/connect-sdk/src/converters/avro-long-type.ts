/**
 * An avsc `long` that keeps all 64 bits: values beyond ±(2^53 - 1) are bigints, others
 * numbers (the Connect int64 contract). avsc's own long refuses such values ("potential
 * precision loss"). {@link int64TypeHook} installs it for every `long` of a schema
 * (through avsc's `typeHook` option), logical long types included.
 */
import * as avro from 'avsc';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isInt64(v: unknown): v is number | bigint {
  if (typeof v === 'number') return Number.isSafeInteger(v);
  return typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
}

function normalize(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

const TWO_32 = 2 ** 32;
/** |high word| below 2^21 means the value is a safe integer. */
const SAFE_HIGH = 2 ** 21;
/** avsc packs the 8 bytes `toBuffer` returns before it calls it again, so one buffer serves every write. */
const SCRATCH = Buffer.alloc(8);

/** Little-endian two's complement of a safe integer, without a BigInt. */
function writeSafe(v: number): Buffer {
  const high = Math.floor(v / TWO_32);
  SCRATCH.writeUInt32LE(v - high * TWO_32, 0);
  SCRATCH.writeInt32LE(high, 4);
  return SCRATCH;
}

function readLong(buf: Buffer): number | bigint {
  const high = buf.readInt32LE(4);
  const low = buf.readUInt32LE(0);
  // -2^53 (high -2^21, low 0) is not a safe integer: it stays a bigint, as the contract says (and as isValid wants to write it back).
  if (high < SAFE_HIGH && (high > -SAFE_HIGH || (high === -SAFE_HIGH && low !== 0))) return high * TWO_32 + low;
  return normalize(buf.readBigInt64LE(0));
}

/** avsc's abstract long with the conversions above (frozen by avsc). */
const UNPACKING_LONG_TYPE: avro.types.LongType = avro.types.LongType.__with({
  fromBuffer: readLong,
  toBuffer: (v: number | bigint) => {
    if (typeof v === 'number') return writeSafe(v);
    SCRATCH.writeBigInt64LE(v, 0);
    return SCRATCH;
  },
  fromJSON: (v: unknown) => {
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return normalize(BigInt(v));
    throw new Error(`invalid long: ${String(v)}`);
  },
  toJSON: (v: number | bigint) => (typeof v === 'bigint' ? Number(v) : v),
  isValid: isInt64,
  compare: (a: number | bigint, b: number | bigint) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  },
});

/** avsc's reader position over a buffer (the part of its Tap used here). */
interface ReadTap {
  buf: Buffer;
  pos: number;
}

/** The read avsc's abstract long does (unpack the varint into 8 new bytes, then `fromBuffer`). */
const unpackingRead = (UNPACKING_LONG_TYPE as unknown as { _read(tap: ReadTap): number | bigint | undefined })._read;
/** 2^53: below it a float sum of the varint's 7-bit groups is exact. */
const EXACT = 2 ** 53;

/**
 * Reads a long straight from the zigzag varint, with no buffer per value: the 7-bit
 * groups are summed as a float while that is exact (zigzag value below 2^53, i.e. any
 * |value| below 2^52: ids, epoch micros); anything larger is read again by avsc's
 * unpacking read (bigint beyond the safe range). A varint running past the buffer leaves
 * `pos` past its end, which avsc reports as a truncated buffer.
 */
function readLongDirect(this: unknown, tap: ReadTap): number | bigint | undefined {
  const buf = tap.buf;
  const start = tap.pos;
  let pos = start;
  let b = buf[pos++];
  let z = b & 0x7f;
  let scale = 128;
  while (b & 0x80) {
    if (pos >= buf.length || scale > EXACT) break;
    b = buf[pos++];
    z += (b & 0x7f) * scale;
    scale *= 128;
  }
  if (b & 0x80 || z >= EXACT) {
    tap.pos = start;
    return unpackingRead.call(this, tap);
  }
  tap.pos = pos;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
/**
 * The shared 64-bit long type (safe integers never go through a BigInt): avsc's abstract
 * long with the direct read (an object on top of the frozen avsc type, so it is still an
 * avsc Type of the same kind).
 */
export const INT64_LONG_TYPE: avro.types.LongType = Object.freeze(Object.assign(Object.create(UNPACKING_LONG_TYPE) as avro.types.LongType, { _read: readLongDirect }));

/** avsc `typeHook` mapping every long (named or in an object schema) to {@link INT64_LONG_TYPE}. */
export function int64TypeHook(schema: avro.Schema): avro.Type | undefined {
  if (schema === 'long') return INT64_LONG_TYPE;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long') return INT64_LONG_TYPE;
  return undefined;
}
