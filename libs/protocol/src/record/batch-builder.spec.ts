import { buildBatch } from './batch-builder';
import { decodeBatch } from './batch-decoder';
import {
  BatchAttribute,
  CompressionType,
  TimestampType,
  batchCrcIsValid,
  compressionOf,
  isControl,
  isTransactional,
  readBatchHeader,
  timestampTypeOf,
} from './batch-header';

const recs = [
  { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 2000 },
  { key: null, value: Buffer.from('2'), timestamp: 1500, headers: [{ key: 'h', value: null }] },
  { key: Buffer.from('c'), value: null, timestamp: 2500 },
];

describe('buildBatch', () => {
  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
    'codec %d: header fields, CRC and records round-trip',
    (compression) => {
      const buf = buildBatch({ baseOffset: 77, records: recs, compression, producerId: 5, producerEpoch: 2, baseSequence: 9, partitionLeaderEpoch: 4 });
      expect(batchCrcIsValid(buf, 0, buf.length)).toBe(true);
      const { header, records, size } = decodeBatch(buf);
      expect(size).toBe(buf.length);
      expect(header).toMatchObject({
        baseOffset: 77,
        batchLength: buf.length - 12,
        partitionLeaderEpoch: 4,
        magic: 2,
        lastOffsetDelta: 2,
        baseTimestamp: 2000,
        maxTimestamp: 2500,
        producerId: 5,
        producerEpoch: 2,
        baseSequence: 9,
        recordsCount: 3,
      });
      expect(compressionOf(header.attributes)).toBe(compression);
      expect(records).toEqual([
        { offset: 77, timestamp: 2000, key: recs[0].key, value: recs[0].value, headers: [] },
        { offset: 78, timestamp: 1500, key: null, value: recs[1].value, headers: [{ key: 'h', value: null }] },
        { offset: 79, timestamp: 2500, key: recs[2].key, value: null, headers: [] },
      ]);
    },
  );

  it('defaults producer fields to -1 and timestamps to now', () => {
    const before = Date.now();
    const buf = buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('x') }] });
    const h = readBatchHeader(buf);
    expect(h).toMatchObject({ producerId: -1, producerEpoch: -1, baseSequence: -1, partitionLeaderEpoch: -1, attributes: 0 });
    expect(h.maxTimestamp).toBeGreaterThanOrEqual(before);
    expect(h.baseTimestamp).toBe(h.maxTimestamp);
  });

  it('sets attribute bits', () => {
    const buf = buildBatch({
      baseOffset: 0,
      records: recs,
      transactional: true,
      timestampType: TimestampType.LogAppendTime,
      logAppendTime: 9999,
      compression: CompressionType.Snappy,
    });
    const h = readBatchHeader(buf);
    expect(isTransactional(h.attributes)).toBe(true);
    expect(isControl(h.attributes)).toBe(false);
    expect(timestampTypeOf(h.attributes)).toBe(TimestampType.LogAppendTime);
    expect(h.maxTimestamp).toBe(9999);
    expect(h.attributes).toBe(CompressionType.Snappy | BatchAttribute.TimestampTypeLogAppend | BatchAttribute.Transactional);
  });

  it('keeps sparse offsets when rewriting a compacted batch', () => {
    const buf = buildBatch({ baseOffset: 100, records: [recs[0], recs[2]], offsetDeltas: [0, 7], lastOffsetDelta: 9 });
    const { header, records } = decodeBatch(buf);
    expect(header.lastOffsetDelta).toBe(9);
    expect(records.map((r) => r.offset)).toEqual([100, 107]);
    expect(() => buildBatch({ baseOffset: 0, records: recs, offsetDeltas: [0] })).toThrow(RangeError);
  });

  it('builds an empty batch that keeps its offset range (compaction)', () => {
    const buf = buildBatch({ baseOffset: 10, records: [], lastOffsetDelta: 4, maxTimestamp: 1234, producerId: 3, producerEpoch: 0, baseSequence: 0 });
    const { header, records } = decodeBatch(buf);
    expect(buf.length).toBe(61);
    expect(records).toEqual([]);
    expect(header).toMatchObject({ recordsCount: 0, lastOffsetDelta: 4, maxTimestamp: 1234, baseTimestamp: -1, producerId: 3 });
  });

  it('stores the delete horizon in baseTimestamp with deltas relative to it', () => {
    const buf = buildBatch({ baseOffset: 0, records: recs, deleteHorizonMs: 10_000 });
    const { header, records } = decodeBatch(buf);
    expect(header.attributes & BatchAttribute.DeleteHorizon).toBeTruthy();
    expect(header.baseTimestamp).toBe(10_000);
    expect(records.map((r) => r.timestamp)).toEqual([2000, 1500, 2500]);
  });

  it('handles large records and many records', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ key: Buffer.from(String(i)), value: Buffer.alloc(i % 50, i), timestamp: 1_700_000_000_000 + i }));
    many.push({ key: Buffer.from('big'), value: Buffer.alloc(1 << 20, 3), timestamp: 1_700_000_000_000 });
    for (const compression of [CompressionType.None, CompressionType.Zstd]) {
      const decoded = decodeBatch(buildBatch({ baseOffset: 0, records: many, compression }));
      expect(decoded.records).toHaveLength(5001);
      expect(decoded.records[5000].value?.length).toBe(1 << 20);
      expect(decoded.records[4999].offset).toBe(4999);
      expect(decoded.header.maxTimestamp).toBe(1_700_000_004_999);
    }
  });
});
