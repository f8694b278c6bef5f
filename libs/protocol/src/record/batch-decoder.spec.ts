import { fixture } from './__fixtures__/fixtures';
import { buildBatch } from './batch-builder';
import { decodeBatch, decodeBatches, iterateBatches } from './batch-decoder';
import { CRC_OFFSET, CompressionType, MAGIC_OFFSET, computeBatchCrc, setBaseOffset } from './batch-header';
import { RecordDecodeError, RecordErrorCode } from './errors';

const rec = (k: string, v: string, timestamp = 1_000) => ({ key: Buffer.from(k), value: Buffer.from(v), timestamp });

function three(): Buffer {
  return Buffer.concat([
    buildBatch({ baseOffset: 0, records: [rec('a', '1'), rec('b', '2')] }),
    buildBatch({ baseOffset: 2, records: [rec('c', '3')], compression: CompressionType.Zstd }),
    fixture('kcat-gzip'),
  ]);
}

function codeOf(fn: () => unknown): RecordErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof RecordDecodeError) return e.code;
    throw e;
  }
  return undefined;
}

describe('decodeBatch corruption detection', () => {
  const good = () => buildBatch({ baseOffset: 5, records: [rec('k', 'v'), rec('k2', 'v2')] });

  it('decodes a good batch at a non-zero position', () => {
    const buf = Buffer.concat([Buffer.alloc(7), good()]);
    expect(decodeBatch(buf, 7).records.map((r) => r.offset)).toEqual([5, 6]);
  });

  it('detects a bad CRC', () => {
    const buf = good();
    buf[buf.length - 2] ^= 0xff;
    expect(() => decodeBatch(buf)).toThrow(/CRC/);
    expect(codeOf(() => decodeBatch(buf))).toBe(RecordErrorCode.CorruptMessage);
  });

  it('can skip the CRC check', () => {
    const buf = good();
    buf.writeUInt32BE(0, CRC_OFFSET);
    expect(decodeBatch(buf, 0, { verifyCrc: false }).records).toHaveLength(2);
  });

  it('CRC stays valid after rewriting baseOffset', () => {
    const buf = good();
    setBaseOffset(buf, 0, 1234);
    expect(decodeBatch(buf).records[1].offset).toBe(1235);
  });

  it('rejects a batchLength below the header size', () => {
    const buf = good();
    buf.writeInt32BE(20, 8);
    expect(() => decodeBatch(buf)).toThrow(/batchLength 20/);
  });

  it('rejects a batchLength beyond the buffer, and a cut-off buffer', () => {
    const buf = good();
    expect(() => decodeBatch(buf.subarray(0, buf.length - 1))).toThrow(/declares/);
    expect(() => decodeBatch(buf.subarray(0, 10))).toThrow(/truncated/);
  });

  it.each([0, 1])('reports magic %d as UNSUPPORTED_FOR_MESSAGE_FORMAT', (magic) => {
    const buf = good();
    buf[MAGIC_OFFSET] = magic;
    expect(codeOf(() => decodeBatch(buf))).toBe(RecordErrorCode.UnsupportedForMessageFormat);
  });

  it('reports magic 3 as CORRUPT_MESSAGE', () => {
    const buf = good();
    buf[MAGIC_OFFSET] = 3;
    expect(codeOf(() => decodeBatch(buf))).toBe(RecordErrorCode.CorruptMessage);
  });

  function withFixedCrc(buf: Buffer): Buffer {
    buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC_OFFSET);
    return buf;
  }

  it('rejects a recordsCount that disagrees with the records (valid CRC)', () => {
    const more = good();
    more.writeInt32BE(3, 57);
    expect(() => decodeBatch(withFixedCrc(more))).toThrow(RecordDecodeError);
    const fewer = good();
    fewer.writeInt32BE(1, 57);
    expect(() => decodeBatch(withFixedCrc(fewer))).toThrow(/bytes left after 1 records/);
    const huge = good();
    huge.writeInt32BE(0x7fffffff, 57);
    expect(() => decodeBatch(withFixedCrc(huge))).toThrow(/does not fit/);
  });

  it('rejects a corrupt compressed payload (valid CRC)', () => {
    const buf = buildBatch({ baseOffset: 0, records: [rec('k', 'v'.repeat(100))], compression: CompressionType.Lz4 });
    buf[70] ^= 0x55;
    expect(codeOf(() => decodeBatch(withFixedCrc(buf)))).toBe(RecordErrorCode.CorruptMessage);
  });

  it('uses maxTimestamp for every record of a LogAppendTime batch', () => {
    const buf = buildBatch({ baseOffset: 0, records: [rec('a', '1', 5), rec('b', '2', 6)], timestampType: 1, logAppendTime: 99 });
    expect(decodeBatch(buf).records.map((r) => r.timestamp)).toEqual([99, 99]);
  });
});

describe('iterateBatches', () => {
  it('yields every whole batch of a concatenation', () => {
    const buf = three();
    const it = iterateBatches(buf);
    const views = [...it];
    expect(views.map((v) => [v.header.baseOffset, v.header.recordsCount])).toEqual([
      [0, 2],
      [2, 1],
      [0, 3],
    ]);
    expect(views[1].pos).toBe(views[0].size);
    expect(it.partial).toBeNull();
    expect(it.end).toBe(buf.length);
    expect(decodeBatches(buf).map((b) => b.records.length)).toEqual([2, 1, 3]);
  });

  it('yields nothing for an empty buffer', () => {
    const it = iterateBatches(Buffer.alloc(0));
    expect([...it]).toEqual([]);
    expect(it.partial).toBeNull();
  });

  it('stops cleanly at a partial trailing batch at every cut point and reports it', () => {
    const buf = three();
    const sizes = [...iterateBatches(buf)].map((v) => v.size);
    const lastStart = sizes[0] + sizes[1];
    for (let cut = lastStart; cut < buf.length; cut++) {
      const it = iterateBatches(buf.subarray(0, cut));
      expect([...it]).toHaveLength(2);
      expect(it.end).toBe(lastStart);
      if (cut === lastStart) {
        expect(it.partial).toBeNull();
      } else {
        expect(it.partial).toEqual({
          pos: lastStart,
          available: cut - lastStart,
          declaredSize: cut - lastStart < 12 ? -1 : sizes[2],
        });
      }
      // decodeBatches ignores the partial tail too
      expect(decodeBatches(buf.subarray(0, cut))).toHaveLength(2);
    }
  });

  it('throws on framing that is wrong rather than cut short', () => {
    const buf = three();
    const bad = Buffer.from(buf);
    bad.writeInt32BE(3, 8); // batchLength 3
    expect(() => [...iterateBatches(bad)]).toThrow(RecordDecodeError);
    const legacy = Buffer.from(buf);
    legacy[MAGIC_OFFSET] = 1;
    expect(codeOf(() => [...iterateBatches(legacy)])).toBe(RecordErrorCode.UnsupportedForMessageFormat);
  });
});
