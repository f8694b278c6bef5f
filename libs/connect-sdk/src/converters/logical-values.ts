/**
 * Value helpers shared by the converters: Kafka Connect's logical types between their
 * value representation (connect-schema.ts) and their underlying encoding, and the checks
 * of primitive values. Every failure throws {@link ConverterError}; `path` names the
 * place in the record (e.g. "value.items[2].price") for the message.
 *
 * - Decimal: a decimal string ("-12.340"; numbers and bigints are accepted) <-> the unscaled
 *   integer at the schema's scale (`parameters.scale`), encoded as big-endian two's
 *   complement bytes (Java BigInteger.toByteArray: minimal length, 0 -> one 0x00 byte).
 *   More fractional digits than the scale is an error unless they are zeros (no rounding).
 * - Date: Date at UTC midnight <-> int32 days since epoch.
 * - Time: Date on 1970-01-01 UTC <-> int32 milliseconds since midnight.
 * - Timestamp: Date <-> int64 milliseconds since epoch.
 * Numbers are also accepted for Date/Time/Timestamp, as the underlying value.
 */
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema, type SchemaType } from '../record/connect-schema';
import { ConverterError } from './converter';

export const MS_PER_DAY = 86_400_000;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export type LogicalName = typeof DECIMAL_LOGICAL | typeof DATE_LOGICAL | typeof TIME_LOGICAL | typeof TIMESTAMP_LOGICAL;

/** The schema's logical type when it is one of Kafka Connect's four (and on the right base type). */
export function logicalOf(schema: ConnectSchema): LogicalName | null {
  switch (schema.name) {
    case DECIMAL_LOGICAL:
      return schema.type === 'bytes' ? DECIMAL_LOGICAL : null;
    case DATE_LOGICAL:
      return schema.type === 'int32' ? DATE_LOGICAL : null;
    case TIME_LOGICAL:
      return schema.type === 'int32' ? TIME_LOGICAL : null;
    case TIMESTAMP_LOGICAL:
      return schema.type === 'int64' ? TIMESTAMP_LOGICAL : null;
    default:
      return null;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (value instanceof Date) return 'Date';
  if (value instanceof Map) return 'Map';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function at(path: string): string {
  return path ? ` at ${path}` : '';
}

/** `parameters.scale` of a Decimal schema (0 when absent). */
export function decimalScale(schema: ConnectSchema, path = ''): number {
  const raw = schema.parameters?.scale;
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConverterError(`Invalid Decimal scale parameter '${raw}'${at(path)}`);
  return n;
}

/** Decimal value -> unscaled integer at `scale`. */
export function decimalToUnscaled(value: unknown, scale: number, path = ''): bigint {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number' && Number.isFinite(value)) text = plainNumberText(value);
  else throw new ConverterError(`Invalid type for Decimal${at(path)}: expected a decimal string but was ${describeValue(value)}`);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new ConverterError(`Invalid Decimal value '${text}'${at(path)}`);
  const exponent = m[4] ? Number(m[4]) : 0;
  let digits = m[2] + (m[3] ?? '');
  // value = digits * 10^(exponent - fractionLength); we want value * 10^scale
  let shift = scale + exponent - (m[3] ?? '').length;
  if (shift < 0) {
    const dropped = digits.slice(digits.length + shift);
    if (/[^0]/.test(dropped.padStart(-shift, '0'))) {
      throw new ConverterError(`Decimal value ${text} has more fractional digits than the scale ${scale} of its schema${at(path)}`);
    }
    digits = digits.slice(0, Math.max(0, digits.length + shift));
    shift = 0;
  }
  const unscaled = BigInt((digits || '0') + '0'.repeat(shift));
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Unscaled integer at `scale` -> decimal string with exactly `scale` fractional digits. */
export function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-scale);
  return plainUnscaledToDecimal(negative, digits, scale);
}

/** Big-endian two's complement, minimal length (Java BigInteger.toByteArray). */
export function bigintToBytes(n: bigint): Buffer {
  let width = 1;
  while (n >= 1n << BigInt(width * 8 - 1) || n < -(1n << BigInt(width * 8 - 1))) width++;
  let v = n < 0n ? (1n << BigInt(width * 8)) + n : n;
  const out = Buffer.alloc(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Big-endian two's complement bytes -> integer. */
export function bytesToBigint(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  const v = BigInt('0x' + bytes.toString('hex'));
  return bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** A plain decimal text (no exponent), for the fast path of small values. */
const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/;
/** Unscaled values up to 15 digits are exact JS numbers (and fit 7 bytes). */
const FAST_DIGITS = 15;

export function decimalToBytes(value: unknown, scale: number, path = ''): Buffer {
  if (typeof value === 'string' && scale >= 0) {
    const m = PLAIN_DECIMAL.exec(value);
    const fraction = m?.[3] ?? '';
    if (m && fraction.length <= scale && m[2].length + scale <= FAST_DIGITS) {
      const unscaled = Number(m[2] + fraction.padEnd(scale, '0'));
      return safeIntegerToBytes(m[1] === '-' ? -unscaled : unscaled);
    }
  }
  return bigintToBytes(decimalToUnscaled(value, scale, path));
}

export function bytesToDecimal(bytes: Buffer, scale: number): string {
  if (bytes.length > 0 && bytes.length <= 6 && scale >= 0) {
    let v = 0;
    for (let i = 0; i < bytes.length; i++) v = v * 256 + bytes[i];
    if (bytes[0] & 0x80) v -= 2 ** (bytes.length * 8);
    return plainUnscaledToDecimal(v < 0, String(Math.abs(v)), scale);
  }
  return unscaledToDecimal(bytesToBigint(bytes), scale);
}

/** Minimal big-endian two's complement of a safe integer (as bigintToBytes, without a BigInt). */
function safeIntegerToBytes(n: number): Buffer {
  let width = 1;
  while (n >= 2 ** (width * 8 - 1) || n < -(2 ** (width * 8 - 1))) width++;
  let v = n < 0 ? 2 ** (width * 8) + n : n;
  const out = Buffer.allocUnsafe(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

function plainUnscaledToDecimal(negative: boolean, digits: string, scale: number): string {
  if (scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

/** A finite number as plain decimal text (no exponent). */
export function plainNumberText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  const pointAt = 1 + exp;
  if (pointAt <= 0) return `${m[1]}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return m[1] + digits + '0'.repeat(pointAt - digits.length);
  return `${m[1]}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

function toDate(value: unknown, what: string, path: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw new ConverterError(`Invalid type for ${what}${at(path)}: expected a Date but was ${describeValue(value)}`);
}

/** Date value -> days since epoch (Kafka refuses a time of day). */
export function dateToDays(value: unknown, path = ''): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const ms = toDate(value, 'Date', path).getTime();
  if (ms % MS_PER_DAY !== 0) throw new ConverterError(`Kafka Connect Date type should not have any time fields set to non-zero values${at(path)}`);
  return ms / MS_PER_DAY;
}

export function daysToDate(days: number): Date {
  return new Date(days * MS_PER_DAY);
}

/** Time value -> milliseconds since midnight (Kafka refuses a date other than 1970-01-01). */
export function timeToMillis(value: unknown, path = ''): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const ms = toDate(value, 'Time', path).getTime();
  if (ms < 0 || ms >= MS_PER_DAY) throw new ConverterError(`Kafka Connect Time type should not have any date fields set to non-zero values${at(path)}`);
  return ms;
}

export function millisToTime(ms: number): Date {
  return new Date(ms);
}

/** Timestamp value -> milliseconds since epoch. */
export function timestampToMillis(value: unknown, path = ''): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return toDate(value, 'Timestamp', path).getTime();
}

const INT_BOUNDS: Partial<Record<SchemaType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/** An int8/int16/int32 value (a number, integral and in range). */
export function checkInt(value: unknown, type: 'int8' | 'int16' | 'int32', path = ''): number {
  const [min, max] = INT_BOUNDS[type] as [number, number];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ConverterError(`Invalid type for ${type.toUpperCase()}${at(path)}: expected an integer but was ${describeValue(value)}`);
  if (value < min || value > max) throw new ConverterError(`Value ${value} out of range for ${type.toUpperCase()}${at(path)}`);
  return value;
}

/** An int64 value as bigint (number or bigint input; strings of digits are refused). */
export function int64ToBigint(value: unknown, path = ''): bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else throw new ConverterError(`Invalid type for INT64${at(path)}: expected an integer number or bigint but was ${describeValue(value)}`);
  if (big < INT64_MIN || big > INT64_MAX) throw new ConverterError(`Value ${big} out of range for INT64${at(path)}`);
  return big;
}

/** The contract's int64 representation: number when safe, else bigint. */
export function normalizeInt64(value: bigint): number | bigint {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
}

export function checkFloat(value: unknown, type: 'float32' | 'float64', path = ''): number {
  if (typeof value !== 'number') throw new ConverterError(`Invalid type for ${type.toUpperCase()}${at(path)}: expected a number but was ${describeValue(value)}`);
  return value;
}

export function checkBoolean(value: unknown, path = ''): boolean {
  if (typeof value !== 'boolean') throw new ConverterError(`Invalid type for BOOLEAN${at(path)}: expected a boolean but was ${describeValue(value)}`);
  return value;
}

export function checkString(value: unknown, path = ''): string {
  if (typeof value !== 'string') throw new ConverterError(`Invalid type for STRING${at(path)}: expected a string but was ${describeValue(value)}`);
  return value;
}

export function checkBytes(value: unknown, path = ''): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ConverterError(`Invalid type for BYTES${at(path)}: expected a Buffer but was ${describeValue(value)}`);
}

/** Entries of a map value (Map or plain object). */
export function mapEntries(value: unknown, path = ''): [unknown, unknown][] {
  if (value instanceof Map) return [...value.entries()];
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date)) {
    return Object.entries(value);
  }
  throw new ConverterError(`Invalid type for MAP${at(path)}: expected a Map or an object but was ${describeValue(value)}`);
}

/** A struct value (plain object). */
export function checkStruct(value: unknown, path = ''): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Date) && !(value instanceof Map)) {
    return value as Record<string, unknown>;
  }
  throw new ConverterError(`Invalid type for STRUCT${at(path)}: expected an object but was ${describeValue(value)}`);
}

export function checkArray(value: unknown, path = ''): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ConverterError(`Invalid type for ARRAY${at(path)}: expected an array but was ${describeValue(value)}`);
}

/** Appends a struct field / map key / array index to a path. */
export function childPath(path: string, part: string | number): string {
  if (typeof part === 'number') return `${path}[${part}]`;
  return path ? `${path}.${part}` : part;
}
