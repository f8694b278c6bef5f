import { FilterSyntaxError, parseFilter } from './filter-expression';

describe('rollup filter language', () => {
  test.each([
    ["status = 'shipped'", { status: 'shipped' }, true],
    ["status = 'shipped'", { status: 'open' }, false],
    ['qty > 0 AND qty <= 10', { qty: 10 }, true],
    ['qty > 0 AND qty <= 10', { qty: '10.5' }, false],
    ['amount >= 100.00', { amount: '100' }, true],
    ["quality IN ('good', 'rework') AND NOT scrap", { quality: 'rework', scrap: false }, true],
    ["quality NOT IN ('good')", { quality: 'scrap' }, true],
    ["quality NOT IN ('good')", { quality: null }, false],
    ['note IS NULL', { note: null }, true],
    ['note IS NOT NULL OR qty = -1', { note: null, qty: -1 }, true],
    ['qty <> 3', { qty: null }, false],
    ['NOT (qty = 3)', { qty: null }, false],
    ['"odd name" = 1', { 'odd name': 1 }, true],
    ["s = 'it''s'", { s: "it's" }, true],
  ])('%s on %j is %s', (text, row, expected) => {
    expect(parseFilter(text).test(row)).toBe(expected);
  });

  test('lists the columns it reads', () => {
    expect(parseFilter("a = 1 AND (b > 2 OR c IS NULL)").columns).toEqual(['a', 'b', 'c']);
  });

  test.each([
    ["status = 'x'; DROP TABLE orders", /unexpected ";"/],
    ["status = 'open", /unterminated text/],
    ['qty >', /ends too early/],
    ['a IN (b)', /IN takes a list of literals/],
    ['a IS 3', /expected NULL/],
    ['(a = 1', /expected "\)"/],
  ])('%s is refused', (text, message) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(text)).toThrow(message);
  });
});
