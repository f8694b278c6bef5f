import { javaStringHashCode, kafkaAbs, partitionForGroup } from './group-partitioner';

/** Independent reference: s[0]*31^(n-1) + ... + s[n-1], reduced to a signed int32 with BigInt. */
function referenceHash(s: string): number {
  let sum = 0n;
  const n = s.length;
  for (let i = 0; i < n; i++) sum += BigInt(s.charCodeAt(i)) * 31n ** BigInt(n - 1 - i);
  return Number(BigInt.asIntN(32, sum));
}

describe('group partitioner (Java String.hashCode + Utils.abs)', () => {
  it('matches well-known Java hash codes', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('ab')).toBe(97 * 31 + 98);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // The classic collision pair.
    expect(javaStringHashCode('Aa')).toBe(2112);
    expect(javaStringHashCode('BB')).toBe(2112);
    // The classic string whose hashCode is Integer.MIN_VALUE.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  it('agrees with the documented polynomial formula, including int32 overflow and UTF-16 units', () => {
    for (const s of ['test-group', 'my-group', 'console-consumer-12345', 'a'.repeat(100), 'grüße', '组-1', '😀-group']) {
      expect(javaStringHashCode(s)).toBe(referenceHash(s));
    }
    expect(javaStringHashCode('test-group')).toBe(627841412);
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
  });

  it('uses Kafka Utils.abs (MIN_VALUE -> 0) and modulo the partition count', () => {
    expect(kafkaAbs(-5)).toBe(5);
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('test-group', 50)).toBe(627841412 % 50); // 12
    expect(partitionForGroup('test-group', 50)).toBe(12);
    expect(partitionForGroup('my-group', 50)).toBe(1906497762 % 50); // 12
    expect(partitionForGroup('', 50)).toBe(0);
    expect(partitionForGroup('anything', 1)).toBe(0);
    expect(() => partitionForGroup('g', 0)).toThrow(RangeError);
  });
});
