import { decimalText } from './decimal';
import { best, isNoop, retracted, RollupDelta, RollupDataError } from './rollup-delta';
import { parseRollup } from './rollup-definition';

const defaults = { timeZone: 'UTC', shiftCalendar: 'early@06:00,late@14:00,night@22:00' };

function rollup(groupBy: string, measures: string, filter = '') {
  return parseRollup('r', { 'rollup.r.group.by': groupBy, 'rollup.r.measures': measures, 'rollup.r.filter': filter }, defaults);
}

describe('rollup delta algebra', () => {
  test('an update that moves a row to another group retracts it from the old group and adds it to the new one', () => {
    const d = new RollupDelta(rollup('customer', 'count,sum(amount),avg(amount)'));
    d.add({ customer: 'a', amount: '10.50' }, null, 1);
    d.add({ customer: 'a', amount: '10.50' }, null, -1);
    d.add({ customer: 'b', amount: '12.25' }, null, 1);
    const a = d.groups.get('["a"]')!;
    const b = d.groups.get('["b"]')!;
    expect(a.rows).toBe(0);
    expect(isNoop(a)).toBe(true);
    expect(b.rows).toBe(1);
    expect(b.measures[0].n).toBe(1);
    expect(decimalText(b.measures[1].sum)).toBe('12.25');
    expect(b.measures[2].n).toBe(1);
  });

  test('sums stay exact under retraction (no float drift)', () => {
    const d = new RollupDelta(rollup('', 'sum(x)'));
    for (let i = 0; i < 1000; i++) d.add({ x: '0.1' }, null, 1);
    for (let i = 0; i < 999; i++) d.add({ x: 0.1 }, null, -1);
    const g = [...d.groups.values()][0];
    expect(decimalText(g.measures[0].sum)).toBe('0.1');
    expect(g.measures[0].n).toBe(1);
  });

  test('null values count as rows but not as values of sum/avg/count(col)', () => {
    const d = new RollupDelta(rollup('', 'count,count(x),sum(x)'));
    d.add({ x: null }, null, 1);
    d.add({ x: 3 }, null, 1);
    const g = [...d.groups.values()][0];
    expect(g.rows).toBe(2);
    expect(g.measures.map((m) => m.n)).toEqual([2, 1, 1]);
  });

  test('min/max: additions only give the best value without a recompute; a retraction flags a recompute', () => {
    const d = new RollupDelta(rollup('', 'min(x),max(x)'));
    d.add({ x: 5 }, null, 1);
    d.add({ x: '2.5' }, null, 1);
    d.add({ x: 9 }, null, 1);
    const g = [...d.groups.values()][0];
    expect(retracted(g.measures[0])).toBe(false);
    expect(decimalText(best(g.measures[0], 'min')!)).toBe('2.5');
    expect(decimalText(best(g.measures[1], 'max')!)).toBe('9');
    d.add({ x: 9 }, null, -1);
    expect(retracted(g.measures[1])).toBe(false); // added and retracted in the batch: cancels
    expect(decimalText(best(g.measures[1], 'max')!)).toBe('5');
    d.add({ x: 7 }, null, -1); // a value from an earlier batch
    expect(retracted(g.measures[1])).toBe(true);
  });

  test('count_distinct keeps multiplicities: a value counted twice stays after one retraction', () => {
    const d = new RollupDelta(rollup('', 'count_distinct(p)'));
    d.add({ p: 'x' }, null, 1);
    d.add({ p: 'x' }, null, 1);
    d.add({ p: 'x' }, null, -1);
    d.add({ p: 'y' }, null, -1);
    const ms = [...d.groups.values()][0].measures[0].multiset!;
    expect([...ms.entries()].map(([k, e]) => [k, e.mult])).toEqual([
      ['x', 1],
      ['y', -1],
    ]);
  });

  test('count_distinct of numbers treats 1 and 1.0 as one value', () => {
    const d = new RollupDelta(rollup('', 'count_distinct(p)'));
    d.add({ p: 1 }, null, 1);
    d.add({ p: 1.0 }, null, 1);
    expect([...d.groups.values()][0].measures[0].multiset!.size).toBe(1);
  });

  test('the filter applies to each image: a row leaving the filter is retracted, one entering is added', () => {
    const d = new RollupDelta(rollup('line', 'count', "quality = 'good'"));
    d.add({ line: 'L1', quality: 'good' }, null, -1);
    d.add({ line: 'L1', quality: 'scrap' }, null, 1);
    expect(d.groups.get('["L1"]')!.rows).toBe(-1);
  });

  test('time buckets group by day and by shift (a night shift belongs to the day it started)', () => {
    const d = new RollupDelta(rollup('day(at),shift(at)', 'count'));
    d.add({ at: '2024-06-01T23:30:00Z' }, null, 1);
    d.add({ at: '2024-06-02T05:59:00Z' }, null, 1);
    d.add({ at: '2024-06-02T06:00:00Z' }, null, 1);
    expect([...d.groups.values()].map((g) => [g.values, g.rows])).toEqual([
      [['2024-06-01', '2024-06-01 night'], 1],
      [['2024-06-02', '2024-06-01 night'], 1],
      [['2024-06-02', '2024-06-02 early'], 1],
    ]);
  });

  test('a non-numeric sum value is refused naming the rollup and measure, and leaves the delta unchanged', () => {
    const d = new RollupDelta(rollup('', 'count,sum(x)'));
    expect(() => d.add({ x: 'abc' }, null, 1)).toThrow(RollupDataError);
    expect(() => d.add({ x: 'abc' }, null, 1)).toThrow(/rollup r: sum\(x\) needs numbers/);
    expect(d.groups.size).toBe(0);
  });

  test('NULL group values form their own group', () => {
    const d = new RollupDelta(rollup('c', 'count'));
    d.add({ c: null }, null, 1);
    d.add({}, null, 1);
    expect(d.groups.get('[null]')!.rows).toBe(2);
  });
});
