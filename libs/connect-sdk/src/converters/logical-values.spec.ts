import { bigintToBytes, bytesToBigint, bytesToDecimal, dateToDays, decimalToBytes, decimalToUnscaled, plainNumberText, timeToMillis, unscaledToDecimal } from './logical-values';

describe('logical values', () => {
  it('encodes integers as minimal big-endian two\'s complement (Java BigInteger)', () => {
    const cases: [bigint, number[]][] = [
      [0n, [0x00]],
      [1n, [0x01]],
      [127n, [0x7f]],
      [128n, [0x00, 0x80]],
      [156n, [0x00, 0x9c]],
      [-1n, [0xff]],
      [-128n, [0x80]],
      [-129n, [0xff, 0x7f]],
      [-1234n, [0xfb, 0x2e]],
      [-(2n ** 63n), [0x80, 0, 0, 0, 0, 0, 0, 0]],
    ];
    for (const [n, bytes] of cases) {
      expect([...bigintToBytes(n)]).toEqual(bytes);
      expect(bytesToBigint(Buffer.from(bytes))).toBe(n);
    }
  });

  it('scales decimals exactly, refusing silent rounding', () => {
    expect(decimalToUnscaled('-12.34', 2)).toBe(-1234n);
    expect(decimalToUnscaled('12.340', 2)).toBe(1234n);
    expect(decimalToUnscaled('5', 3)).toBe(5000n);
    expect(decimalToUnscaled('1.5e2', 0)).toBe(150n);
    expect(decimalToUnscaled(0.1, 1)).toBe(1n);
    expect(decimalToUnscaled(123456789012345678901234567890n, 0)).toBe(123456789012345678901234567890n);
    expect(() => decimalToUnscaled('1.005', 2)).toThrow('Decimal value 1.005 has more fractional digits than the scale 2 of its schema');
    expect(() => decimalToUnscaled('abc', 2)).toThrow("Invalid Decimal value 'abc'");
    expect(unscaledToDecimal(-1234n, 2)).toBe('-12.34');
    expect(unscaledToDecimal(5n, 3)).toBe('0.005');
    expect(unscaledToDecimal(-5n, 3)).toBe('-0.005');
    expect(unscaledToDecimal(12n, -2)).toBe('1200');
    expect(plainNumberText(1e-7)).toBe('0.0000001');
    expect(plainNumberText(1.5e21)).toBe('1500000000000000000000');
  });

  it('checks Date and Time like Kafka', () => {
    expect(dateToDays(new Date(Date.UTC(1970, 0, 2)))).toBe(1);
    expect(dateToDays(new Date(Date.UTC(1969, 11, 31)))).toBe(-1);
    expect(() => dateToDays(new Date(1))).toThrow('Kafka Connect Date type should not have any time fields set to non-zero values');
    expect(timeToMillis(new Date(5))).toBe(5);
    expect(() => timeToMillis(new Date(86_400_000))).toThrow('Kafka Connect Time type should not have any date fields set to non-zero values');
    expect(() => dateToDays('2024-01-01', 'v.d')).toThrow('Invalid type for Date at v.d: expected a Date but was string');
  });
});

describe('Decimal fast path (small values without BigInt)', () => {
  it('gives the bytes and texts of the BigInt path for every small value', () => {
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const samples = ['0', '-0.00', '0.01', '-0.01', '127', '128', '-128', '-129', '32767', '-32768', '999999999999999', '-999999999999999', '1.', '007.50'];
    for (let i = 0; i < 2000; i++) {
      const digits = String(next() * 2 ** 20 + next()).slice(0, 1 + (next() % 15));
      samples.push(`${next() % 2 ? '-' : ''}${digits.slice(0, Math.max(1, digits.length - 2))}.${digits.slice(-2)}`);
    }
    for (const text of samples) {
      const bytes = decimalToBytes(text, 2);
      expect(bytes).toEqual(bigintToBytes(decimalToUnscaled(text, 2)));
      expect(bytesToDecimal(bytes, 2)).toBe(unscaledToDecimal(bytesToBigint(bytes), 2));
    }
  });
});
