import { parseBiRollupConfig, rollupConfigErrors } from './bi-rollup-config';
import { parseRollup, RollupConfigError } from './rollup-definition';
import { TimeBuckets, parseShiftCalendar } from './time-buckets';
import { addDecimal, decimalText, parseDecimal } from './decimal';
import { parseConfig } from '@millrace/connect-sdk';
import { BI_ROLLUP_CONFIG_DEF } from './bi-rollup-config';

const defaults = { timeZone: 'UTC', shiftCalendar: 'early@06:00,late@14:00,night@22:00' };

describe('rollup declarations', () => {
  test('group-by items, buckets, measures and their column names', () => {
    const r = parseRollup('sales', { 'rollup.sales.group.by': 'customer, day(ordered_at) AS day', 'rollup.sales.measures': 'count, sum(amount), avg(amount) AS avg_order, min(amount), count_distinct(product)' }, defaults);
    expect(r.table).toBe('sales');
    expect(r.groups).toEqual([
      { column: 'customer', bucket: null, alias: 'customer' },
      { column: 'ordered_at', bucket: 'day', alias: 'day' },
    ]);
    expect(r.measures.map((m) => [m.kind, m.column, m.alias])).toEqual([
      ['count', null, 'count'],
      ['sum', 'amount', 'sum_amount'],
      ['avg', 'amount', 'avg_order'],
      ['min', 'amount', 'min_amount'],
      ['count_distinct', 'product', 'count_distinct_product'],
    ]);
  });

  test.each([
    [{ 'rollup.x.measures': '' }, /rollup\.x\.measures: missing/],
    [{ 'rollup.x.measures': 'median(a)' }, /unknown measure median/],
    [{ 'rollup.x.measures': 'sum(*)' }, /sum\(\) needs a column/],
    [{ 'rollup.x.measures': 'count', 'rollup.x.group.by': 'week(at)' }, /unknown time bucket week/],
    [{ 'rollup.x.measures': 'count, count(a) AS count' }, /used twice or reserved/],
    [{ 'rollup.x.measures': 'count', 'rollup.x.table': 'a;b' }, /rollup\.x\.table/],
    [{ 'rollup.x.measures': 'count', 'rollup.x.filter': 'a = ' }, /rollup\.x\.filter/],
    [{ 'rollup.x.measures': 'count', 'rollup.x.group.by': 'shift(at)', 'rollup.x.shift.calendar': 'a@25:00' }, /rollup\.x\.shift\.calendar: shift "a@25:00"/],
    [{ 'rollup.x.measures': 'count', 'rollup.x.time.zone': 'Mars/Base' }, /unknown time zone/],
  ])('%j is refused naming the key', (raw, message) => {
    expect(() => parseRollup('x', raw, defaults)).toThrow(RollupConfigError);
    expect(() => parseRollup('x', raw, defaults)).toThrow(message);
  });

  test('connector config: DuckDB URL, unknown rollups and topics not consumed are reported per key', () => {
    const raw = {
      topics: 'orders',
      'connection.url': 'jdbc:duckdb:/tmp/bi.duckdb',
      rollups: 'a',
      'rollup.a.measures': 'count',
      'rollup.a.topics': 'other',
      'rollup.b.measures': 'count',
    };
    const { parsed } = parseConfig(BI_ROLLUP_CONFIG_DEF, raw);
    expect(rollupConfigErrors(raw, parsed)).toEqual({
      'rollup.a.topics': expect.stringMatching(/other not consumed by this sink/),
      'rollup.b.measures': 'rollup b is not listed in rollups',
    });
    const ok = parseBiRollupConfig({ ...raw, 'rollup.a.topics': 'orders', rollups: 'a,b' });
    expect(ok.target).toEqual({ kind: 'duckdb', path: '/tmp/bi.duckdb' });
    expect(ok.rollups.map((r) => r.name)).toEqual(['a', 'b']);
  });

  test('connector config: two rollups on one table are refused', () => {
    expect(() => parseBiRollupConfig({ topics: 't', 'connection.url': 'jdbc:postgresql://h/db', rollups: 'a,b', 'rollup.a.measures': 'count', 'rollup.b.measures': 'count', 'rollup.b.table': 'A' })).toThrow(/rollup\.b\.table: table A is already the table of rollup a/);
  });
});

describe('time buckets', () => {
  test('hour and day in a zone with summer time', () => {
    const b = new TimeBuckets('Europe/Berlin', null);
    expect(b.day(Date.parse('2024-06-01T22:30:00Z'))).toBe('2024-06-02');
    expect(b.hour(Date.parse('2024-06-01T22:30:00Z'))).toBe('2024-06-02 00:00:00');
    expect(b.hour(Date.parse('2024-01-01T22:30:00Z'))).toBe('2024-01-01 23:00:00');
  });

  test('shift calendar: unordered input, before the first start belongs to the previous day', () => {
    const b = new TimeBuckets('UTC', parseShiftCalendar('B@14:00, A@06:00'));
    expect(b.shift(Date.parse('2024-06-02T05:00:00Z'))).toBe('2024-06-01 B');
    expect(b.shift(Date.parse('2024-06-02T13:59:00Z'))).toBe('2024-06-02 A');
  });
});

describe('decimals', () => {
  test('parse, add and print exactly', () => {
    expect(decimalText(addDecimal(parseDecimal('12.340')!, parseDecimal(-0.34)!))).toBe('12');
    expect(decimalText(parseDecimal('1e3')!)).toBe('1000');
    expect(decimalText(parseDecimal(1e-7)!)).toBe('0.0000001');
    expect(decimalText(parseDecimal('-0.50')!)).toBe('-0.5');
    expect(parseDecimal('abc')).toBeNull();
    expect(parseDecimal('.')).toBeNull();
  });
});
