import { canonicalValue, columnCategory, sharedCategory } from './canonical';
import { digestRows } from './chunk-digest';

describe('canonical values', () => {
  it('maps Postgres and MySQL column types to categories', () => {
    expect(columnCategory('tinyint', 'tinyint(1)')).toBe('bool');
    expect(columnCategory('tinyint', 'tinyint(4)')).toBe('int');
    expect(columnCategory('timestamp with time zone')).toBe('timestamp');
    expect(columnCategory('datetime')).toBe('timestamp');
    expect(columnCategory('time without time zone')).toBe('time');
    expect(columnCategory('numeric')).toBe('decimal');
    expect(columnCategory('bytea')).toBe('bytes');
    expect(columnCategory('varbinary')).toBe('bytes');
    expect(columnCategory('character varying')).toBe('text');
  });

  it('reads the same value the same from either database', () => {
    expect(canonicalValue('decimal', '0012.5000')).toBe(canonicalValue('decimal', '12.5'));
    expect(canonicalValue('decimal', '-0.000')).toBe('0');
    expect(canonicalValue('decimal', '3.000')).toBe('3');
    expect(canonicalValue('int', '+007')).toBe('7');
    expect(canonicalValue('bool', 't')).toBe(canonicalValue('bool', '1'));
    expect(canonicalValue('bool', 'f')).toBe('0');
    expect(canonicalValue('timestamp', '2024-03-01 10:00:00.5+00')).toBe('2024-03-01 10:00:00.500000');
    expect(canonicalValue('timestamp', '2024-03-01 12:30:00+02:30')).toBe('2024-03-01 10:00:00.000000');
    expect(canonicalValue('timestamp', '2024-03-01T10:00:00.123456Z')).toBe('2024-03-01 10:00:00.123456');
    expect(canonicalValue('timestamp', '2024-03-01 00:30:00-01')).toBe('2024-03-01 01:30:00.000000');
    expect(canonicalValue('time', '07:05:00')).toBe('07:05:00.000000');
    expect(canonicalValue('bytes', '\\xDEADbeef')).toBe('deadbeef');
    expect(canonicalValue('json', '{"b": 1, "a": [1, {"d": 2, "c": 3}]}')).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(canonicalValue('float', '1.10')).toBe('1.1');
    expect(canonicalValue('text', null)).toBeNull();
  });

  it('differs where the values differ', () => {
    expect(canonicalValue('decimal', '12.51')).not.toBe(canonicalValue('decimal', '12.5'));
    expect(canonicalValue('timestamp', '2024-03-01 10:00:00.000001')).not.toBe(canonicalValue('timestamp', '2024-03-01 10:00:00'));
    expect(canonicalValue('text', 'A')).not.toBe(canonicalValue('text', 'a'));
  });

  it('compares mixed column types in a shared category', () => {
    expect(sharedCategory('bool', 'int')).toBe('bool');
    expect(sharedCategory('int', 'decimal')).toBe('decimal');
    expect(sharedCategory('timestamp', 'text')).toBe('timestamp');
    expect(sharedCategory('date', 'bytes')).toBe('text');
  });
});

describe('chunk digest', () => {
  const categories = ['int', 'text', 'decimal'] as const;
  const rows = [
    ['1', 'a', '1.50'],
    ['2', null, '2'],
    ['3', 'c', '3.25'],
  ];

  it('does not depend on row order, and reads equal values as equal', () => {
    const a = digestRows(rows, [...categories]);
    const b = digestRows([rows[2], rows[0], ['2', null, '2.000']], [...categories]);
    expect(b).toEqual(a);
    expect(a.rows).toBe(3);
  });

  it('sees a changed value, a NULL against an empty string, a missing row and a duplicate', () => {
    const base = digestRows(rows, [...categories]).checksum;
    expect(digestRows([rows[0], ['2', '', '2'], rows[2]], [...categories]).checksum).not.toBe(base);
    expect(digestRows([rows[0], rows[1], ['3', 'c', '3.26']], [...categories]).checksum).not.toBe(base);
    expect(digestRows([rows[0], rows[1]], [...categories]).rows).toBe(2);
    expect(digestRows([...rows, rows[0]], [...categories]).checksum).not.toBe(base);
  });
});
