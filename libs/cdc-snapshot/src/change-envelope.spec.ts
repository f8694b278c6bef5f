import type { ConnectSchema } from '@millrace/connect-sdk';
import { changeRecord, changeTableSchemas, platformSchema, tombstoneRecord } from './change-envelope';

describe('change envelope', () => {
  const source: ConnectSchema = { type: 'struct', optional: false, name: 'test.Source', fields: [{ name: 'ts_ms', index: 0, schema: { type: 'int64', optional: false } }] };
  const columns = [
    { name: 'id', schema: { type: 'int64', optional: true } as ConnectSchema },
    { name: 'label', schema: { type: 'string', optional: true } as ConnectSchema },
  ];

  it('names the key, value and envelope after the topic; key fields are required', () => {
    const s = changeTableSchemas('erp.shop.orders', columns, ['id'], source);
    expect(s.keySchema).toMatchObject({ name: 'erp.shop.orders.Key', fields: [{ name: 'id', schema: { type: 'int64', optional: false } }] });
    expect(s.valueSchema).toMatchObject({ name: 'erp.shop.orders.Value', optional: true });
    expect(s.envelopeSchema.fields?.map((f) => f.name)).toEqual(['before', 'after', 'source', 'op', 'ts_ms']);
    expect(changeTableSchemas('t', columns, [], source).keySchema).toBeNull();
    expect(() => changeTableSchemas('t', columns, ['nope'], source)).toThrow('key column nope is not a column of t');
  });

  it('builds change records keyed by after ?? before, and tombstones with the same key', () => {
    const s = changeTableSchemas('t', columns, ['id'], source);
    const table = { topic: 't', keyColumns: ['id'], ...s };
    const position = { partition: { server: 'x' }, offset: { pos: 4 } };
    const d = changeRecord(table, 'd', { id: 7, label: 'a' }, null, { ts_ms: 123 }, position, 999);
    expect(d).toMatchObject({ topic: 't', key: { id: 7 }, value: { op: 'd', before: { id: 7 }, after: null, ts_ms: 999 }, timestamp: 123, sourceOffset: { pos: 4 } });
    expect(tombstoneRecord(table, { id: 7, label: 'a' }, 123, position)).toMatchObject({ key: { id: 7 }, value: null, valueSchema: null });
  });

  it('reads platform schemas from schemas/ at the repository root', () => {
    expect(platformSchema('io.debezium.connector.postgresql.Source.avsc')).toMatchObject({ type: 'struct', name: 'io.debezium.connector.postgresql.Source' });
    expect(() => platformSchema('missing.avsc')).toThrow('schemas/missing.avsc not found');
  });
});
