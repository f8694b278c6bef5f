import { ProtocolDecodeError, ProtocolEncodeError } from './decode-error';
import { Reader } from './reader';
import { Writer } from './writer';

function bytesOf(fn: (w: Writer) => void): Buffer {
  const w = new Writer({ initialCapacity: 1 });
  fn(w);
  return Buffer.from(w.finish());
}

describe('Writer/Reader primitives', () => {
  it('round-trips fixed-width integers, float64 and bool big-endian', () => {
    const buf = bytesOf((w) =>
      w.int8(-128).int16(-2).int32(-70000).uint16(65535).uint32(4294967295).float64(-1.25).bool(true).bool(false),
    );
    expect(buf.subarray(0, 3).toString('hex')).toBe('80fffe');
    const r = new Reader(buf);
    expect([r.int8(), r.int16(), r.int32(), r.uint16(), r.uint32(), r.float64(), r.bool(), r.bool()]).toEqual([
      -128, -2, -70000, 65535, 4294967295, -1.25, true, false,
    ]);
    expect(r.remaining).toBe(0);
  });

  it.each([0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 1700000000000, -2147483648])(
    'round-trips int64 %p',
    (v) => {
      const buf = bytesOf((w) => w.int64(v));
      expect(buf.readBigInt64BE(0)).toBe(BigInt(v));
      expect(new Reader(buf).int64()).toBe(v);
    },
  );

  it('rejects int64 values that are not safe integers', () => {
    expect(() => new Writer().int64(2 ** 53)).toThrow(ProtocolEncodeError);
    expect(() => new Writer().int64(1.5)).toThrow(ProtocolEncodeError);
  });

  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [4294967295, 'ffffffff0f'],
  ])('encodes uvarint %p as %s', (v, hex) => {
    expect(bytesOf((w) => w.uvarint(v)).toString('hex')).toBe(hex);
    expect(new Reader(Buffer.from(hex, 'hex')).uvarint()).toBe(v);
  });

  it.each([0, -1, 1, -64, 63, 2147483647, -2147483648])('round-trips zigzag varint %p', (v) => {
    expect(new Reader(bytesOf((w) => w.varint(v))).varint()).toBe(v);
  });

  it('encodes zigzag like Kafka (-1 -> 01, 1 -> 02)', () => {
    expect(bytesOf((w) => w.varint(-1).varint(1).varlong(-1).varlong(1)).toString('hex')).toBe('01020102');
  });

  it.each([0, -1, 1, 2 ** 40, -(2 ** 40), 2 ** 53 - 1, -(2 ** 53 - 1)])('round-trips zigzag varlong %p', (v) => {
    expect(new Reader(bytesOf((w) => w.varlong(v))).varlong()).toBe(v);
  });

  it('rejects overlong varints', () => {
    expect(() => new Reader(Buffer.from('ffffffff1f', 'hex')).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).uvarint()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('ffffffffffffffffff7f', 'hex')).varlong()).toThrow(ProtocolDecodeError);
  });

  it('round-trips strings in classic and compact form, with nulls and UTF-8', () => {
    const buf = bytesOf((w) =>
      w.string('héllo').nullableString(null).compactString('').compactNullableString(null).compactString('ü'),
    );
    expect(buf.subarray(0, 2).toString('hex')).toBe('0006');
    const r = new Reader(buf);
    expect([r.string(), r.nullableString(), r.compactString(), r.compactNullableString(), r.compactString()]).toEqual([
      'héllo',
      null,
      '',
      null,
      'ü',
    ]);
  });

  it('reads bytes as zero-copy views', () => {
    const buf = bytesOf((w) => w.bytes(Buffer.from([1, 2, 3])).compactNullableBytes(null).compactBytes(Buffer.alloc(0)));
    const r = new Reader(buf);
    const b = r.bytes();
    expect([...b]).toEqual([1, 2, 3]);
    expect(b.buffer).toBe(buf.buffer);
    expect(r.compactNullableBytes()).toBeNull();
    expect(r.compactBytes().length).toBe(0);
  });

  it('round-trips UUIDs in 22-char base64url form and rejects malformed ones', () => {
    const raw = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const text = raw.toString('base64url');
    const buf = bytesOf((w) => w.uuid(text));
    expect(buf).toEqual(raw);
    expect(new Reader(buf).uuid()).toBe(text);
    expect(() => new Writer().uuid('short')).toThrow(ProtocolEncodeError);
  });

  it('throws ProtocolDecodeError on null in non-nullable positions and invalid lengths', () => {
    expect(() => new Reader(Buffer.from('ffff', 'hex')).string()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('fffe', 'hex')).nullableString()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('fffffffe', 'hex')).nullableBytes()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('00', 'hex')).compactString()).toThrow(ProtocolDecodeError);
  });

  it('checks attacker-controlled lengths against the remaining bytes before reading', () => {
    const spy = jest.spyOn(Buffer, 'alloc');
    expect(() => new Reader(Buffer.from('7fffffff00', 'hex')).bytes()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('7fff00', 'hex')).string()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('ffffffff0f', 'hex')).compactBytes()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('7fffffff', 'hex')).arrayLength()).toThrow(ProtocolDecodeError);
    expect(() => new Reader(Buffer.from('ffffffff0f', 'hex')).compactArrayLength()).toThrow(ProtocolDecodeError);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('reports truncation of every primitive as ProtocolDecodeError', () => {
    const empty = (): Reader => new Reader(Buffer.alloc(0));
    const reads: ((r: Reader) => unknown)[] = [
      (r) => r.int8(),
      (r) => r.int16(),
      (r) => r.int32(),
      (r) => r.int64(),
      (r) => r.uint16(),
      (r) => r.uint32(),
      (r) => r.float64(),
      (r) => r.bool(),
      (r) => r.uuid(),
      (r) => r.uvarint(),
      (r) => r.varlong(),
      (r) => r.string(),
      (r) => r.compactString(),
      (r) => r.bytes(),
      (r) => r.taggedFields(),
    ];
    for (const read of reads) expect(() => read(empty())).toThrow(ProtocolDecodeError);
  });

  it('reads tagged fields: known via callback on a confined sub-reader, unknown skipped', () => {
    const buf = bytesOf((w) => w.uvarint(2).uvarint(0).uvarint(2).int16(7).uvarint(9).uvarint(3).raw(Buffer.from('abc')).int8(5));
    const r = new Reader(buf);
    const seen: [number, number][] = [];
    r.taggedFields((tag, field) => {
      if (tag !== 0) return false;
      seen.push([tag, field.int16()]);
      expect(field.remaining).toBe(0);
      return true;
    });
    expect(seen).toEqual([[0, 7]]);
    expect(r.int8()).toBe(5);
  });

  it('rejects a tagged field whose size exceeds the input', () => {
    expect(() => new Reader(Buffer.from('0100ff01', 'hex')).taggedFields()).toThrow(ProtocolDecodeError);
  });
});

describe('Writer buffer management', () => {
  it('grows from a tiny buffer without losing data', () => {
    const w = new Writer({ initialCapacity: 1 });
    for (let i = 0; i < 10000; i++) w.int32(i);
    const out = w.finish();
    expect(out.length).toBe(40000);
    expect(out.readInt32BE(4 * 9999)).toBe(9999);
  });

  it('passes large raw buffers through by reference and patches earlier bytes', () => {
    const big = Buffer.alloc(100, 7);
    const w = new Writer({ passthroughThreshold: 50 });
    w.int32(0).raw(Buffer.from([1, 2])).raw(big).int8(9);
    w.patchInt32(0, w.length - 4);
    const chunks = w.finishChunks();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    const joined = Buffer.concat(chunks);
    expect(joined.readInt32BE(0)).toBe(103);
    expect(w.finish()).toEqual(joined);
  });
});
