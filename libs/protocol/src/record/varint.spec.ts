import { RecordDecodeError } from './errors';
import { Cursor, readVarint, readVarlong, varintSize, varlongSize, writeVarint, writeVarlong } from './varint';

/** Independent reference: zigzag + LEB128 over BigInt, as Kafka's ByteUtils.writeVarlong. */
function refVarlong(n: bigint): string {
  let u = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out).toString('hex');
}

function encVarint(n: number): string {
  const buf = Buffer.alloc(5);
  const end = writeVarint(buf, 0, n);
  expect(end).toBe(varintSize(n));
  return buf.subarray(0, end).toString('hex');
}
function encVarlong(n: number): string {
  const buf = Buffer.alloc(10);
  const end = writeVarlong(buf, 0, n);
  expect(end).toBe(varlongSize(n));
  return buf.subarray(0, end).toString('hex');
}
function decVarint(hex: string): number {
  const c: Cursor = { pos: 0 };
  const buf = Buffer.from(hex, 'hex');
  const v = readVarint(buf, c);
  expect(c.pos).toBe(buf.length);
  return v;
}
function decVarlong(hex: string): number {
  const c: Cursor = { pos: 0 };
  const buf = Buffer.from(hex, 'hex');
  const v = readVarlong(buf, c);
  expect(c.pos).toBe(buf.length);
  return v;
}

describe('varint (zigzag int32)', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [-129, '8102'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('%d <-> %s', (n, hex) => {
    expect(encVarint(n)).toBe(hex);
    expect(decVarint(hex)).toBe(n);
  });

  it('round-trips a sweep of values', () => {
    const buf = Buffer.alloc(5);
    for (let n = -70000; n <= 70000; n += 7) {
      writeVarint(buf, 0, n);
      expect(readVarint(buf, { pos: 0 })).toBe(n);
    }
  });

  it('reads at an offset and advances the cursor', () => {
    const buf = Buffer.from('ff' + 'd804' + '01', 'hex');
    const c = { pos: 1 };
    expect(readVarint(buf, c)).toBe(300);
    expect(readVarint(buf, c)).toBe(-1);
    expect(c.pos).toBe(4);
  });

  it('throws RecordDecodeError when truncated, without moving the cursor', () => {
    const c = { pos: 0 };
    expect(() => readVarint(Buffer.from('80', 'hex'), c)).toThrow(RecordDecodeError);
    expect(c.pos).toBe(0);
    expect(() => readVarint(Buffer.alloc(0), c)).toThrow(RecordDecodeError);
  });

  it('respects the end bound', () => {
    expect(() => readVarint(Buffer.from('d804', 'hex'), { pos: 0 }, 1)).toThrow(/truncated/);
  });

  it('rejects varints longer than 5 bytes', () => {
    expect(() => decVarint('8080808080')).toThrow(/longer than 5/);
  });
});

describe('varlong (zigzag int64)', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
    [2147483648, '8080808010'],
  ])('%d <-> %s', (n, hex) => {
    expect(encVarlong(n)).toBe(hex);
    expect(decVarlong(hex)).toBe(n);
  });

  it.each([1700000000000, -1700000000000, 2 ** 52 - 1, -(2 ** 52), 2 ** 35 + 12345, -(2 ** 44) - 1])(
    '%d matches a BigInt reference encoder',
    (n) => {
      const hex = refVarlong(BigInt(n));
      expect(encVarlong(n)).toBe(hex);
      expect(decVarlong(hex)).toBe(n);
    },
  );

  it('round-trips values across byte-length boundaries', () => {
    const buf = Buffer.alloc(10);
    for (let e = 0; e <= 52; e++) {
      for (const n of [2 ** e - 1, 2 ** e, -(2 ** e), -(2 ** e) + 1].filter((v) => v < 2 ** 52)) {
        const end = writeVarlong(buf, 0, n);
        const c = { pos: 0 };
        expect(readVarlong(buf, c)).toBe(n);
        expect(c.pos).toBe(end);
      }
    }
  });

  it('accepts non-minimal encodings up to 10 bytes (zigzag 7 -> -4)', () => {
    expect(decVarlong('87808080808080808000')).toBe(-4);
  });

  it('throws on truncation, overlong encodings and values beyond 2^53', () => {
    expect(() => decVarlong('8080')).toThrow(RecordDecodeError);
    expect(() => decVarlong('80808080808080808080' + '01')).toThrow(/longer than 10/);
    // Long.MAX_VALUE, and 2^52 (zigzag 2^53) are outside the exact range
    expect(() => decVarlong(refVarlong(2n ** 63n - 1n))).toThrow(/safe integer/);
    expect(() => decVarlong(refVarlong(2n ** 52n))).toThrow(/safe integer/);
  });
});
