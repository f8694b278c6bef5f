import { fixture } from './__fixtures__/fixtures';
import { AppendValidationResult, validateBatchesForAppend } from './append-validator';
import { buildBatch } from './batch-builder';
import { CRC_OFFSET, CompressionType, MAGIC_OFFSET, TimestampType, computeBatchCrc } from './batch-header';
import { buildControlBatch, ControlRecordType } from './control-batch';
import { RecordErrorCode } from './errors';

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 1000 + i }));

function errorOf(r: AppendValidationResult): RecordErrorCode | 'ok' {
  return r.ok ? 'ok' : r.errorCode;
}
function fixCrc(buf: Buffer): Buffer {
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC_OFFSET);
  return buf;
}

describe('validateBatchesForAppend', () => {
  it('accepts a single good batch and reports header facts', () => {
    const buf = buildBatch({ baseOffset: 0, records: records(3), producerId: 7, producerEpoch: 1, baseSequence: 10, transactional: true });
    const r = validateBatchesForAppend(buf);
    expect(r).toMatchObject({ ok: true, recordCount: 3, maxTimestamp: 1002 });
    if (!r.ok) throw new Error('unreachable');
    expect(r.batches[0]).toMatchObject({
      pos: 0,
      size: buf.length,
      compression: CompressionType.None,
      transactional: true,
      control: false,
      timestampType: TimestampType.CreateTime,
      header: { producerId: 7, producerEpoch: 1, baseSequence: 10, recordsCount: 3, lastOffsetDelta: 2 },
    });
  });

  it('accepts compressed batches without decompressing', () => {
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const buf = buildBatch({ baseOffset: 0, records: records(4), compression });
      expect(validateBatchesForAppend(buf)).toMatchObject({ ok: true, recordCount: 4 });
    }
  });

  it('requires exactly one batch by default, allows several on request', () => {
    const two = Buffer.concat([buildBatch({ baseOffset: 0, records: records(1) }), buildBatch({ baseOffset: 1, records: records(2) })]);
    expect(validateBatchesForAppend(two)).toMatchObject({ ok: false, errorCode: RecordErrorCode.InvalidRecord, batchIndex: 1 });
    expect(validateBatchesForAppend(two, { singleBatch: false })).toMatchObject({ ok: true, recordCount: 3 });
  });

  it('rejects an empty buffer', () => {
    expect(errorOf(validateBatchesForAppend(Buffer.alloc(0)))).toBe(RecordErrorCode.InvalidRecord);
  });

  it('CORRUPT_MESSAGE: bad CRC, short buffer, short/overlong length, trailing partial batch', () => {
    const good = fixture('kcat-lz4');
    const badCrc = Buffer.from(good);
    badCrc[good.length - 1] ^= 1;
    expect(validateBatchesForAppend(badCrc)).toMatchObject({ ok: false, errorCode: 2, message: 'CRC mismatch' });
    expect(errorOf(validateBatchesForAppend(good.subarray(0, 16)))).toBe(2);
    expect(errorOf(validateBatchesForAppend(good.subarray(0, good.length - 1)))).toBe(2);
    const shortLen = Buffer.from(good);
    shortLen.writeInt32BE(48, 8);
    expect(errorOf(validateBatchesForAppend(shortLen))).toBe(2);
    const negLen = Buffer.from(good);
    negLen.writeInt32BE(-1, 8);
    expect(errorOf(validateBatchesForAppend(negLen))).toBe(2);
    const trailing = Buffer.concat([good, good.subarray(0, 30)]);
    expect(validateBatchesForAppend(trailing, { singleBatch: false })).toMatchObject({ ok: false, errorCode: 2, batchIndex: 1 });
  });

  it('UNSUPPORTED_FOR_MESSAGE_FORMAT for magic 0 and 1, CORRUPT_MESSAGE for other magics', () => {
    // a legacy v1 message: offset, size, crc, magic 1, attributes, timestamp, key -1, value 'x'
    const v1 = Buffer.from('0000000000000000' + '00000017' + '00000000' + '01' + '00' + '0000000000000001' + 'ffffffff' + '00000001' + '78', 'hex');
    expect(errorOf(validateBatchesForAppend(v1))).toBe(RecordErrorCode.UnsupportedForMessageFormat);
    for (const magic of [0, 1, 3, 0xff]) {
      const buf = buildBatch({ baseOffset: 0, records: records(1) });
      buf[MAGIC_OFFSET] = magic;
      expect(errorOf(validateBatchesForAppend(buf))).toBe(magic < 2 ? 43 : 2);
    }
  });

  it('CORRUPT_MESSAGE: unknown codec and impossible record counts (valid CRC)', () => {
    const codec = buildBatch({ baseOffset: 0, records: records(1) });
    codec.writeInt16BE(6, 21);
    expect(errorOf(validateBatchesForAppend(fixCrc(codec)))).toBe(2);
    const count = buildBatch({ baseOffset: 0, records: records(1) });
    count.writeInt32BE(1000, 57);
    count.writeInt32BE(999, 23);
    expect(errorOf(validateBatchesForAppend(fixCrc(count)))).toBe(2);
  });

  it('INVALID_RECORD: lastOffsetDelta inconsistent with count, zero count', () => {
    const mismatch = buildBatch({ baseOffset: 0, records: records(3), lastOffsetDelta: 5 });
    expect(validateBatchesForAppend(mismatch)).toMatchObject({ ok: false, errorCode: 87 });
    const compressedMismatch = buildBatch({ baseOffset: 0, records: records(3), lastOffsetDelta: 1, compression: CompressionType.Gzip });
    expect(errorOf(validateBatchesForAppend(compressedMismatch))).toBe(87);
    const empty = buildBatch({ baseOffset: 0, records: [] });
    expect(errorOf(validateBatchesForAppend(empty))).toBe(87);
    expect(errorOf(validateBatchesForAppend(empty, { fromClient: false }))).toBe('ok');
  });

  it('INVALID_RECORD: control batches from clients, producerId without sequence', () => {
    const marker = buildControlBatch({ baseOffset: 0, producerId: 1, producerEpoch: 0, type: ControlRecordType.Commit, coordinatorEpoch: 0 });
    expect(errorOf(validateBatchesForAppend(marker))).toBe(87);
    expect(errorOf(validateBatchesForAppend(marker, { fromClient: false }))).toBe('ok');
    const noSeq = buildBatch({ baseOffset: 0, records: records(1), producerId: 9, producerEpoch: 0, baseSequence: -1 });
    expect(errorOf(validateBatchesForAppend(noSeq))).toBe(87);
  });

  it('INVALID_TIMESTAMP: producers may not set LogAppendTime', () => {
    const buf = buildBatch({ baseOffset: 0, records: records(1), timestampType: TimestampType.LogAppendTime, logAppendTime: 5 });
    expect(errorOf(validateBatchesForAppend(buf))).toBe(RecordErrorCode.InvalidTimestamp);
  });

  it('does not modify the buffer', () => {
    const buf = fixture('kafkajs-gzip');
    const copy = Buffer.from(buf);
    validateBatchesForAppend(buf);
    expect(buf.equals(copy)).toBe(true);
  });
});
