import type { ColumnSchema } from '@vlasky/zongji';
import { BinlogShapes, columnFromBinlog } from './binlog-shape';
import { parseMySqlCdcConfig } from './mysql-cdc-config';
import { buildTableModel } from './table-catalog';

const config = parseMySqlCdcConfig({ 'database.hostname': 'h', 'database.user': 'u', 'database.server.id': '9', 'topic.prefix': 'p' });
const binlogColumn = (name: string, type: string): ColumnSchema => ({ COLUMN_NAME: name, COLUMN_TYPE: type, COLLATION_NAME: null, CHARACTER_SET_NAME: null, COLUMN_COMMENT: '' });
const live = buildTableModel({ database: 'db', name: 't' }, [
  { name: 'id', dataType: 'int', columnType: 'int(11)', optional: false, precision: 10, scale: 0, fsp: null },
  { name: 'flag', dataType: 'tinyint', columnType: 'tinyint(1)', optional: true, precision: 3, scale: 0, fsp: null },
], ['id'], config);

describe('binlog table shapes', () => {
  it('the live model when the event has the live columns', () => {
    expect(new BinlogShapes(config).eventModel(live, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint')])).toBe(live);
  });

  it("an older shape: live columns keep their definitions, dropped ones are typed from the binlog", () => {
    const shapes = new BinlogShapes(config);
    const old = shapes.eventModel(live, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('price', 'decimal(10,2)')]);
    expect(old.columns.map((c) => [c.name, c.codec.schema.type])).toEqual([['id', 'int32'], ['flag', 'boolean'], ['price', 'bytes']]);
    expect(old.columns[2].codec.schema.parameters).toEqual({ scale: '2', 'connect.decimal.precision': '10' });
    expect(old.keyColumns).toEqual(['id']);
    expect(shapes.eventModel(live, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('price', 'decimal(10,2)')])).toBe(old);
  });

  it('types binlog columns: unsigned, fractional seconds, bit width', () => {
    expect(columnFromBinlog({ ...binlogColumn('a', 'bigint'), UNSIGNED: true })).toMatchObject({ dataType: 'bigint', columnType: 'bigint unsigned' });
    expect(columnFromBinlog(binlogColumn('b', 'datetime(6)'))).toMatchObject({ dataType: 'datetime', fsp: 6, precision: null });
    expect(columnFromBinlog(binlogColumn('c', 'bit(10)'))).toMatchObject({ dataType: 'bit', precision: 10 });
  });
});
