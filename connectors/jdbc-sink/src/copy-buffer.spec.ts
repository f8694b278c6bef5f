import { prng } from '@millrace/testing';
import { bytesHash, copyChunks, CopyOut, lastRowPerKey, type CopyRows } from './copy-buffer';
import { copyTextValue } from './copy-text';

/** Rows from lines (each ending in a newline), keyed by their first column. */
function rowsOf(lines: readonly string[]): CopyRows {
  const out = new CopyOut(16);
  const ends = new Uint32Array(lines.length);
  const keyEnds = new Uint32Array(lines.length);
  lines.forEach((line, i) => {
    keyEnds[i] = out.pos + Buffer.byteLength(line.split('\t')[0]);
    out.text(line);
    ends[i] = out.pos;
  });
  return { count: lines.length, data: out.buf.subarray(0, out.pos), ends, keyEnds };
}

describe('CopyOut: COPY text as bytes', () => {
  it('writes integers as String does, across sizes and signs', () => {
    const rnd = prng(3);
    const values = [0, -0, 1, -1, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, -2.25e-7, NaN, Infinity];
    for (let i = 0; i < 200; i++) values.push(Math.floor((rnd() - 0.5) * 2 ** (1 + Math.floor(rnd() * 53))));
    const out = new CopyOut(1);
    for (const v of values) {
      out.int(v);
      out.byte(0x2c);
    }
    expect(out.buf.toString('utf8', 0, out.pos)).toBe(values.map((v) => `${String(v)},`).join(''));
  });

  it('escapes UTF-8 string bytes as copyTextValue escapes the string, and writes bytea hex as copyTextValue does', () => {
    const strings = ['', 'plain', 'tab\there', 'nl\nand\rcr', 'back\\slash', '\\N', 'é漢😀\t', '\u0001\u001f'];
    const out = new CopyOut(1);
    for (const s of strings) {
      const bytes = Buffer.from(s, 'utf8');
      out.utf8(bytes, 0, bytes.length);
    }
    const blob = Buffer.from([0, 1, 0x7f, 0x80, 0xfe, 0xff]);
    out.hex(blob, 0, blob.length);
    out.text('ünïcode');
    expect(out.buf.toString('utf8', 0, out.pos)).toBe(strings.map(copyTextValue).join('') + copyTextValue(blob) + 'ünïcode');
  });

  it('cuts chunks at row ends, keeping every byte in order', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${i}\t${'x'.repeat(i)}\n`);
    const rows = rowsOf(lines);
    const chunks = copyChunks(rows, 100);
    expect(chunks.length).toBeGreaterThan(5);
    expect(Buffer.concat(chunks).equals(rows.data)).toBe(true);
    for (const c of chunks) expect(c.toString('utf8').endsWith('\n')).toBe(true);
    expect(copyChunks(rowsOf([]))).toEqual([]);
  });

  it('keeps the last row of each key, in order', () => {
    const rows = rowsOf(['1\ta\n', '2\tb\n', '1\tc\n', '3\td\n', '2\te\n']);
    const distinct = lastRowPerKey(rows);
    expect(distinct.data.toString('utf8')).toBe('1\tc\n3\td\n2\te\n');
    expect(Array.from(distinct.ends)).toEqual([4, 8, 12]);
    expect(Array.from(distinct.keyEnds ?? [])).toEqual([1, 5, 9]);
    const unique = rowsOf(['1\ta\n', '2\tb\n']);
    expect(lastRowPerKey(unique)).toBe(unique);
  });

  it('keeps distinct keys whose hashes collide', () => {
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const key = `k${i}`;
      const h = bytesHash(Buffer.from(key), 0, key.length);
      const other = seen.get(h);
      if (other !== undefined) pair = [other, key];
      seen.set(h, key);
    }
    const [a, b] = pair;
    expect(lastRowPerKey(rowsOf([`${a}\t1\n`, `${b}\t2\n`])).count).toBe(2);
    expect(lastRowPerKey(rowsOf([`${a}\t1\n`, `${b}\t2\n`, `${a}\t3\n`])).data.toString('utf8')).toBe(`${b}\t2\n${a}\t3\n`);
  });
});
