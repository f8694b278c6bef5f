import { ProtocolDecodeError, ProtocolEncodeError } from '../codec/decode-error';
import { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { ApiVersionsResponse } from '../messages/api-versions';
import { FetchRequest, type FetchRequestData } from '../messages/fetch';
import type { ProduceRequestData, ProduceResponseInput } from '../messages/produce';
import { decode, encode } from './codec';
import { array, int16, int32, records, string, struct, type Infer, type InferInput } from './fields';

const Sample = struct({
  id: int32(),
  name: string({ nullableVersions: '1+' }),
  extra: int16({ versions: '2+', default: 9 }),
  note: string({ versions: '3+', taggedVersions: '3+', tag: 1, default: 'none' }),
  parts: array(struct({ p: int32(), label: string({ versions: '3+', taggedVersions: '3+', tag: 0 }) })),
});

function enc(version: number, flexible: boolean, value: InferInput<typeof Sample>): Buffer {
  const w = new Writer();
  encode(Sample, w, version, flexible, value);
  return Buffer.from(w.finish());
}

describe('schema codec', () => {
  it('decodes absent fields to their defaults and skips them when encoding', () => {
    const bytes = enc(0, false, { id: 1, name: 'a', extra: 5, parts: [] });
    expect(bytes.toString('hex')).toBe('00000001' + '000161' + '00000000');
    expect(decode(Sample, new Reader(bytes), 0, false)).toEqual({ id: 1, name: 'a', extra: 9, note: 'none', parts: [] });
  });

  it('writes tagged fields only when non-default, in tag order, and reads them back', () => {
    const bytes = enc(3, true, { id: 1, name: null, extra: 2, note: 'hi', parts: [{ p: 3, label: 'x' }] });
    expect(bytes.toString('hex')).toBe(
      '00000001' + '00' + '0002' + '02' + ('00000003' + '01' + '0002' + '0278') + ('01' + '0103' + '036869'),
    );
    expect(decode(Sample, new Reader(bytes), 3, true)).toEqual({ id: 1, name: null, extra: 2, note: 'hi', parts: [{ p: 3, label: 'x' }] });
    const plain = enc(3, true, { id: 1, name: 'n', parts: [] });
    expect(plain.subarray(-2).toString('hex')).toBe('0100');
  });

  it('skips unknown tagged fields and still reads known ones', () => {
    // id=7, name="", extra=1, parts=[], tags: {1: "ok", 6: 0xdeadbeef}
    const bytes = Buffer.from('00000007' + '01' + '0001' + '01' + '02' + '0103036f6b' + '0604deadbeef', 'hex');
    const r = new Reader(bytes);
    expect(decode(Sample, r, 3, true)).toEqual({ id: 7, name: '', extra: 1, note: 'ok', parts: [] });
    expect(r.remaining).toBe(0);
  });

  it('decodes tagged fields that are known in the schema but not in this version as unknown', () => {
    const bytes = Buffer.from('00000007' + '01' + '0001' + '01' + '01' + '0103036f6b', 'hex');
    expect(decode(Sample, new Reader(bytes), 2, true).note).toBe('none');
  });

  it('reads ApiVersions v3 tagged response fields (known tags) and skips others', () => {
    const w = new Writer();
    encode(ApiVersionsResponse, w, 3, true, {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 12,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
    });
    const decoded = decode(ApiVersionsResponse, new Reader(w.finish()), 3, true);
    expect(decoded.finalizedFeaturesEpoch).toBe(12);
    expect(decoded.supportedFeatures).toEqual([{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }]);
    expect(decoded.finalizedFeatures).toEqual([]);
    expect(decoded.zkMigrationReady).toBe(false);
  });

  it('rejects null for non-nullable fields when encoding and decoding', () => {
    expect(() => enc(0, false, { id: 1, name: null, parts: [] })).toThrow(ProtocolEncodeError);
    expect(() => decode(Sample, new Reader(Buffer.from('00000001ffff00000000', 'hex')), 0, false)).toThrow(ProtocolDecodeError);
    expect(() => decode(Sample, new Reader(Buffer.from('00000001ffffffffffff', 'hex')), 1, false)).toThrow(ProtocolDecodeError);
  });

  it('decodes a fetch v15 request with the tagged ReplicaState struct', () => {
    const w = new Writer();
    const value: InferInput<typeof FetchRequest> = {
      replicaState: { replicaId: 3, replicaEpoch: 8 },
      maxWaitMs: 500,
      minBytes: 1,
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partition: 0, fetchOffset: 5, partitionMaxBytes: 1024 }] }],
      forgottenTopicsData: [],
    };
    encode(FetchRequest, w, 15, true, value);
    const d: FetchRequestData = decode(FetchRequest, new Reader(w.finish()), 15, true);
    expect(d.replicaState).toEqual({ replicaId: 3, replicaEpoch: 8 });
    expect(d.replicaId).toBe(-1);
    expect(d.clusterId).toBeNull();
    expect(d.maxBytes).toBe(0x7fffffff);
    expect(d.topics[0].partitions[0]).toEqual({
      partition: 0,
      currentLeaderEpoch: -1,
      fetchOffset: 5,
      lastFetchedEpoch: -1,
      logStartOffset: -1,
      partitionMaxBytes: 1024,
    });
  });
});

describe('schema types', () => {
  it('infers strict handler types', () => {
    const MsgSchema = struct({
      a: int32(),
      b: string({ versions: '1+', nullableVersions: '1+' }),
      r: records(),
      xs: array(struct({ y: int16() }), { nullableVersions: '2+' }),
    });
    type Msg = Infer<typeof MsgSchema>;
    const m: Msg = { a: 1, b: null, r: null, xs: null };
    // @ts-expect-error a is a number
    const bad: Msg = { a: 'x', b: null, r: null, xs: [] };
    // @ts-expect-error a is required when encoding
    const missing: InferInput<typeof MsgSchema> = { r: null, xs: [] };
    const input: InferInput<typeof MsgSchema> = { a: 1, r: Buffer.alloc(0), xs: [{ y: 2 }] };
    const produce = (d: ProduceRequestData): Buffer | null => d.topicData[0].partitionData[0].records;
    const response: ProduceResponseInput = {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 10 }] }],
    };
    expect([MsgSchema.kind, m, bad, missing, input, produce, response]).toHaveLength(7);
  });
});
