import type { ConnectSchema } from '@millrace/connect-sdk';
import {
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIME,
  DEBEZIUM_ZONED_TIMESTAMP,
  microsToSqlTime,
  microsToZonedTimestamp,
  type TimePrecisionMode,
} from '@millrace/jdbc';
import { parseSqlTimestamp } from '../sql-timestamp';
import type { ColumnMapping } from './dialect';
import { columnMapping } from './type-mapping';

/**
 * Date and time columns under `time.precision.mode` (@millrace/jdbc temporal-types.ts
 * has the schemas and value forms):
 *
 *   column                      adaptive                  adaptive_time_microseconds   connect
 *   DATE                        Date (days)               Date (days)                  Connect Date
 *   TIME(0..3)                  Time (ms)                 MicroTime (µs)               Connect Time
 *   TIME(4..6)                  MicroTime (µs)            MicroTime (µs)               Connect Time
 *   TIME WITH TIME ZONE         ZonedTime                 ZonedTime                    Connect Time
 *   TIMESTAMP(0..3)             Timestamp (ms)            Timestamp (ms)               Connect Timestamp
 *   TIMESTAMP(4..6)             MicroTimestamp (µs)       MicroTimestamp (µs)          Connect Timestamp
 *   TIMESTAMP WITH TIME ZONE    ZonedTimestamp            ZonedTimestamp               Connect Timestamp
 * (MySQL: DATETIME is a timestamp without zone, TIMESTAMP one with a zone.) `connect` is
 * exactly the mapping of Confluent's JDBC source (milliseconds).
 *
 * Raw values are the UTC text the drivers return (dialect.ts); zero or unparseable dates
 * ('infinity', '0000-00-00') become null.
 */
export interface TemporalColumn {
  readonly kind: 'date' | 'time' | 'timestamp';
  /** Fractional-second digits the column holds (0..6). */
  readonly fractionDigits: number;
  /** WITH TIME ZONE (Postgres timestamptz/timetz, MySQL TIMESTAMP). */
  readonly zoned: boolean;
}

export function temporalMapping(name: string, column: TemporalColumn, optional: boolean, mode: TimePrecisionMode): ColumnMapping {
  if (mode === 'connect') return columnMapping(name, column.kind, optional);
  const { schema, convert } = adaptive(column, optional, mode);
  return { name, schema, convert: (raw) => (raw === null || raw === undefined ? null : convert(String(raw))) };
}

function adaptive(column: TemporalColumn, optional: boolean, mode: TimePrecisionMode): { schema: ConnectSchema; convert: (text: string) => unknown } {
  const named = (type: ConnectSchema['type'], name: string): ConnectSchema => ({ type, optional, name, version: 1 });
  const micros = column.fractionDigits > 3;
  switch (column.kind) {
    case 'date':
      return { schema: named('int32', DEBEZIUM_DATE), convert: textToDays };
    case 'time':
      if (column.zoned) return { schema: named('string', DEBEZIUM_ZONED_TIME), convert: (t) => zonedTimeText(t, column.fractionDigits) };
      if (micros || mode === 'adaptive_time_microseconds') return { schema: named('int64', DEBEZIUM_MICRO_TIME), convert: timeTextToMicros };
      return { schema: named('int32', DEBEZIUM_TIME), convert: (t) => nullOr(timeTextToMicros(t), (us) => Math.floor(us / 1000)) };
    case 'timestamp':
      if (column.zoned) return { schema: named('string', DEBEZIUM_ZONED_TIMESTAMP), convert: (t) => zonedTimestampText(t, column.fractionDigits) };
      if (micros) return { schema: named('int64', DEBEZIUM_MICRO_TIMESTAMP), convert: timestampTextToMicros };
      return { schema: named('int64', DEBEZIUM_TIMESTAMP), convert: (t) => nullOr(timestampTextToMicros(t), (us) => Math.floor(us / 1000)) };
  }
}

function nullOr<T, R>(value: T | null, f: (v: T) => R): R | null {
  return value === null ? null : f(value);
}

/** Microseconds since the epoch of a UTC timestamp text; null when it is not a timestamp. */
export function timestampTextToMicros(text: string): number | null {
  const ts = parseSqlTimestamp(text);
  if (ts === null) return null;
  return Math.floor(ts.epochMs / 1000) * 1_000_000 + Math.floor(ts.nanos / 1000);
}

function textToDays(text: string): number | null {
  const ts = parseSqlTimestamp(text);
  return ts === null ? null : Math.floor(ts.epochMs / 86_400_000);
}

const TIME_TEXT = /^(-)?(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/** Microseconds of a `[-]HH:MM:SS[.ffffff]` text (a zone suffix is applied: the result is UTC). */
export function timeTextToMicros(text: string): number | null {
  const m = TIME_TEXT.exec(text.trim());
  if (!m) return null;
  let secs = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  if (m[7] !== undefined) secs -= (m[7] === '+' ? 1 : -1) * (Number(m[8]) * 3600 + Number(m[9] ?? 0) * 60 + Number(m[10] ?? 0));
  const us = secs * 1_000_000 + Math.floor(Number((m[5] ?? '0').padEnd(9, '0')) / 1000);
  return m[1] ? -us : us;
}

/** Digit positions of `YYYY-MM-DD HH:MM:SS`. */
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** The zone suffixes that mean UTC in driver output (none at all included). */
const UTC_ZONES = new Set(['', 'Z', '+00', '+0000', '+00:00']);

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * The ZonedTimestamp text (`YYYY-MM-DDTHH:MM:SS[.f{digits}]Z`) of UTC text the drivers
 * return for most values, `YYYY-MM-DD[ T]HH:MM:SS[.f{1,6}]` followed by `+00`, `+0000`,
 * `+00:00`, `Z` or no zone; undefined for any other shape. A character scan, no regex:
 * it runs once per timestamptz value of every row a source reads.
 */
function utcTimestampText(text: string, digits: number): string | undefined {
  const len = text.length;
  if (len < 19 || len > 32) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  for (const i of DIGIT_AT) if (!isDigit(text, i)) return undefined;
  let end = 19;
  let fraction = '';
  if (end < len && text.charCodeAt(end) === 46) {
    while (end + 1 < len && isDigit(text, end + 1)) end++;
    if (end === 19 || end > 25) return undefined;
    fraction = text.slice(20, end + 1);
    end++;
  }
  if (!UTC_ZONES.has(end === len ? '' : text.slice(end))) return undefined;
  const head = `${text.slice(0, 10)}T${text.slice(11, 19)}`;
  if (digits === 0) return `${head}Z`;
  return `${head}.${fraction.length === digits ? fraction : fraction.padEnd(digits, '0').slice(0, digits)}Z`;
}

/** Debezium's ZonedTimestamp text in UTC; UTC input is rewritten as text, anything else goes through microseconds. */
function zonedTimestampText(text: string, fractionDigits: number): string | null {
  const digits = Math.max(0, Math.min(6, fractionDigits));
  return utcTimestampText(text, digits) ?? nullOr(timestampTextToMicros(text), (us) => microsToZonedTimestamp(us, digits));
}

/** Debezium's ZonedTime text in UTC: `HH:MM:SS[.f..]Z`. */
function zonedTimeText(text: string, fractionDigits: number): string | null {
  const us = timeTextToMicros(text);
  if (us === null) return null;
  const day = 86_400_000_000;
  const digits = Math.max(0, Math.min(6, fractionDigits));
  return `${microsToSqlTime(((us % day) + day) % day).slice(0, digits > 0 ? 9 + digits : 8)}Z`;
}
