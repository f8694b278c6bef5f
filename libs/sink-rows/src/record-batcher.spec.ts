import type { ConnectSchema, SinkRecord } from '@millrace/connect-sdk';
import { lastPerKey } from './row-key';
import { buildFieldsMetadata, columnValue } from './fields-metadata';
import { RecordBatcher, type BatcherOptions } from './record-batcher';

const keySchema: ConnectSchema = { type: 'struct', optional: false, fields: [{ name: 'id', index: 0, schema: { type: 'int64', optional: false } }] };
const v1: ConnectSchema = {
  type: 'struct',
  optional: false,
  fields: [
    { name: 'id', index: 0, schema: { type: 'int64', optional: false } },
    { name: 'name', index: 1, schema: { type: 'string', optional: true } },
  ],
};
const v2: ConnectSchema = { ...v1, fields: [...(v1.fields ?? []), { name: 'extra', index: 2, schema: { type: 'int32', optional: true } }] };

function rec(topic: string, offset: number, value: unknown, valueSchema: ConnectSchema | null = v1): SinkRecord {
  return { topic, kafkaPartition: 0, kafkaOffset: offset, originalTopic: topic, originalKafkaPartition: 0, originalKafkaOffset: offset, keySchema, key: { id: offset }, valueSchema, value, timestamp: null, headers: [] };
}

const opts: BatcherOptions = { tableNameFormat: 'sink_${topic}', batchSize: 3, deleteEnabled: true, pkMode: 'record_key', pkFields: [], fieldsWhitelist: [] };

describe('RecordBatcher', () => {
  it('groups by table, splits at batch.size, kind and schema changes, keeping per-table order', () => {
    const records = [
      rec('a', 0, { id: 0 }),
      rec('b', 1, { id: 1 }),
      rec('a', 2, { id: 2 }),
      rec('a', 3, { id: 3 }),
      rec('a', 4, { id: 4 }),
      rec('a', 5, null, null),
      rec('a', 6, { id: 6, extra: 1 }, v2),
      rec('a', 7, { id: 7, extra: 1 }, { ...v2 }),
    ];
    const batches = new RecordBatcher(opts).batch(records);
    const summary = batches.map((b) => `${b.table}:${b.kind}:${b.records.map((r) => r.kafkaOffset).join(',')}`);
    expect(summary).toEqual(['sink_a:write:0,2,3', 'sink_a:write:4', 'sink_a:delete:5', 'sink_a:write:6,7', 'sink_b:write:1']);
    expect(batches[3].fields.valueColumns.map((c) => c.name)).toEqual(['name', 'extra']);
    expect(batches[2].fields.keyColumns.map((c) => c.name)).toEqual(['id']);
  });

  it('drops tombstones when delete.enabled is off', () => {
    const batches = new RecordBatcher({ ...opts, deleteEnabled: false }).batch([rec('a', 0, null, null), rec('a', 1, { id: 1 })]);
    expect(batches.map((b) => b.records.length)).toEqual([1]);
  });
});

describe('buildFieldsMetadata', () => {
  it('derives kafka, record_key (primitive and struct) and record_value keys', () => {
    expect(buildFieldsMetadata({ pkMode: 'kafka', pkFields: [], fieldsWhitelist: [] }, null, v1, false).allColumns.map((c) => c.name)).toEqual([
      '__connect_topic',
      '__connect_partition',
      '__connect_offset',
      'id',
      'name',
    ]);
    const prim = buildFieldsMetadata({ pkMode: 'record_key', pkFields: ['k'], fieldsWhitelist: ['name'] }, { type: 'string', optional: false }, v1, false);
    expect(prim.allColumns.map((c) => c.name)).toEqual(['k', 'name']);
    const r = rec('t', 9, { id: 5, name: 'x' });
    expect(columnValue(prim.keyColumns[0], { ...r, key: 'K' })).toBe('K');
    const byValue = buildFieldsMetadata({ pkMode: 'record_value', pkFields: ['id'], fieldsWhitelist: [] }, null, v1, false);
    expect(byValue.keyColumns.map((c) => c.name)).toEqual(['id']);
    expect(byValue.valueColumns.map((c) => c.name)).toEqual(['name']);
    expect(columnValue(byValue.keyColumns[0], r)).toBe(5);
  });

  it('rejects schemaless values, bad pk.fields and nested types', () => {
    expect(() => buildFieldsMetadata({ pkMode: 'none', pkFields: [], fieldsWhitelist: [] }, null, null, false)).toThrow(/with a schema/);
    expect(() => buildFieldsMetadata({ pkMode: 'record_key', pkFields: [], fieldsWhitelist: [] }, { type: 'int32', optional: false }, v1, false)).toThrow(
      /exactly one/,
    );
    expect(() => buildFieldsMetadata({ pkMode: 'record_value', pkFields: ['nope'], fieldsWhitelist: [] }, null, v1, false)).toThrow(/not a field/);
    const nested: ConnectSchema = { type: 'struct', optional: false, fields: [{ name: 'tags', index: 0, schema: { type: 'array', optional: true, valueSchema: { type: 'string', optional: false } } }] };
    expect(() => buildFieldsMetadata({ pkMode: 'none', pkFields: [], fieldsWhitelist: [] }, null, nested, false)).toThrow(/only primitive/);
  });
});

describe('lastPerKey', () => {
  it('keeps the last row of each key, in the order of those rows', () => {
    const rows = [
      [1, 'a'],
      [2, 'b'],
      [1, 'c'],
      ['1', 'd'],
    ];
    expect(lastPerKey(rows, 1)).toEqual([
      [2, 'b'],
      [1, 'c'],
      ['1', 'd'],
    ]);
  });

  it('tells keys of different types apart and treats nulls as one key, by value or by string alike', () => {
    const rows = [[null, 'a'], [10n, 'b'], [10, 'c'], [null, 'd'], [true, 'e'], ['true', 'f'], [10n, 'g']];
    const expected = [[10, 'c'], [null, 'd'], [true, 'e'], ['true', 'f'], [10n, 'g']];
    expect(lastPerKey(rows, 1)).toEqual(expected);
    // A Buffer key takes the string path; the answer keeps the same rules.
    expect(lastPerKey([...rows, [Buffer.from('k'), 'h'], [Buffer.from('k'), 'i']], 1)).toEqual([...expected, [Buffer.from('k'), 'i']]);
    // Two key columns: the string path.
    expect(lastPerKey([[1, 'x', 'a'], [1, 'y', 'b'], [1, 'x', 'c']], 2)).toEqual([[1, 'y', 'b'], [1, 'x', 'c']]);
  });
});
