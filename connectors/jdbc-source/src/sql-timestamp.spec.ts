import { compareSqlTimestamp, formatSqlTimestamp, fromEpochMs, minusMs, parseSqlTimestamp } from './sql-timestamp';

describe('sql timestamps', () => {
  it('parses database text at microsecond precision, with and without zones', () => {
    expect(parseSqlTimestamp('2024-01-02 03:04:05.123456')).toEqual({ epochMs: Date.UTC(2024, 0, 2, 3, 4, 5, 123), nanos: 123_456_000 });
    expect(parseSqlTimestamp('2024-01-02 03:04:05')).toEqual({ epochMs: Date.UTC(2024, 0, 2, 3, 4, 5), nanos: 0 });
    expect(parseSqlTimestamp('2024-01-02 03:04:05.5+00')).toEqual({ epochMs: Date.UTC(2024, 0, 2, 3, 4, 5, 500), nanos: 500_000_000 });
    expect(parseSqlTimestamp('2024-01-02 05:34:05+02:30')).toEqual({ epochMs: Date.UTC(2024, 0, 2, 3, 4, 5), nanos: 0 });
    expect(parseSqlTimestamp('2024-01-02T03:04:05Z')?.epochMs).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseSqlTimestamp('2024-01-02')).toEqual({ epochMs: Date.UTC(2024, 0, 2), nanos: 0 });
    expect(parseSqlTimestamp('1969-12-31 23:59:59.999999')).toEqual({ epochMs: -1, nanos: 999_999_000 });
    expect(parseSqlTimestamp('0099-01-01 00:00:00')?.epochMs).toBe(new Date('0099-01-01T00:00:00Z').getTime());
  });

  it('returns null for non-timestamps', () => {
    expect(parseSqlTimestamp('infinity')).toBeNull();
    expect(parseSqlTimestamp('0000-00-00 00:00:00')).toBeNull();
  });

  it('formats parameters in UTC with microseconds and round-trips', () => {
    const text = '2024-01-02 03:04:05.123456';
    expect(formatSqlTimestamp(parseSqlTimestamp(text) as never)).toBe(text);
    expect(formatSqlTimestamp(fromEpochMs(-1))).toBe('1969-12-31 23:59:59.999000');
    expect(formatSqlTimestamp(fromEpochMs(0))).toBe('1970-01-01 00:00:00.000000');
  });

  it('compares and shifts keeping sub-millisecond digits', () => {
    const a = parseSqlTimestamp('2024-01-02 03:04:05.123456') as never;
    const b = parseSqlTimestamp('2024-01-02 03:04:05.123457') as never;
    expect(compareSqlTimestamp(a, b)).toBeLessThan(0);
    expect(compareSqlTimestamp(b, a)).toBeGreaterThan(0);
    expect(compareSqlTimestamp(a, a)).toBe(0);
    expect(formatSqlTimestamp(minusMs(a, 1500))).toBe('2024-01-02 03:04:03.623456');
  });
});
