import { copyTextValue, encodeCopyRows } from './copy-text';

describe('COPY text encoding', () => {
  it('escapes the characters COPY text gives meaning to and spells NULL as \\N', () => {
    expect(copyTextValue(null)).toBe('\\N');
    expect(copyTextValue(undefined)).toBe('\\N');
    expect(copyTextValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyTextValue('\\N')).toBe('\\\\N');
    expect(copyTextValue('plain ünïcode')).toBe('plain ünïcode');
  });

  it('writes numbers, booleans, bigints and bytea hex', () => {
    expect(copyTextValue(-1.5e-7)).toBe('-1.5e-7');
    expect(copyTextValue(Number.NaN)).toBe('NaN');
    expect(copyTextValue(true)).toBe('t');
    expect(copyTextValue(false)).toBe('f');
    expect(copyTextValue(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(copyTextValue(Buffer.from([0, 255, 16]))).toBe('\\\\x00ff10');
    expect(copyTextValue(new Uint8Array([1, 2]))).toBe('\\\\x0102');
  });

  it('joins columns by tabs and rows by newlines, in chunks that never split a row', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, `v${i}`, i % 2 === 0 ? null : true]);
    const chunks = [...encodeCopyRows(rows, 64)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
    const lines = chunks.join('').split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe('0\tv0\t\\N');
    expect(lines[99]).toBe('99\tv99\tt');
    expect([...encodeCopyRows([])]).toEqual([]);
  });
});
