import { AvroConverter } from '@millrace/connect-sdk';
import { SchemaRegistryClient } from '@millrace/schema-serde';
import { FakeSchemaRegistry } from '@millrace/schema-serde/testing';
import { changeRecord, tombstoneRecord } from '@millrace/cdc-snapshot';
import { decodeRow, sourcePartition } from './change-events';
import type { SourceBlock } from './source-block';
import { buildTableModel } from './table-catalog';

const model = buildTableModel(
  { schema: 'public', name: 'orders' },
  16384,
  [
    { name: 'id', typeOid: 20, typeMod: -1, optional: false, sqlType: 'bigint' },
    { name: 'amount', typeOid: 1700, typeMod: ((12 << 16) | 2) + 4, optional: true, sqlType: 'numeric(12,2)' },
    { name: 'placed', typeOid: 1114, typeMod: -1, optional: true, sqlType: 'timestamp without time zone' },
    { name: 'updated', typeOid: 1184, typeMod: -1, optional: true, sqlType: 'timestamp with time zone' },
    { name: 'day', typeOid: 1082, typeMod: -1, optional: true, sqlType: 'date' },
    { name: 'flag', typeOid: 16, typeMod: -1, optional: true, sqlType: 'boolean' },
    { name: 'payload', typeOid: 17, typeMod: -1, optional: true, sqlType: 'bytea' },
    { name: 'ratio', typeOid: 1700, typeMod: -1, optional: true, sqlType: 'numeric' },
    { name: 'note', typeOid: 25, typeMod: -1, optional: true, sqlType: 'text' },
  ],
  ['id'],
  'erp',
  'precise',
);

const source: SourceBlock = { version: '0.1.0', connector: 'postgresql', name: 'erp', ts_ms: 1700000000000, snapshot: 'false', db: 'test', sequence: '["0/1","0/2"]', schema: 'public', table: 'orders', txId: 777, lsn: 12345, xmin: null };
const position = { partition: sourcePartition('erp'), offset: { lsn: '0/2' } };

describe('change events', () => {
  it('decodes the server text of each column type as Debezium represents it', () => {
    const row = decodeRow(model, { id: '9007199254740993', amount: '-12.50', placed: '2024-02-29 13:04:05.123456', updated: '2024-02-29 13:04:05.5+00', day: '2024-02-29', flag: 't', payload: '\\x00ff', ratio: '3.14159', note: null });
    expect(row).toEqual({
      id: 9007199254740993n,
      amount: '-12.50',
      placed: Date.UTC(2024, 1, 29, 13, 4, 5, 123) * 1000 + 456,
      updated: '2024-02-29T13:04:05.5Z',
      day: 19782,
      flag: true,
      payload: Buffer.from([0, 255]),
      ratio: { scale: 5, value: Buffer.from([0x04, 0xcb, 0x2f]) },
      note: null,
    });
  });

  it('an envelope with key, and a tombstone, convert with the Avro converter', async () => {
    const registry = new FakeSchemaRegistry();
    await registry.start();
    try {
      const make = (isKey: boolean) => {
        const c = new AvroConverter({ clientFactory: (opts) => new SchemaRegistryClient(opts) });
        c.configure({ 'schema.registry.url': registry.url }, isKey);
        return c;
      };
      const [keys, values] = [make(true), make(false)];
      const after = decodeRow(model, { id: '7', amount: '1.00', placed: null, updated: null, day: null, flag: 'f', payload: null, ratio: '-0.5', note: 'x' });
      const event = changeRecord(model, 'c', null, after, source, position, 1700000000001);
      expect(event.topic).toBe('erp.public.orders');
      expect(event.key).toEqual({ id: 7 });
      const keyBytes = await keys.fromConnectData(event.topic, event.keySchema, event.key);
      const valueBytes = await values.fromConnectData(event.topic, event.valueSchema, event.value);
      const back = await values.toConnectData(event.topic, valueBytes);
      expect(back.value).toMatchObject({ before: null, op: 'c', ts_ms: 1700000000001, source: { txId: 777, lsn: 12345, table: 'orders', snapshot: 'false' }, after: { id: 7, amount: '1.00', note: 'x' } });
      expect((await keys.toConnectData(event.topic, keyBytes)).value).toEqual({ id: 7 });
      const gone = tombstoneRecord(model, after, 1, position);
      expect(gone.value).toBeNull();
      expect(await values.fromConnectData(gone.topic, gone.valueSchema, gone.value)).toBeNull();
    } finally {
      await registry.stop();
    }
  });
});

describe('partial rows', () => {
  it('a key-only before image fills NOT NULL columns with zero values and leaves nullable ones null', () => {
    const strict = buildTableModel({ schema: 'public', name: 't' }, 1, [
      { name: 'id', typeOid: 23, typeMod: -1, optional: false, sqlType: 'integer' },
      { name: 'name', typeOid: 25, typeMod: -1, optional: false, sqlType: 'text' },
      { name: 'note', typeOid: 25, typeMod: -1, optional: true, sqlType: 'text' },
    ], ['id'], 'p', 'precise');
    expect(decodeRow(strict, { id: '4' })).toEqual({ id: 4, name: '', note: null });
  });
});
