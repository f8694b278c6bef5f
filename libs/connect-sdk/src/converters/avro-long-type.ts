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

/** The shared 64-bit long type. */
export const INT64_LONG_TYPE: avro.types.LongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => normalize(buf.readBigInt64LE(0)),
  toBuffer: (v: number | bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(v), 0);
    return buf;
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

/** avsc `typeHook` mapping every long (named or in an object schema) to {@link INT64_LONG_TYPE}. */
export function int64TypeHook(schema: avro.Schema): avro.Type | undefined {
  if (schema === 'long') return INT64_LONG_TYPE;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long') return INT64_LONG_TYPE;
  return undefined;
}
