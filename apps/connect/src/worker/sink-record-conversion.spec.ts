import { hasRawAvroValue, NEEDS_ASYNC, RetryWithToleranceOperator, StringConverter, TransformChain, type ConnectSchema, type Converter, type RawAvroSchema, type SinkRecord, type SinkTask } from '@millrace/connect-sdk';
import { SinkRecordConversion } from './sink-record-conversion';
import type { SinkMessage } from './sink-group-consumer';

const SCHEMA: ConnectSchema = { type: 'struct', optional: false, fields: [{ name: 'n', index: 0, schema: { type: 'int32', optional: false } }] };

/** An Avro-like value converter: id 7 is resolved, any other id is not; `decodes` counts full decodes. */
function avroLike() {
  const state = { decodes: 0 };
  const decode = (bytes: Buffer) => {
    state.decodes++;
    return { n: bytes[5] };
  };
  const raw: RawAvroSchema = { id: 7, avro: { type: 'record', name: 'r', fields: [{ name: 'n', type: 'int' }] }, connect: SCHEMA, decode };
  const converter: Converter = {
    configure: () => undefined,
    fromConnectData: async () => null,
    toConnectData: async (_t, bytes) => (bytes === null ? { schema: null, value: null } : { schema: SCHEMA, value: decode(bytes) }),
    toConnectDataSync: (_t, bytes) => (bytes === null ? { schema: null, value: null } : { schema: SCHEMA, value: decode(bytes) }),
    rawAvroSchemaSync: (bytes) => (bytes.readInt32BE(1) === 7 ? raw : NEEDS_ASYNC),
  };
  return { converter, state, raw };
}

function conversion(valueConverter: Converter, opts: { transforms?: number; tolerance?: 'none' | 'all' } = {}): SinkRecordConversion {
  const text = (bytes: Buffer | null) => ({ schema: null, value: bytes === null ? null : bytes.toString() });
  const key: Converter = { configure: () => undefined, fromConnectData: async () => null, toConnectData: async (_t, b) => text(b), toConnectDataSync: (_t, b) => text(b) };
  const steps = Array.from({ length: opts.transforms ?? 0 }, () => ({ type: 'noop', apply: (r: SinkRecord) => r }));
  return new SinkRecordConversion({
    keyConverter: key,
    valueConverter,
    transforms: { steps } as unknown as TransformChain<SinkRecord>,
    operator: new RetryWithToleranceOperator({ retryTimeoutMs: 0, retryDelayMaxMs: 0, tolerance: opts.tolerance ?? 'none' }),
  });
}

const framed = (id: number, n: number) => {
  const b = Buffer.alloc(6);
  b.writeInt32BE(id, 1);
  b[5] = n;
  return b;
};
const message = (value: Buffer | null, offset = 5): SinkMessage => ({ key: Buffer.from('k'), value, timestamp: '1000', offset: String(offset) });
const task = (accepts: boolean | undefined) => ({ acceptsRawAvroValues: accepts }) as unknown as SinkTask;

describe('SinkRecordConversion raw Avro values', () => {
  it('hands raw values only to a task that asks, without transforms, under errors.tolerance=none, from a converter that has them', () => {
    const { converter } = avroLike();
    expect(conversion(converter).rawValuesFor(task(true))).toBe(true);
    expect(conversion(converter).rawValuesFor(task(false))).toBe(false);
    expect(conversion(converter).rawValuesFor(task(undefined))).toBe(false);
    expect(conversion(converter, { transforms: 1 }).rawValuesFor(task(true))).toBe(false);
    expect(conversion(converter, { tolerance: 'all' }).rawValuesFor(task(true))).toBe(false);
    const plain = new StringConverter();
    plain.configure({}, false);
    expect(conversion(plain).rawValuesFor(task(true))).toBe(false);
  });

  it('keeps a resolved value as its bytes and decodes it once, on first read', () => {
    const { converter, state, raw } = avroLike();
    const bytes = framed(7, 42);
    const record = conversion(converter).convertFast('t', 3, message(bytes), true) as SinkRecord;
    expect(state.decodes).toBe(0);
    expect(hasRawAvroValue(record)).toBe(true);
    expect(record.rawValue).toBe(bytes);
    expect(record.rawSchema).toBe(raw);
    expect(record.valueSchema).toBe(SCHEMA);
    expect(record).toMatchObject({ topic: 't', kafkaPartition: 3, kafkaOffset: 5, originalTopic: 't', originalKafkaPartition: 3, originalKafkaOffset: 5, key: 'k', timestamp: 1000, headers: [] });
    expect(record.value).toEqual({ n: 42 });
    expect(record.value).toEqual({ n: 42 });
    expect(state.decodes).toBe(1);
    // a copy with another value schema (an unwrapped change event) no longer counts as raw
    expect(hasRawAvroValue({ ...record, valueSchema: null, value: null })).toBe(false);
  });

  it('converts as usual without the flag, for tombstones and for ids not resolved yet', () => {
    const { converter, state } = avroLike();
    const c = conversion(converter);
    const usual = c.convertFast('t', 0, message(framed(7, 1)), false) as SinkRecord;
    expect(usual.rawValue).toBeUndefined();
    expect(state.decodes).toBe(1);
    const tombstone = c.convertFast('t', 0, message(null), true) as SinkRecord;
    expect(tombstone.value).toBeNull();
    expect(hasRawAvroValue(tombstone)).toBe(false);
    const unresolved = c.convertFast('t', 0, message(framed(8, 2)), true) as SinkRecord;
    expect(unresolved.rawValue).toBeUndefined();
    expect(unresolved.value).toEqual({ n: 2 });
  });
});
