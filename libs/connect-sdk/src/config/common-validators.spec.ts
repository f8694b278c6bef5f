import { allOf, atLeast, nonEmptyString, oneOf, range, regex, urlLike, validRegex } from './common-validators';

const cfg = {};

describe('common validators', () => {
  it('range / atLeast', () => {
    expect(range(1, 10)(5, cfg)).toBeNull();
    expect(range(1, 10)(0, cfg)).toBe('Value must be at least 1');
    expect(range(1, 10)(11, cfg)).toBe('Value must be no more than 10');
    expect(range(undefined, 3)(-100, cfg)).toBeNull();
    expect(atLeast(0)('x', cfg)).toBe('Value must be a number');
  });

  it('oneOf, case-sensitive or not, item by item for lists', () => {
    expect(oneOf(['none', 'all'])('all', cfg)).toBeNull();
    expect(oneOf(['none', 'all'])('ALL', cfg)).toBe('String must be one of: none, all');
    expect(oneOf(['none', 'all'], true)('ALL', cfg)).toBeNull();
    expect(oneOf(['none', 'all'], true)('some', cfg)).toBe('String must be one of (case insensitive): none, all');
    expect(oneOf(['a', 'b'])(['a', 'b'], cfg)).toBeNull();
    expect(oneOf(['a', 'b'])(['a', 'c'], cfg)).toBe('String must be one of: a, b');
  });

  it('nonEmptyString', () => {
    expect(nonEmptyString()('x', cfg)).toBeNull();
    expect(nonEmptyString()(' ', cfg)).toBe('String must be non-empty');
    expect(nonEmptyString()([], cfg)).toBe('List must not be empty');
  });

  it('regex matches in full; validRegex compiles', () => {
    expect(regex(/[a-z_]+/)('orders', cfg)).toBeNull();
    expect(regex(/[a-z_]+/)('orders-1', cfg)).toBe('Value must match the pattern [a-z_]+');
    expect(regex(/\d+/, 'a number')(['1', 'x'], cfg)).toBe('Value must match a number');
    expect(validRegex()('orders-.*', cfg)).toBeNull();
    expect(validRegex()('(', cfg)).toMatch(/^Not a valid regular expression: /);
  });

  it('urlLike', () => {
    expect(urlLike()('http://127.0.0.1:8081', cfg)).toBeNull();
    expect(urlLike()(['http://a:1', 'https://b'], cfg)).toBeNull();
    expect(urlLike()('127.0.0.1:8081', cfg)).toBe('Value must be a URL such as http://host:port');
    expect(urlLike()('ftp://x', cfg)).toBe('URL scheme must be one of: http, https');
    expect(urlLike(['jdbc:postgresql'])('jdbc:postgresql://h:5432/db', cfg)).toBeNull();
  });

  it('allOf returns the first reason', () => {
    const v = allOf(nonEmptyString(), regex(/[a-z]+/));
    expect(v('', cfg)).toBe('String must be non-empty');
    expect(v('A', cfg)).toBe('Value must match the pattern [a-z]+');
    expect(v('a', cfg)).toBeNull();
  });
});
