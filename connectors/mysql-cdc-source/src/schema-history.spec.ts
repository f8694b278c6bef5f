import { SchemaHistory } from './schema-history';
import type { TableShape } from './binlog-shape';

const shape = (...names: string[]): TableShape => ({ columns: names.map((name) => ({ name, dataType: 'int', columnType: 'int(11)', optional: true, precision: 10, scale: 0, fsp: null })), key: [names[0]] });

describe('schema history', () => {
  it('versions by binlog position; a replayed position keeps its version; the offset carries the whole history', () => {
    const h = new SchemaHistory('erp', 'schema-changes.erp');
    const first = h.record('shop', 'shop.t', { file: 'mysql-bin.000001', pos: 100, gtid: null, ddl: null, shape: shape('id', 'a') });
    expect(first?.topic).toBe('schema-changes.erp');
    expect(first?.sourcePartition).toEqual({ server: 'erp', schema_history: 'shop.t' });
    expect(h.record('shop', 'shop.t', { file: 'mysql-bin.000001', pos: 200, gtid: null, ddl: 'ALTER', shape: shape('id', 'a') })).toBeNull(); // same shape
    const second = h.record('shop', 'shop.t', { file: 'mysql-bin.000002', pos: 50, gtid: '0-1-9', ddl: 'ALTER TABLE t ADD b INT', shape: shape('id', 'a', 'b') });
    expect(h.record('shop', 'shop.t', { file: 'mysql-bin.000002', pos: 50, gtid: null, ddl: null, shape: shape('id') })).toBeNull(); // replayed: kept
    expect(h.at('shop.t', { file: 'mysql-bin.000001', pos: 99 })).toBeNull();
    expect(h.at('shop.t', { file: 'mysql-bin.000001', pos: 5000 })?.shape).toEqual(shape('id', 'a'));
    expect(h.at('shop.t', { file: 'mysql-bin.000002', pos: 50 })?.shape).toEqual(shape('id', 'a', 'b'));
    expect(JSON.parse(String(second?.value))).toMatchObject({ position: { file: 'mysql-bin.000002', pos: 50, gtids: '0-1-9' }, databaseName: 'shop', ddl: 'ALTER TABLE t ADD b INT', tableChanges: [{ type: 'ALTER', id: '"shop"."t"' }] });
    // a new task reloads the history from the latest offset
    const again = new SchemaHistory('erp', 'schema-changes.erp');
    again.load('shop.t', JSON.parse(JSON.stringify(second?.sourceOffset)));
    expect(again.versions('shop.t').map((v) => `${v.file}:${v.pos}`)).toEqual(['mysql-bin.000001:100', 'mysql-bin.000002:50']);
    expect(again.before('shop.t', { file: 'mysql-bin.000003', pos: 4 }).map((v) => v.pos)).toEqual([50, 100]);
  });
});
