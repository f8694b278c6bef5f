/**
 * Timestamps as the source's offsets carry them: whole milliseconds since the epoch plus
 * the nanoseconds within the second, exactly Confluent's `{timestamp, timestamp_nanos}`
 * pair (`timestamp_nanos` = java.sql.Timestamp#getNanos, 0..999,999,999, so it repeats the
 * millisecond digits). Both databases store microseconds, so nothing is lost between a
 * column value, the offset and the query parameter built from it.
 *
 * Text forms: the drivers are set up to return timestamp columns as text in UTC
 * (`YYYY-MM-DD HH:MM:SS[.ffffff][+hh[:mm]]`; a missing zone means UTC) and parameters are
 * sent as `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (sessions run with time zone UTC).
 */
export interface SqlTimestamp {
  /** Milliseconds since the epoch, floored. */
  readonly epochMs: number;
  /** Nanoseconds within the second (0..999,999,999). */
  readonly nanos: number;
}

const TS_TEXT = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/** Parses a timestamp (or date) text; null when it is not one (e.g. 'infinity', zero dates). */
export function parseSqlTimestamp(text: string): SqlTimestamp | null {
  const m = TS_TEXT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => Number(part ?? '0'));
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  let seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (year >= 0 && year < 100) seconds = utcWithFullYear(year, month, day, hour, minute, second);
  if (m[9] !== undefined) {
    const sign = m[9] === '+' ? 1 : -1;
    seconds -= sign * (Number(m[10]) * 3600 + Number(m[11] ?? 0) * 60 + Number(m[12] ?? 0));
  }
  const nanos = m[7] !== undefined ? Number(m[7].padEnd(9, '0')) : 0;
  return { epochMs: seconds * 1000 + Math.floor(nanos / 1e6), nanos };
}

function utcWithFullYear(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  d.setUTCFullYear(year);
  return d.getTime() / 1000;
}

/** The offset pair for an epoch-ms value with no sub-millisecond part. */
export function fromEpochMs(ms: number): SqlTimestamp {
  const secMs = Math.floor(ms / 1000) * 1000;
  return { epochMs: ms, nanos: (ms - secMs) * 1e6 };
}

/** Shifts by whole milliseconds, keeping the sub-millisecond part. */
export function minusMs(ts: SqlTimestamp, ms: number): SqlTimestamp {
  const subMs = ts.nanos % 1e6;
  const shifted = fromEpochMs(ts.epochMs - ms);
  return { epochMs: shifted.epochMs, nanos: shifted.nanos + subMs };
}

/** Negative, zero or positive as a is before, equal to or after b. */
export function compareSqlTimestamp(a: SqlTimestamp, b: SqlTimestamp): number {
  const secA = Math.floor(a.epochMs / 1000);
  const secB = Math.floor(b.epochMs / 1000);
  return secA !== secB ? secA - secB : a.nanos - b.nanos;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (microseconds; sub-microsecond nanos are truncated). */
export function formatSqlTimestamp(ts: SqlTimestamp): string {
  const d = new Date(Math.floor(ts.epochMs / 1000) * 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const year = d.getUTCFullYear();
  const yearText = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${yearText}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Math.floor(ts.nanos / 1000), 6)}`;
}
