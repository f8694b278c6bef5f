import { bigintToBytes, DECIMAL_LOGICAL, normalizeInt64, type ConnectSchema } from '@millrace/connect-sdk';
import type { DecimalHandlingMode } from './postgres-cdc-config';

/**
 * PostgreSQL column types -> Connect schemas and values, as Debezium's PostgreSQL
 * connector emits them (time.precision.mode=adaptive). Values come in as the server's
 * TEXT output — the same text from snapshot queries and from pgoutput — with the session
 * settings of SESSION_OPTIONS (UTC, ISO dates, hex bytea), so one decoder serves both.
 *
 *   int2 -> int16, int4 -> int32, int8 -> int64, float4 -> float32, float8 -> float64, bool
 *   numeric(p,s) -> Decimal (scale s, connect.decimal.precision p) | float64 | string
 *   numeric      -> io.debezium.data.VariableScaleDecimal {scale int32, value bytes} | float64 | string
 *   date -> io.debezium.time.Date (int32 days)
 *   timestamp(0..3) -> io.debezium.time.Timestamp (int64 ms); timestamp(4..6) -> MicroTimestamp (int64 µs)
 *   timestamptz -> io.debezium.time.ZonedTimestamp (ISO text in UTC, "...Z")
 *   time(0..3) -> io.debezium.time.Time (int32 ms); time(4..6) -> MicroTime (int64 µs)
 *   uuid -> string io.debezium.data.Uuid; json/jsonb -> string io.debezium.data.Json
 *   bytea -> bytes; text/varchar/bpchar/name and every other type (enums, arrays,
 *   intervals, ...) -> string (their text form; the full type list is still to come).
 */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c bytea_output=hex -c extra_float_digits=3';

export interface PgColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  readonly optional: boolean;
}

export type TextDecoder = (text: string) => unknown;

export interface ColumnCodec {
  readonly schema: ConnectSchema;
  readonly decode: TextDecoder;
}

const OID = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, oid: 26, json: 114, float4: 700, float8: 701,
  date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, timetz: 1266, numeric: 1700, uuid: 2950, jsonb: 3802,
} as const;

const s = (type: ConnectSchema['type'], optional: boolean, name?: string, parameters?: Record<string, string>): ConnectSchema => ({
  type, optional, ...(name ? { name, version: 1 } : {}), ...(parameters ? { parameters } : {}),
});

const num = (t: string): number => (t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : Number(t));

/** Fractional-second precision of a time/timestamp typmod (-1 = 6). */
function timePrecision(typeMod: number): number {
  return typeMod < 0 ? 6 : Math.min(6, typeMod);
}

export function columnCodec(col: PgColumn, decimalMode: DecimalHandlingMode): ColumnCodec {
  const opt = col.optional;
  switch (col.typeOid) {
    case OID.bool:
      return { schema: s('boolean', opt), decode: (t) => t === 't' || t === 'true' };
    case OID.int2:
      return { schema: s('int16', opt), decode: Number };
    case OID.int4:
      return { schema: s('int32', opt), decode: Number };
    case OID.oid:
    case OID.int8:
      return { schema: s('int64', opt), decode: (t) => normalizeInt64(BigInt(t)) };
    case OID.float4:
      return { schema: s('float32', opt), decode: num };
    case OID.float8:
      return { schema: s('float64', opt), decode: num };
    case OID.numeric:
      return numericCodec(col, decimalMode);
    case OID.bytea:
      return { schema: s('bytes', opt), decode: (t) => Buffer.from(t.startsWith('\\x') ? t.slice(2) : t, 'hex') };
    case OID.date:
      return { schema: s('int32', opt, 'io.debezium.time.Date'), decode: (t) => Math.round(Date.parse(`${t}T00:00:00Z`) / 86_400_000) };
    case OID.timestamp: {
      const micro = timePrecision(col.typeMod) > 3;
      return { schema: s('int64', opt, micro ? 'io.debezium.time.MicroTimestamp' : 'io.debezium.time.Timestamp'), decode: (t) => (micro ? timestampMicros(t) : Math.floor(timestampMicros(t) / 1000)) };
    }
    case OID.timestamptz:
      return { schema: s('string', opt, 'io.debezium.time.ZonedTimestamp'), decode: zonedTimestamp };
    case OID.time: {
      const micro = timePrecision(col.typeMod) > 3;
      return micro ? { schema: s('int64', opt, 'io.debezium.time.MicroTime'), decode: timeMicros } : { schema: s('int32', opt, 'io.debezium.time.Time'), decode: (t) => Math.floor(timeMicros(t) / 1000) };
    }
    case OID.timetz:
      return { schema: s('string', opt, 'io.debezium.time.ZonedTime'), decode: (t) => t.replace(/\+00(:00)?$/, 'Z') };
    case OID.uuid:
      return { schema: s('string', opt, 'io.debezium.data.Uuid'), decode: (t) => t };
    case OID.json:
    case OID.jsonb:
      return { schema: s('string', opt, 'io.debezium.data.Json'), decode: (t) => t };
    default:
      return { schema: s('string', opt), decode: (t) => t };
  }
}

function numericCodec(col: PgColumn, mode: DecimalHandlingMode): ColumnCodec {
  const opt = col.optional;
  if (mode === 'double') return { schema: s('float64', opt), decode: num };
  if (mode === 'string') return { schema: s('string', opt), decode: (t) => t };
  if (col.typeMod >= 4) {
    const precision = ((col.typeMod - 4) >> 16) & 0xffff;
    const scale = (col.typeMod - 4) & 0xffff;
    return { schema: { type: 'bytes', optional: opt, name: DECIMAL_LOGICAL, version: 1, parameters: { scale: String(scale), 'connect.decimal.precision': String(precision) } }, decode: (t) => t };
  }
  const schema: ConnectSchema = {
    type: 'struct', optional: opt, name: 'io.debezium.data.VariableScaleDecimal', version: 1, doc: 'Variable scaled decimal',
    fields: [
      { name: 'scale', index: 0, schema: { type: 'int32', optional: false } },
      { name: 'value', index: 1, schema: { type: 'bytes', optional: false } },
    ],
  };
  return {
    schema,
    decode: (t) => {
      const [int, frac = ''] = t.split('.');
      return { scale: frac.length, value: bigintToBytes(BigInt(int + frac)) };
    },
  };
}

const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?( BC)?$/;

/** Microseconds since the epoch of a `timestamp` text ("2024-02-29 13:04:05.123456", UTC). */
export function timestampMicros(t: string): number {
  const m = TIMESTAMP.exec(t);
  if (!m) throw new Error(`unsupported timestamp value "${t}"`);
  const year = m[8] ? 1 - Number(m[1]) : Number(m[1]);
  const d = new Date(0);
  d.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return d.getTime() * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

/** "2024-02-29 13:04:05.123456+00" (session time zone UTC) -> "2024-02-29T13:04:05.123456Z". */
export function zonedTimestamp(t: string): string {
  const m = /^(.*?)([+-]\d{2}(?::?\d{2}){0,2})$/.exec(t);
  if (!m) return t;
  const local = m[1].replace(' ', 'T');
  return /^[+-]00(:?00)*$/.test(m[2]) ? `${local}Z` : `${local}${m[2]}`;
}

/** Microseconds since midnight of a `time` text ("13:04:05.123456"). */
export function timeMicros(t: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(t);
  if (!m) throw new Error(`unsupported time value "${t}"`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Number((m[4] ?? '').padEnd(6, '0'));
}
