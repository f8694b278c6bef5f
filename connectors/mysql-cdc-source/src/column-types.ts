import { DATE_LOGICAL, DECIMAL_LOGICAL, normalizeInt64, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import { DEBEZIUM_DATE, DEBEZIUM_MICRO_TIME, DEBEZIUM_MICRO_TIMESTAMP, DEBEZIUM_TIMESTAMP, DEBEZIUM_ZONED_TIMESTAMP } from '@millrace/jdbc';
import type { DecimalHandlingMode, TimePrecisionMode } from './mysql-cdc-config';

/**
 * MySQL/MariaDB column types -> Connect schemas and values, as Debezium's MySQL connector
 * emits them. Values come in the forms mysql2 gives for query results and @vlasky/zongji
 * for binlog rows with the options of `connectionOptions` (they agree): integers as
 * numbers (64-bit beyond 2^53 as exact text), DECIMAL as text, dates/times as text in
 * UTC, JSON as text, binary types and BIT as Buffers.
 *
 *   tinyint(1) / bool -> boolean; bit(1) -> boolean; bit(n) -> bytes io.debezium.data.Bits (little-endian, as Debezium)
 *   tinyint, tinyint unsigned, smallint -> int16; smallint unsigned, mediumint, int -> int32
 *   int unsigned, bigint -> int64; bigint unsigned -> Decimal(20, 0) (lossless)
 *   decimal(p,s) -> Decimal (scale s, connect.decimal.precision p) | float64 | string
 *   float -> float32 (shortestFloat32); double/real -> float64
 *   date -> io.debezium.time.Date (int32 days); datetime(0..3) -> Timestamp (int64 ms);
 *   datetime(4..6) -> MicroTimestamp (int64 µs); timestamp(p) -> ZonedTimestamp (UTC text, p digits);
 *   time -> MicroTime (int64 µs); year -> io.debezium.time.Year (int32)
 *   (time.precision.mode=connect: Connect Date, Time and Timestamp in ms; timestamp stays ZonedTimestamp)
 *   char/varchar/text -> string; binary/varbinary/blob -> bytes
 *   enum -> string io.debezium.data.Enum {allowed}; set -> string io.debezium.data.EnumSet {allowed}
 *   json -> string io.debezium.data.Json; anything else -> string (or bytes when it arrives as a Buffer)
 * Zero dates ('0000-00-00...', stored under a sql_mode without NO_ZERO_DATE) as Debezium
 * emits them: null in a nullable column, the epoch in a NOT NULL one (0 days / 0 ms / 0 µs,
 * '1970-01-01T00:00:00[.000000]Z'), whose schema allows no null.
 */
export interface MySqlColumn {
  readonly name: string;
  /** information_schema DATA_TYPE, lower case ("int", "varchar"). */
  readonly dataType: string;
  /** information_schema COLUMN_TYPE ("int(10) unsigned", "enum('a','b')"). */
  readonly columnType: string;
  readonly optional: boolean;
  readonly precision: number | null;
  readonly scale: number | null;
  /** DATETIME_PRECISION (fractional-second digits). */
  readonly fsp: number | null;
}

export interface ColumnCodec {
  readonly schema: ConnectSchema;
  readonly decode: (value: unknown) => unknown;
}

const s = (type: ConnectSchema['type'], optional: boolean, name?: string, parameters?: Record<string, string>): ConnectSchema => ({
  type, optional, ...(name ? { name, version: 1 } : {}), ...(parameters ? { parameters } : {}),
});

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const int64 = (v: unknown): number | bigint => (typeof v === 'number' ? v : normalizeInt64(BigInt(text(v))));
const isZeroDate = (v: unknown): boolean => typeof v === 'string' && v.startsWith('0000-00-00');

/**
 * A FLOAT's value as the shortest decimal that is the same single-precision number (Java's
 * Float.toString, as Debezium's JSON shows it): the binlog's exact float32 (1234567.875) and
 * the query result's text (1234567.9) become the same number.
 */
export function shortestFloat32(value: number): number {
  const f = Math.fround(value);
  if (!Number.isFinite(f)) return f;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}

/** Microseconds since the epoch of 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' read as UTC. */
export function parseDateTimeMicros(value: string): number {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?/.exec(value);
  if (!m) throw new Error(`not a MySQL date/time: "${value}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  return ms * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

/** Microseconds of a MySQL TIME text '[-]HHH:MM:SS[.ffffff]' (may be negative or beyond 24 h). */
export function parseTimeMicros(value: string): number {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(value);
  if (!m) throw new Error(`not a MySQL time: "${value}"`);
  const micros = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4])) * 1_000_000 + Number((m[5] ?? '').padEnd(6, '0'));
  return m[1] ? -micros : micros;
}

/** 'YYYY-MM-DDTHH:MM:SS[.f]Z' of a UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]' text, with `digits` fraction digits. */
export function zonedTimestamp(value: string, digits: number): string {
  const [date, time = '00:00:00'] = value.split(' ');
  const [hms, frac = ''] = time.split('.');
  return `${date}T${hms}${digits > 0 ? `.${frac.padEnd(6, '0').slice(0, digits)}` : ''}Z`;
}

/** The quoted values of an enum('a','b')/set(...) column type. */
export function enumValues(columnType: string): string[] {
  const inner = /^(?:enum|set)\((.*)\)$/i.exec(columnType)?.[1] ?? '';
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(inner); m !== null; m = re.exec(inner)) out.push(m[1].replace(/''/g, "'"));
  return out;
}

export function columnCodec(col: MySqlColumn, decimalMode: DecimalHandlingMode, timeMode: TimePrecisionMode): ColumnCodec {
  const opt = col.optional;
  const unsigned = /\bunsigned\b/i.test(col.columnType);
  const connectTime = timeMode === 'connect';
  // a date/time value's text to `convert`; a zero date: null (nullable column) or the epoch (NOT NULL)
  const temporal = (convert: (value: string) => unknown) => (v: unknown): unknown => (!isZeroDate(v) ? convert(text(v)) : opt ? null : convert('1970-01-01 00:00:00'));
  switch (col.dataType) {
    case 'tinyint':
      if (/^tinyint\(1\)/i.test(col.columnType)) return { schema: s('boolean', opt), decode: (v) => Number(v) !== 0 };
      return { schema: s('int16', opt), decode: Number };
    case 'smallint':
      return { schema: s(unsigned ? 'int32' : 'int16', opt), decode: Number };
    case 'mediumint':
      return { schema: s('int32', opt), decode: Number };
    case 'int':
    case 'integer':
      return unsigned ? { schema: s('int64', opt), decode: Number } : { schema: s('int32', opt), decode: Number };
    case 'bigint':
      if (unsigned) return { schema: s('bytes', opt, DECIMAL_LOGICAL, { scale: '0', 'connect.decimal.precision': '20' }), decode: text };
      return { schema: s('int64', opt), decode: int64 };
    case 'decimal':
    case 'numeric':
      if (decimalMode === 'double') return { schema: s('float64', opt), decode: (v) => Number(text(v)) };
      if (decimalMode === 'string') return { schema: s('string', opt), decode: text };
      return { schema: s('bytes', opt, DECIMAL_LOGICAL, { scale: String(col.scale ?? 0), 'connect.decimal.precision': String(col.precision ?? 10) }), decode: text };
    case 'float':
      return { schema: s('float32', opt), decode: (v) => shortestFloat32(Number(v)) };
    case 'double':
    case 'real':
      return { schema: s('float64', opt), decode: Number };
    case 'bit':
      if ((col.precision ?? 1) === 1) return { schema: s('boolean', opt), decode: (v) => (Buffer.isBuffer(v) ? v.some((b) => b !== 0) : Number(v) !== 0) };
      return { schema: s('bytes', opt, 'io.debezium.data.Bits', { length: String(col.precision) }), decode: (v) => Buffer.from(Buffer.isBuffer(v) ? v : Buffer.from(text(v))).reverse() };
    case 'date':
      return { schema: s('int32', opt, connectTime ? DATE_LOGICAL : DEBEZIUM_DATE), decode: temporal((t) => parseDateTimeMicros(t) / 86_400_000_000) };
    case 'datetime': {
      const micro = !connectTime && (col.fsp ?? 0) > 3;
      const name = connectTime ? TIMESTAMP_LOGICAL : micro ? DEBEZIUM_MICRO_TIMESTAMP : DEBEZIUM_TIMESTAMP;
      return { schema: s('int64', opt, name), decode: temporal((t) => (micro ? parseDateTimeMicros(t) : Math.floor(parseDateTimeMicros(t) / 1000))) };
    }
    case 'timestamp':
      return { schema: s('string', opt, DEBEZIUM_ZONED_TIMESTAMP), decode: temporal((t) => zonedTimestamp(t, col.fsp ?? 0)) };
    case 'time':
      return connectTime
        ? { schema: s('int32', opt, TIME_LOGICAL), decode: (v) => Math.floor(parseTimeMicros(text(v)) / 1000) }
        : { schema: s('int64', opt, DEBEZIUM_MICRO_TIME), decode: (v) => parseTimeMicros(text(v)) };
    case 'year':
      return { schema: s('int32', opt, 'io.debezium.time.Year'), decode: Number };
    case 'enum':
      return { schema: s('string', opt, 'io.debezium.data.Enum', { allowed: enumValues(col.columnType).join(',') }), decode: text };
    case 'set':
      return { schema: s('string', opt, 'io.debezium.data.EnumSet', { allowed: enumValues(col.columnType).join(',') }), decode: text };
    case 'json':
      return { schema: s('string', opt, 'io.debezium.data.Json'), decode: text };
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { schema: s('bytes', opt), decode: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(text(v), 'binary')) };
    default:
      return { schema: s('string', opt), decode: text };
  }
}
