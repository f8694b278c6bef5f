import type { ConnectRecord, SinkRecord } from '../record/connect-record';
import { TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { primitiveSchema, sinkRecord, sourceRecord, structSchema } from '../testing/record-builders';
import { InsertField } from './insert-field';

const valueSchema = structSchema([['id', primitiveSchema('int32')]], { name: 'orders.Value', version: 2 });

function insert<R extends ConnectRecord = ConnectRecord>(side: 'key' | 'value', config: Record<string, string>): InsertField<R> {
  const t = new InsertField<R>(side);
  t.configure(config);
  return t;
}

const ALL = { 'topic.field': 'topic', 'partition.field': 'part!', 'offset.field': 'off', 'timestamp.field': 'ts?', 'static.field': 'env', 'static.value': 'prod' };

describe('InsertField', () => {
  it('with a schema: extends the struct schema (optional unless !) and the struct', () => {
    const t = insert<SinkRecord>('value', ALL);
    const rec = sinkRecord({ topic: 'orders', kafkaPartition: 3, kafkaOffset: 99, timestamp: 1700000000000, valueSchema, value: { id: 7 } });
    const out = t.apply(rec);
    expect(out).not.toBeNull();
    expect(out?.kafkaOffset).toBe(99);
    expect(out?.valueSchema?.name).toBe('orders.Value');
    expect(out?.valueSchema?.version).toBe(2);
    expect(out?.valueSchema?.fields?.map((f) => [f.name, f.index, f.schema.type, f.schema.optional, f.schema.name])).toEqual([
      ['id', 0, 'int32', false, undefined],
      ['topic', 1, 'string', true, undefined],
      ['part', 2, 'int32', false, undefined],
      ['off', 3, 'int64', true, undefined],
      ['ts', 4, 'int64', true, TIMESTAMP_LOGICAL],
      ['env', 5, 'string', true, undefined],
    ]);
    expect(out?.value).toEqual({ id: 7, topic: 'orders', part: 3, off: 99, ts: new Date(1700000000000), env: 'prod' });
  });

  it('reuses the updated schema object for the same input schema', () => {
    const t = insert('value', { 'topic.field': 't' });
    const a = t.apply(sourceRecord({ valueSchema, value: { id: 1 } }));
    const b = t.apply(sourceRecord({ valueSchema, value: { id: 2 } }));
    expect(a?.valueSchema).toBe(b?.valueSchema);
  });

  it('schemaless: adds to a plain object or a Map, keeping the kind', () => {
    const t = insert('value', { 'topic.field': 'topic', 'timestamp.field': 'ts', 'static.field': 'env', 'static.value': 'prod' });
    const obj = t.apply(sourceRecord({ topic: 'o', timestamp: 5, value: { id: 1 } }));
    expect(obj?.value).toEqual({ id: 1, topic: 'o', ts: 5, env: 'prod' });
    const map = t.apply(sourceRecord({ topic: 'o', timestamp: null, value: new Map([['id', 1]]) }));
    expect(map?.value).toEqual(new Map<string, unknown>([['id', 1], ['topic', 'o'], ['env', 'prod']]));
  });

  it('$Key variant operates on the key and keeps source record fields', () => {
    const t = insert('key', { 'partition.field': 'p' });
    const rec = sourceRecord({ kafkaPartition: 1, key: { k: 'a' }, value: 'v', sourcePartition: { table: 'x' }, sourceOffset: { id: 3 } });
    const out = t.apply(rec);
    expect(out).toEqual({ ...rec, key: { k: 'a', p: 1 } });
  });

  it('passes tombstones through', () => {
    const t = insert('value', ALL);
    const rec = sinkRecord({ valueSchema, value: null });
    expect(t.apply(rec)).toBe(rec);
  });

  it('offset insertion needs a sink record', () => {
    const t = insert('value', { 'offset.field': 'o' });
    expect(() => t.apply(sourceRecord({ value: { a: 1 } }))).toThrow(/only supported for sink connectors/);
  });

  it('a null value for a required (!) field is a DataError', () => {
    const t = insert('value', { 'timestamp.field': 'ts!' });
    expect(() => t.apply(sinkRecord({ valueSchema, value: { id: 1 }, timestamp: null }))).toThrow(/required field: "ts"/);
  });

  it('rejects non-struct values with a schema and non-maps without', () => {
    const t = insert('value', { 'topic.field': 't' });
    expect(() => t.apply(sourceRecord({ valueSchema: primitiveSchema('string'), value: 'x' }))).toThrow(/Only Struct objects supported/);
    expect(() => t.apply(sourceRecord({ value: 'x' }))).toThrow(/Only Map objects supported/);
  });

  it('static.field without static.value is a config error on static.value', () => {
    expect(() => insert('value', { 'static.field': 'env' })).toThrow(expect.objectContaining({ key: 'static.value' }));
  });
});
