import { RecordDecodeError } from './errors';
import { RecordInput, decodeRecords, readRecord, recordBodySize, recordSize, writeRecord } from './record';

function encode(r: RecordInput, tsDelta: number, offDelta: number): Buffer {
  const body = recordBodySize(r, tsDelta, offDelta);
  const buf = Buffer.alloc(recordSize(r, tsDelta, offDelta));
  expect(writeRecord(buf, 0, r, tsDelta, offDelta, body)).toBe(buf.length);
  return buf;
}

describe('record encoding', () => {
  it('matches the documented example bytes', () => {
    expect(encode({ key: Buffer.from('k'), value: Buffer.from('v') }, 0, 0).toString('hex')).toBe('10 00 00 00 02 6b 02 76 00'.replace(/ /g, ''));
  });

  it('encodes null key/value as -1 and headers with UTF-8 keys', () => {
    const hex = encode({ key: null, value: null, headers: [{ key: 'é', value: null }, { key: 'h', value: Buffer.from([1]) }] }, -1, 3).toString('hex');
    // len, attr, ts -1, off 3, key -1, value -1, 2 headers, keylen 2 'c3a9' value -1, keylen 1 'h' vlen 1 01
    expect(hex).toBe('1c' + '00' + '01' + '06' + '01' + '01' + '04' + '04c3a9' + '01' + '0268' + '0201');
  });

  it('round-trips with absolute offset/timestamp', () => {
    const r = { key: Buffer.from('key'), value: Buffer.alloc(300, 7), headers: [{ key: 'trace', value: Buffer.from('abc') }] };
    const buf = encode(r, 1234567, 42);
    const c = { pos: 0 };
    const out = readRecord(buf, c, buf.length, 1000, 1_700_000_000_000);
    expect(c.pos).toBe(buf.length);
    expect(out).toEqual({ offset: 1042, timestamp: 1_700_000_000_000 + 1234567, key: r.key, value: r.value, headers: r.headers });
  });

  it('empty key/value are not null', () => {
    const buf = encode({ key: Buffer.alloc(0), value: Buffer.alloc(0) }, 0, 0);
    const out = readRecord(buf, { pos: 0 }, buf.length, 0, 0);
    expect(out.key).toEqual(Buffer.alloc(0));
    expect(out.value).toEqual(Buffer.alloc(0));
  });

  it('applies a timestamp override (LogAppendTime)', () => {
    const buf = encode({ key: null, value: null }, 5, 0);
    expect(readRecord(buf, { pos: 0 }, buf.length, 0, 100, 777).timestamp).toBe(777);
  });

  it('rejects truncation at every cut point', () => {
    const buf = encode({ key: Buffer.from('key'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('x') }] }, 1, 1);
    for (let cut = 0; cut < buf.length; cut++) {
      expect(() => readRecord(buf.subarray(0, cut), { pos: 0 }, cut, 0, 0)).toThrow(RecordDecodeError);
    }
  });

  it('rejects a length that disagrees with the fields', () => {
    const buf = encode({ key: Buffer.from('k'), value: Buffer.from('v') }, 0, 0);
    const longer = Buffer.concat([buf, Buffer.from([0])]);
    longer[0] = 0x12; // claims 9 bytes, fields use 8
    expect(() => readRecord(longer, { pos: 0 }, longer.length, 0, 0)).toThrow(/declared 9 bytes/);
  });

  it('rejects negative lengths other than -1 and negative header key lengths', () => {
    // len 4: attr, ts 0, off 0, keyLen -2
    expect(() => readRecord(Buffer.from('0800000003', 'hex'), { pos: 0 }, 5, 0, 0)).toThrow(/invalid key length -2/);
    // header key length -1
    const bad = Buffer.from('0e' + '00000001010201' + '01', 'hex');
    expect(() => readRecord(bad, { pos: 0 }, bad.length, 0, 0)).toThrow(RecordDecodeError);
  });

  it('decodeRecords requires exact consumption', () => {
    const one = encode({ key: null, value: Buffer.from('a') }, 0, 0);
    const two = Buffer.concat([one, encode({ key: null, value: Buffer.from('b') }, 0, 1)]);
    expect(decodeRecords(two, 0, two.length, 2, 10, 0).map((r) => r.offset)).toEqual([10, 11]);
    expect(() => decodeRecords(two, 0, two.length, 1, 0, 0)).toThrow(/left after 1 records/);
    expect(() => decodeRecords(two, 0, two.length, 3, 0, 0)).toThrow(RecordDecodeError);
    expect(() => decodeRecords(two, 0, two.length, -1, 0, 0)).toThrow(RecordDecodeError);
  });
});
