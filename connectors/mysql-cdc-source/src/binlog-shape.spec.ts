import type { ColumnSchema } from '@vlasky/zongji';
import { columnFromBinlog, deriveShape, shapeDescribes, type TableShape } from './binlog-shape';
import type { MySqlColumn } from './column-types';

const binlogColumn = (name: string, type: string, unsigned?: boolean): ColumnSchema => ({ COLUMN_NAME: name, COLUMN_TYPE: type, COLLATION_NAME: null, CHARACTER_SET_NAME: null, COLUMN_COMMENT: '', ...(unsigned !== undefined ? { UNSIGNED: unsigned } : {}) });
const col = (name: string, dataType: string, columnType: string, extra: Partial<MySqlColumn> = {}): MySqlColumn => ({ name, dataType, columnType, optional: true, precision: null, scale: null, fsp: null, ...extra });

const v1: TableShape = { columns: [col('id', 'int', 'int(11)', { optional: false }), col('flag', 'tinyint', 'tinyint(1)'), col('qty', 'int', 'int(11)'), col('label', 'varchar', 'varchar(10)')], key: ['id'] };
const live: TableShape = { columns: [col('id', 'int', 'int(11)', { optional: false }), col('flag', 'tinyint', 'tinyint(1)'), col('qty', 'bigint', 'bigint(20)'), col('extra', 'json', 'longtext')], key: ['id'] };

describe('binlog table shapes', () => {
  it('a shape describes events with its column names and base types (string lengths and JSON-as-longtext aside)', () => {
    expect(shapeDescribes(v1, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'int'), binlogColumn('label', 'varchar(50)')])).toBe(true);
    expect(shapeDescribes(v1, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'bigint'), binlogColumn('label', 'varchar(10)')])).toBe(false);
    expect(shapeDescribes(v1, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'int')])).toBe(false);
    expect(shapeDescribes(live, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'bigint'), binlogColumn('extra', 'longtext')])).toBe(true);
    expect(shapeDescribes(v1, undefined)).toBe(true);
    // signedness is compared only when the binlog sends it
    const unsignedShape: TableShape = { columns: [col('n', 'int', 'int(10) unsigned')], key: [] };
    expect(shapeDescribes(unsignedShape, [binlogColumn('n', 'int')])).toBe(true);
    expect(shapeDescribes(unsignedShape, [binlogColumn('n', 'int', false)])).toBe(false);
    expect(shapeDescribes(unsignedShape, [binlogColumn('n', 'int unsigned', true)])).toBe(true);
  });

  it('derives an event shape: each column from the first reference with the same base type, else from the binlog', () => {
    const shape = deriveShape([binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'int'), binlogColumn('extra', 'longtext'), binlogColumn('price', 'decimal(10,2)')], undefined, [v1, live]);
    expect(shape.columns).toEqual([v1.columns[0], v1.columns[1], v1.columns[2], live.columns[3], col('price', 'decimal', 'decimal(10,2)', { precision: 10, scale: 2 })]);
    expect(shape.key).toEqual(['id']);
    expect(shapeDescribes(shape, [binlogColumn('id', 'int'), binlogColumn('flag', 'tinyint'), binlogColumn('qty', 'int'), binlogColumn('extra', 'longtext'), binlogColumn('price', 'decimal(10,2)')])).toBe(true);
    expect(deriveShape([binlogColumn('id', 'int'), binlogColumn('b', 'int')], [1], [v1]).key).toEqual(['b']);
  });

  it('types binlog columns: unsigned, fractional seconds, bit width; a binlog-typed column is described by its own metadata', () => {
    expect(columnFromBinlog({ ...binlogColumn('a', 'bigint'), UNSIGNED: true })).toMatchObject({ dataType: 'bigint', columnType: 'bigint unsigned' });
    expect(columnFromBinlog(binlogColumn('b', 'datetime(6)'))).toMatchObject({ dataType: 'datetime', fsp: 6, precision: null });
    expect(columnFromBinlog(binlogColumn('c', 'bit(10)'))).toMatchObject({ dataType: 'bit', precision: 10 });
    for (const type of ['int unsigned', 'decimal(30,10)', 'datetime(3)', 'timestamp', 'time(6)', "enum('a','b c')", 'bit(1)', 'varbinary(8)', 'blob', 'year', 'date', 'double']) {
      const c = binlogColumn('x', type, type.includes('unsigned') ? true : undefined);
      expect(shapeDescribes({ columns: [columnFromBinlog(c)], key: [] }, [c])).toBe(true);
    }
  });
});
