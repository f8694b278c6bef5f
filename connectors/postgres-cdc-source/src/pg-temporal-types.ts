import { DATE_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import type { IntervalHandlingMode, TimePrecisionMode } from './postgres-cdc-config';

/**
 * PostgreSQL's temporal types -> Connect schemas and values, as Debezium's PostgreSQL
 * connector emits them, from the server's text (session TimeZone=UTC, DateStyle=ISO,
 * IntervalStyle=postgres: see SESSION_OPTIONS).
 *
 * time.precision.mode (Debezium's key and values):
 *   adaptive (default)  date -> io.debezium.time.Date (int32 days since the epoch);
 *                       time(0..3) -> io.debezium.time.Time (int32 ms), time(4..6) ->
 *                       io.debezium.time.MicroTime (int64 µs); timestamp(0..3) ->
 *                       io.debezium.time.Timestamp (int64 ms), timestamp(4..6) ->
 *                       io.debezium.time.MicroTimestamp (int64 µs)
 *   adaptive_time_microseconds  as adaptive, but every time -> MicroTime
 *   connect             Kafka Connect's logical types (millisecond precision): date ->
 *                       org.apache.kafka.connect.data.Date, time -> ...Time, timestamp ->
 *                       ...Timestamp (values are JS Dates, as the converters expect)
 * In every mode: timestamptz -> io.debezium.time.ZonedTimestamp (ISO-8601 text, "Z" for
 * UTC), timetz -> io.debezium.time.ZonedTime (text).
 * interval.handling.mode: numeric (default) -> io.debezium.time.MicroDuration (int64 µs,
 * a month counted as 30.4375 days, Debezium's average); string -> io.debezium.time.Interval
 * (ISO-8601 "P1Y2M3DT4H5M6.789S").
 */
export interface TemporalModes {
  readonly timePrecisionMode: TimePrecisionMode;
  readonly intervalHandlingMode: IntervalHandlingMode;
}

export const DEFAULT_TEMPORAL_MODES: TemporalModes = { timePrecisionMode: 'adaptive', intervalHandlingMode: 'numeric' };

const OID = { date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266 } as const;

interface Codec {
  readonly schema: ConnectSchema;
  readonly decode: (text: string) => unknown;
}

const named = (type: ConnectSchema['type'], optional: boolean, name: string): ConnectSchema => ({ type, optional, name, version: 1 });

/** Fractional-second precision of a time/timestamp typmod (-1 = 6). */
function timePrecision(typeMod: number): number {
  return typeMod < 0 ? 6 : Math.min(6, typeMod);
}

const days = (t: string): number => Math.round(Date.parse(`${t}T00:00:00Z`) / 86_400_000);

/** The codec of a temporal column, or null for other types. */
export function temporalCodec(col: { readonly typeOid: number; readonly typeMod: number; readonly optional: boolean }, modes: TemporalModes): Codec | null {
  const opt = col.optional;
  const connect = modes.timePrecisionMode === 'connect';
  switch (col.typeOid) {
    case OID.date:
      return connect ? { schema: named('int32', opt, DATE_LOGICAL), decode: (t) => new Date(days(t) * 86_400_000) } : { schema: named('int32', opt, 'io.debezium.time.Date'), decode: days };
    case OID.timestamp: {
      if (connect) return { schema: named('int64', opt, TIMESTAMP_LOGICAL), decode: (t) => new Date(Math.floor(timestampMicros(t) / 1000)) };
      const micro = timePrecision(col.typeMod) > 3;
      return { schema: named('int64', opt, micro ? 'io.debezium.time.MicroTimestamp' : 'io.debezium.time.Timestamp'), decode: (t) => (micro ? timestampMicros(t) : Math.floor(timestampMicros(t) / 1000)) };
    }
    case OID.time: {
      if (connect) return { schema: named('int32', opt, TIME_LOGICAL), decode: (t) => new Date(Math.floor(timeMicros(t) / 1000)) };
      const micro = modes.timePrecisionMode === 'adaptive_time_microseconds' || timePrecision(col.typeMod) > 3;
      return micro ? { schema: named('int64', opt, 'io.debezium.time.MicroTime'), decode: timeMicros } : { schema: named('int32', opt, 'io.debezium.time.Time'), decode: (t) => Math.floor(timeMicros(t) / 1000) };
    }
    case OID.timestamptz:
      return { schema: named('string', opt, 'io.debezium.time.ZonedTimestamp'), decode: zonedTimestamp };
    case OID.timetz:
      return { schema: named('string', opt, 'io.debezium.time.ZonedTime'), decode: (t) => t.replace(/\+00(:00)?$/, 'Z') };
    case OID.interval:
      return modes.intervalHandlingMode === 'string'
        ? { schema: named('string', opt, 'io.debezium.time.Interval'), decode: (t) => isoInterval(parseInterval(t)) }
        : { schema: named('int64', opt, 'io.debezium.time.MicroDuration'), decode: (t) => intervalMicros(parseInterval(t)) };
    default:
      return null;
  }
}

export interface IntervalParts {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  /** The time part in microseconds (signed). */
  readonly micros: number;
}

/** An interval's text in IntervalStyle=postgres ("1 year 2 mons -3 days +04:05:06.789"). */
export function parseInterval(t: string): IntervalParts {
  let years = 0;
  let months = 0;
  let dayCount = 0;
  let micros = 0;
  const unit = /(-?\d+) (years?|mons?|days?)/g;
  for (let m = unit.exec(t); m !== null; m = unit.exec(t)) {
    const n = Number(m[1]);
    if (m[2].startsWith('year')) years = n;
    else if (m[2].startsWith('mon')) months = n;
    else dayCount = n;
  }
  const clock = /([+-]?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(t);
  if (clock) {
    const abs = ((Number(clock[2]) * 60 + Number(clock[3])) * 60 + Number(clock[4])) * 1_000_000 + Number((clock[5] ?? '').padEnd(6, '0'));
    micros = clock[1] === '-' ? -abs : abs;
  }
  if (!clock && !/\d+ (years?|mons?|days?)/.test(t)) throw new Error(`unsupported interval value "${t}"`);
  return { years, months, days: dayCount, micros };
}

const DAYS_PER_MONTH_AVG = 365.25 / 12;

export function intervalMicros(p: IntervalParts): number {
  return Math.round(((p.years * 12 + p.months) * DAYS_PER_MONTH_AVG + p.days) * 86_400_000_000) + p.micros;
}

/** ISO-8601 duration with every component: "P1Y2M3DT4H5M6.789S" (the time part's sign on each of its components). */
export function isoInterval(p: IntervalParts): string {
  const sign = p.micros < 0 ? -1 : 1;
  const abs = Math.abs(p.micros);
  const hours = Math.floor(abs / 3_600_000_000);
  const minutes = Math.floor((abs % 3_600_000_000) / 60_000_000);
  const seconds = (abs % 60_000_000) / 1_000_000;
  return `P${p.years}Y${p.months}M${p.days}DT${sign * hours}H${sign * minutes}M${sign * seconds}S`;
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
