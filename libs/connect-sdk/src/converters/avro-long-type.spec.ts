import * as avro from 'avsc';
import { INT64_LONG_TYPE } from './avro-long-type';

/** The bytes of the Avro long encoding (zigzag varint) of a signed 64-bit value, computed with BigInt from the spec. */
function zigzagVarint(v: bigint): Buffer {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  while (z >= 128n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

describe('INT64_LONG_TYPE', () => {
  const type = avro.Type.forSchema({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: 'string' }] }, { typeHook: (s) => (s === 'long' ? INT64_LONG_TYPE : undefined) });
  const edges: bigint[] = [0n, 1n, -1n, 63n, -64n, 64n, -65n, 2n ** 31n, -(2n ** 31n), 2n ** 48n - 1n, 2n ** 48n, -(2n ** 48n), 2n ** 49n, 2n ** 52n - 1n, -(2n ** 52n), 2n ** 52n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
  const random: bigint[] = [];
  let seed = 12345n;
  for (let i = 0; i < 200; i++) {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
    random.push(BigInt.asIntN(64, seed) >> BigInt(i % 64));
  }

  it.each([...edges, ...random].map((v) => [v]))('encodes %p as the Avro zigzag varint and reads it back (number when safe, bigint beyond)', (v: bigint) => {
    const safe = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER);
    const value = safe ? Number(v) : v;
    const bytes = type.toBuffer({ a: value, b: 'x' });
    const expected = Buffer.concat([zigzagVarint(v), Buffer.from([2, 0x78])]);
    expect(bytes.equals(expected)).toBe(true);
    const back = type.fromBuffer(bytes) as { a: number | bigint; b: string };
    expect(back.a).toStrictEqual(value);
    expect(back.b).toBe('x');
    // bigints that are safe are written the same way as numbers
    if (safe) expect(type.toBuffer({ a: v, b: 'x' }).equals(expected)).toBe(true);
  });

  it('writes the same bytes as avsc’s own long for safe integers', () => {
    const plain = avro.Type.forSchema('long');
    const own = avro.Type.forSchema('long', { typeHook: (s) => (s === 'long' ? INT64_LONG_TYPE : undefined) });
    for (const v of [0, 1, -1, 300, -300, 2 ** 40 + 7, -(2 ** 45) - 3, 2 ** 52 - 1, -(2 ** 52) + 1]) expect(own.toBuffer(v).equals(plain.toBuffer(v))).toBe(true);
  });

  it('reads a long cut off by the end of the buffer as a truncated buffer, never as a value', () => {
    const long = avro.Type.forSchema('long', { typeHook: (s) => (s === 'long' ? INT64_LONG_TYPE : undefined) });
    for (const v of [300n, 1_709_211_845_123_456n, 2n ** 60n]) {
      const bytes = zigzagVarint(v);
      expect(() => long.fromBuffer(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    }
  });

  it('refuses values outside int64', () => {
    expect(() => type.toBuffer({ a: 2n ** 63n, b: '' })).toThrow();
    expect(() => type.toBuffer({ a: 1.5, b: '' })).toThrow();
  });
});
