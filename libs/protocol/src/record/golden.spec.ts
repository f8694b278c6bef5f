import { fixture } from './__fixtures__/fixtures';
import { buildBatch } from './batch-builder';
import { decodeBatch } from './batch-decoder';
import { CompressionType, batchCrcIsValid, batchSizeAt, compressionOf, isTransactional } from './batch-header';
import { validateBatchesForAppend } from './append-validator';
import { KafkaRecord } from './record';

/**
 * Golden record batches captured from real clients talking to a throwaway fake
 * broker (see __fixtures__/README.md): kcat 1.7.1 / librdkafka 2.0.2 and kafkajs 2.2.4.
 */

const A200 = 'a'.repeat(200);
const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
const simplify = (r: KafkaRecord) => ({
  offset: r.offset,
  key: str(r.key),
  value: str(r.value),
  headers: r.headers.map((h) => [h.key, str(h.value)]),
});

const kcatHeaders = [
  ['h1', 'hv1'],
  ['h2', 'hv2'],
];
const kcatExpected = (lastValue: string | null) => [
  { offset: 0, key: 'k1', value: 'value-one', headers: kcatHeaders },
  { offset: 1, key: 'k2', value: A200, headers: kcatHeaders },
  { offset: 2, key: 'k3', value: lastValue, headers: kcatHeaders },
];

const cases: [string, CompressionType, ReturnType<typeof kcatExpected>][] = [
  ['kcat-none', CompressionType.None, kcatExpected(null)], // produced with -Z: empty value -> null
  ['kcat-gzip', CompressionType.Gzip, kcatExpected('')],
  ['kcat-snappy', CompressionType.Snappy, kcatExpected('')],
  ['kcat-lz4', CompressionType.Lz4, kcatExpected('')],
  ['kcat-zstd', CompressionType.Zstd, kcatExpected('')],
];

describe('golden batches from kcat (librdkafka 2.0.2)', () => {
  it.each(cases)('%s decodes to the produced records', (name, codec, expected) => {
    const buf = fixture(name);
    expect(batchSizeAt(buf, 0)).toBe(buf.length);
    expect(batchCrcIsValid(buf, 0, buf.length)).toBe(true);
    const batch = decodeBatch(buf);
    expect(compressionOf(batch.header.attributes)).toBe(codec);
    expect(batch.header.magic).toBe(2);
    expect(batch.header.recordsCount).toBe(3);
    expect(batch.header.lastOffsetDelta).toBe(2);
    expect(batch.header.producerId).toBe(-1);
    expect(batch.records.map(simplify)).toEqual(expected);
    const ts = batch.records.map((r) => r.timestamp);
    expect(Math.max(...ts)).toBe(batch.header.maxTimestamp);
    expect(ts[0]).toBe(batch.header.baseTimestamp);
    expect(validateBatchesForAppend(buf)).toMatchObject({ ok: true, recordCount: 3 });
  });

  it.each(cases)('%s: our builder re-encodes the records with the same codec and they round-trip', (name, codec) => {
    const original = decodeBatch(fixture(name));
    const rebuilt = buildBatch({ baseOffset: 100, records: original.records, compression: codec });
    const again = decodeBatch(rebuilt);
    expect(compressionOf(again.header.attributes)).toBe(codec);
    expect(again.header.maxTimestamp).toBe(original.header.maxTimestamp);
    expect(again.records).toEqual(original.records.map((r) => ({ ...r, offset: r.offset + 100 })));
  });

  it('an idempotent producer batch carries producerId/epoch/sequence', () => {
    const buf = fixture('kcat-idempotent');
    const batch = decodeBatch(buf);
    expect(batch.header).toMatchObject({ producerId: 4242, producerEpoch: 3, baseSequence: 0, recordsCount: 2 });
    expect(isTransactional(batch.header.attributes)).toBe(false);
    expect(batch.records.map(simplify)).toEqual([
      { offset: 0, key: 'k1', value: 'value-one', headers: [] },
      { offset: 1, key: 'k2', value: 'value-two', headers: [] },
    ]);
    const v = validateBatchesForAppend(buf);
    expect(v.ok && v.batches[0].header.producerId).toBe(4242);
  });
});

describe('golden batches from kafkajs 2.2.4', () => {
  it.each([
    ['kafkajs-none', CompressionType.None],
    ['kafkajs-gzip', CompressionType.Gzip],
  ])('%s decodes to the produced records and timestamps', (name, codec) => {
    const buf = fixture(name);
    expect(batchCrcIsValid(buf, 0, buf.length)).toBe(true);
    const batch = decodeBatch(buf);
    expect(compressionOf(batch.header.attributes)).toBe(codec);
    expect(batch.header.baseTimestamp).toBe(1700000000000);
    expect(batch.header.maxTimestamp).toBe(1700000000123);
    expect(batch.records.map(simplify)).toEqual([
      { offset: 0, key: 'k1', value: 'value-one', headers: [['h1', 'hv1']] },
      { offset: 1, key: 'k2', value: A200, headers: [] },
      { offset: 2, key: null, value: null, headers: [['h2', 'hv2'], ['h3', 'x']] },
    ]);
    expect(batch.records.map((r) => r.timestamp)).toEqual([1700000000000, 1700000000123, 1700000000007]);
    expect(validateBatchesForAppend(buf)).toMatchObject({ ok: true, recordCount: 3, maxTimestamp: 1700000000123 });
  });

  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
    'kafkajs records round-trip through our builder with codec %d',
    (codec) => {
      const original = decodeBatch(fixture('kafkajs-none'));
      const rebuilt = decodeBatch(buildBatch({ baseOffset: 0, records: original.records, compression: codec }));
      expect(rebuilt.records).toEqual(original.records);
      expect(rebuilt.header.baseTimestamp).toBe(original.header.baseTimestamp);
      expect(rebuilt.header.maxTimestamp).toBe(original.header.maxTimestamp);
    },
  );

});

describe('byte-exact re-encoding of uncompressed golden batches', () => {
  it.each(['kafkajs-none', 'kcat-none', 'kcat-idempotent'])('%s', (name) => {
    const golden = fixture(name);
    const { header, records } = decodeBatch(golden);
    const rebuilt = buildBatch({
      baseOffset: header.baseOffset,
      records,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
    });
    expect(rebuilt.toString('hex')).toBe(golden.toString('hex'));
  });
});
