import { compileJavaPattern, javaReplacement } from './java-regex';

function replace(pattern: string, replacement: string, input: string): string {
  const p = compileJavaPattern(pattern);
  const m = p.regex.exec(input);
  if (m === null) throw new Error('no match');
  return javaReplacement(replacement, p, m);
}

describe('java regex helpers', () => {
  it('counts groups and reads multi-digit references only when the group exists', () => {
    const p = compileJavaPattern('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)');
    expect(p.groupCount).toBe(11);
    expect(replace('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)', '$11|$12', 'abcdefghijk')).toBe('k|a2');
  });

  it('handles inline flags and unmatched groups', () => {
    expect(compileJavaPattern('(?i)orders').regex.test('ORDERS')).toBe(true);
    expect(replace('(a)|(b)', '[$1][$2]', 'b')).toBe('[][b]');
  });

  it('rejects illegal references', () => {
    expect(() => replace('(a)', '$x', 'a')).toThrow('Illegal group reference');
    expect(() => replace('(a)', 'x\\', 'a')).toThrow('character to be escaped is missing');
    expect(() => replace('(a)', '${nope}', 'a')).toThrow('No group with name {nope}');
  });
});
