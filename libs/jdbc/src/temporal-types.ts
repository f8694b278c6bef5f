/**
 * Debezium's temporal schema names and `time.precision.mode`, shared by the JDBC source
 * (which emits them) and the JDBC sink (which maps them back to column types), with the
 * UTC text forms both sides bind and parse.
 *
 * Schemas and values (io.debezium.time.*, Debezium's documented representations):
 *   Date            int32   days since 1970-01-01
 *   Time            int32   milliseconds since midnight          (TIME(0..3))
 *   MicroTime       int64   microseconds since midnight          (TIME(4..6))
 *   Timestamp       int64   milliseconds since the epoch, UTC    (TIMESTAMP(0..3) without zone)
 *   MicroTimestamp  int64   microseconds since the epoch, UTC    (TIMESTAMP(4..6) without zone)
 *   ZonedTimestamp  string  ISO-8601 with offset, "2024-02-29T13:04:05.123456Z"
 *                           (TIMESTAMP WITH TIME ZONE; fraction digits as the column's precision)
 *   ZonedTime       string  "13:04:05.123456Z"                   (TIME WITH TIME ZONE)
 *
 * time.precision.mode (Debezium's names and meaning):
 *   adaptive                    (default, as Debezium's PostgreSQL connector) the schema
 *                               follows the column's fractional-second precision as above;
 *   adaptive_time_microseconds  as adaptive, but every TIME is MicroTime;
 *   connect                     Kafka Connect's Date, Time and Timestamp (milliseconds; what
 *                               Confluent's JDBC source emits).
 * int64 values are JS numbers (microseconds since the epoch stay exact up to year 2255).
 */
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export const TIME_PRECISION_MODES: readonly TimePrecisionMode[] = ['adaptive', 'adaptive_time_microseconds', 'connect'];
export const DEFAULT_TIME_PRECISION_MODE: TimePrecisionMode = 'adaptive';

export const DEBEZIUM_DATE = 'io.debezium.time.Date';
export const DEBEZIUM_TIME = 'io.debezium.time.Time';
export const DEBEZIUM_MICRO_TIME = 'io.debezium.time.MicroTime';
export const DEBEZIUM_TIMESTAMP = 'io.debezium.time.Timestamp';
export const DEBEZIUM_MICRO_TIMESTAMP = 'io.debezium.time.MicroTimestamp';
export const DEBEZIUM_ZONED_TIMESTAMP = 'io.debezium.time.ZonedTimestamp';
export const DEBEZIUM_ZONED_TIME = 'io.debezium.time.ZonedTime';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const MICROS_PER_DAY = 86_400_000_000;

function splitMicros(micros: number): { date: Date; micro: number } {
  const ms = Math.floor(micros / 1000);
  return { date: new Date(ms), micro: micros - ms * 1000 };
}

function yearText(d: Date): string {
  const year = d.getUTCFullYear();
  return year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
}

/** `YYYY-MM-DD` of days since the epoch. */
export function daysToSqlDate(days: number): string {
  const d = new Date(days * 86_400_000);
  return `${yearText(d)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of microseconds since the epoch. */
export function microsToSqlTimestamp(micros: number): string {
  const { date: d, micro } = splitMicros(micros);
  return `${yearText(d)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds() * 1000 + micro, 6)}`;
}

/** `HH:MM:SS.ffffff` of microseconds since midnight (24:00:00 stays 24:00:00). */
export function microsToSqlTime(micros: number): string {
  if (micros === MICROS_PER_DAY) return '24:00:00.000000';
  const m = ((micros % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY;
  const secs = Math.floor(m / 1_000_000);
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}.${pad(m % 1_000_000, 6)}`;
}

/** Debezium's ZonedTimestamp text, in UTC: `YYYY-MM-DDTHH:MM:SS[.f..]Z` with `fractionDigits` (0..6) digits. */
export function microsToZonedTimestamp(micros: number, fractionDigits: number): string {
  const [date, time] = microsToSqlTimestamp(micros).split(' ');
  const digits = Math.max(0, Math.min(6, fractionDigits));
  return `${date}T${time.slice(0, digits > 0 ? 9 + digits : 8)}Z`;
}

const ZONED = /^(-?\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * A ZonedTimestamp text as `YYYY-MM-DD HH:MM:SS[.f..]` in UTC, for databases whose
 * column types hold no zone (MySQL DATETIME); sub-millisecond digits survive a UTC value
 * and are cut from one with another offset. Unparseable text is returned unchanged.
 */
export function zonedTimestampToUtcSql(text: string): string {
  const m = ZONED.exec(text);
  if (!m) return text;
  if (m[3] === 'Z' || /^[+-]00(:?00)?$/.test(m[3])) return `${m[1]} ${m[2]}`;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? microsToSqlTimestamp(ms * 1000) : text;
}

/**
 * A ZonedTimestamp text as microseconds since the epoch (UTC), every fraction digit up to
 * the microsecond kept (finer digits cut); null when the text does not parse.
 */
export function zonedTimestampToMicros(text: string): bigint | null {
  const m = ZONED.exec(text);
  if (!m) return null;
  const [whole, fraction = ''] = m[2].split('.');
  const zone = m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].length === 3 ? '00' : m[3].slice(-2)}`;
  const ms = Date.parse(`${m[1]}T${whole}${zone}`);
  if (!Number.isFinite(ms)) return null;
  return BigInt(ms) * 1000n + BigInt((fraction + '000000').slice(0, 6));
}
