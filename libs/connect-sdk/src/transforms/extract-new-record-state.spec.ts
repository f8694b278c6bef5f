import type { ConnectRecord, SourceRecord } from '../record/connect-record';
import type { ConnectSchema } from '../record/connect-schema';
import { primitiveSchema, sourceRecord, structSchema } from '../testing/record-builders';
import { ExtractNewRecordState } from './extract-new-record-state';

const rowSchema = structSchema([['id', primitiveSchema('int32')], ['name', primitiveSchema('string', true)]], { name: 'srv.inv.customers.Value', optional: true });
const sourceSchema = structSchema([['db', primitiveSchema('string')], ['table', primitiveSchema('string')], ['ts_ms', primitiveSchema('int64')]], { name: 'io.debezium.connector.postgresql.Source' });
const envelopeSchema = structSchema(
  [
    ['before', rowSchema],
    ['after', rowSchema],
    ['source', sourceSchema],
    ['op', primitiveSchema('string')],
    ['ts_ms', primitiveSchema('int64', true)],
  ],
  { name: 'srv.inv.customers.Envelope' },
);
const source = { db: 'inv', table: 'customers', ts_ms: 1000 };

function envelope(op: string, before: object | null, after: object | null) {
  return { before, after, source, op, ts_ms: 2000 };
}

function unwrap<R extends ConnectRecord = ConnectRecord>(config: Record<string, string> = {}): ExtractNewRecordState<R> {
  const t = new ExtractNewRecordState<R>();
  t.configure(config);
  return t;
}

describe('ExtractNewRecordState', () => {
  it('with a schema: unwraps after, with the after schema', () => {
    const out = unwrap<SourceRecord>().apply(sourceRecord({ valueSchema: envelopeSchema, value: envelope('u', { id: 1, name: 'a' }, { id: 1, name: 'b' }), sourceOffset: { lsn: 5 } }));
    expect(out?.value).toEqual({ id: 1, name: 'b' });
    expect(out?.valueSchema).toBe(rowSchema);
    expect(out?.sourceOffset).toEqual({ lsn: 5 });
  });

  it('drops tombstones by default and keeps them with drop.tombstones=false', () => {
    const tomb = sourceRecord({ key: { id: 1 }, value: null });
    expect(unwrap().apply(tomb)).toBeNull();
    expect(unwrap({ 'drop.tombstones': 'false' }).apply(tomb)).toBe(tomb);
  });

  it('drops truncate events (op t, no row state) whatever delete.handling.mode says', () => {
    const truncate = sourceRecord({ key: null, valueSchema: envelopeSchema, value: envelope('t', null, null) });
    expect(unwrap().apply(truncate)).toBeNull();
    expect(unwrap({ 'delete.handling.mode': 'none' }).apply(truncate)).toBeNull();
  });

  it('delete.handling.mode: drop (default), none, rewrite', () => {
    const del = sourceRecord({ valueSchema: envelopeSchema, value: envelope('d', { id: 1, name: 'a' }, null) });
    expect(unwrap().apply(del)).toBeNull();
    const none = unwrap({ 'delete.handling.mode': 'none' }).apply(del);
    expect(none?.value).toBeNull();
    expect(none?.valueSchema).toBe(rowSchema);
    const rewrite = unwrap({ 'delete.handling.mode': 'rewrite' });
    const out = rewrite.apply(del);
    expect(out?.value).toEqual({ id: 1, name: 'a', __deleted: 'true' });
    expect(out?.valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.optional])).toEqual([
      ['id', 'int32', false],
      ['name', 'string', true],
      ['__deleted', 'string', true],
    ]);
    expect(out?.valueSchema?.name).toBe('srv.inv.customers.Value');
    expect(rewrite.apply(sourceRecord({ valueSchema: envelopeSchema, value: envelope('c', null, { id: 2, name: 'n' }) }))?.value).toEqual({ id: 2, name: 'n', __deleted: 'false' });
  });

  it('add.fields resolves envelope fields, source fields and struct.field references', () => {
    const t = unwrap({ 'add.fields': 'op,table,source.ts_ms,ts_ms' });
    const out = t.apply(sourceRecord({ valueSchema: envelopeSchema, value: envelope('c', null, { id: 3, name: null }) }));
    expect(out?.value).toEqual({ id: 3, name: null, __op: 'c', __table: 'customers', __source_ts_ms: 1000, __ts_ms: 2000 });
    expect(out?.valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.optional])).toEqual([
      ['id', 'int32', false],
      ['name', 'string', true],
      ['__op', 'string', true],
      ['__table', 'string', true],
      ['__source_ts_ms', 'int64', true],
      ['__ts_ms', 'int64', true],
    ]);
  });

  it('add.fields naming a field the schema lacks is a DataError', () => {
    expect(() => unwrap({ 'add.fields': 'lsn' }).apply(sourceRecord({ valueSchema: envelopeSchema, value: envelope('c', null, { id: 1, name: 'x' }) }))).toThrow(/field lsn not found/);
  });

  it('add.headers adds string headers with the prefix', () => {
    const out = unwrap({ 'add.headers': 'op,source.ts_ms', 'add.headers.prefix': 'dbz.' }).apply(
      sourceRecord({ headers: [{ key: 'h', value: 'x' }], valueSchema: envelopeSchema, value: envelope('r', null, { id: 1, name: 'x' }) }),
    );
    expect(out?.headers).toEqual([
      { key: 'h', value: 'x' },
      { key: 'dbz.op', value: 'r' },
      { key: 'dbz.source_ts_ms', value: '1000' },
    ]);
  });

  it('schemaless: plain object and Map envelopes', () => {
    const t = unwrap({ 'delete.handling.mode': 'rewrite', 'add.fields': 'op,table' });
    expect(t.apply(sourceRecord({ value: envelope('c', null, { id: 1 }) }))?.value).toEqual({ id: 1, __op: 'c', __table: 'customers', __deleted: 'false' });
    const mapEnvelope = new Map<string, unknown>([['before', new Map([['id', 9]])], ['after', null], ['source', new Map([['table', 't']])], ['op', 'd']]);
    const out = t.apply(sourceRecord({ value: mapEnvelope }));
    expect(out?.valueSchema).toBeNull();
    expect(out?.value).toEqual(new Map<string, unknown>([['id', 9], ['__op', 'd'], ['__table', 't'], ['__deleted', 'true']]));
  });

  it('passes non-envelope records through', () => {
    const heartbeat = sourceRecord({ valueSchema: structSchema([['ts_ms', primitiveSchema('int64')]]) as ConnectSchema, value: { ts_ms: 1 } });
    expect(unwrap().apply(heartbeat)).toBe(heartbeat);
    const plain = sourceRecord({ value: { a: 1 } });
    expect(unwrap().apply(plain)).toBe(plain);
  });

  it('rejects an unknown delete.handling.mode naming the key', () => {
    expect(() => unwrap({ 'delete.handling.mode': 'soft' })).toThrow(expect.objectContaining({ key: 'delete.handling.mode' }));
  });
});
