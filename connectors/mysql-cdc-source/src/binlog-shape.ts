import type { ColumnSchema } from '@vlasky/zongji';
import type { MySqlColumn } from './column-types';
import type { MySqlCdcConfig } from './mysql-cdc-config';
import { buildTableModel, type TableModel } from './table-catalog';

/**
 * The table shape a rows event was written with. With binlog_row_metadata=FULL every
 * TableMap event carries its table's column names (and types), so a row written before
 * an ALTER TABLE is emitted with the columns it had then, even when the live schema (the
 * connector's model) has changed since.
 *
 * Contract: `eventModel(live, columnSchemas)` is `live` when the event's column names are
 * the live table's; otherwise a model of the event's columns: a column the live table
 * still has keeps its live definition (exact type, nullability), one it no longer has is
 * typed from the binlog metadata (nullable). Models are cached per shape.
 */
export class BinlogShapes {
  private readonly cache = new Map<string, TableModel>();

  constructor(private readonly config: MySqlCdcConfig) {}

  eventModel(live: TableModel, columnSchemas: readonly ColumnSchema[] | undefined): TableModel {
    if (!columnSchemas || columnSchemas.length === 0) return live;
    const names = columnSchemas.map((c) => c.COLUMN_NAME);
    if (names.length === live.catalogColumns.length && names.every((n, i) => live.catalogColumns[i].name === n)) return live;
    const key = `${live.qualified}|${JSON.stringify(columnSchemas.map((c) => [c.COLUMN_NAME, c.COLUMN_TYPE]))}|${JSON.stringify(live.catalogColumns.map((c) => c.columnType))}`;
    let model = this.cache.get(key);
    if (!model) {
      const columns = columnSchemas.map((c) => live.catalogColumns.find((l) => l.name === c.COLUMN_NAME) ?? columnFromBinlog(c));
      model = buildTableModel({ database: live.database, name: live.name }, columns, live.keyColumns.filter((k) => names.includes(k)), this.config);
      this.cache.set(key, model);
    }
    return model;
  }
}

/** A column typed from binlog metadata (COLUMN_TYPE such as "decimal(10,2)", "datetime(6)", "int unsigned"). */
export function columnFromBinlog(c: ColumnSchema): MySqlColumn {
  const type = c.COLUMN_TYPE.toLowerCase();
  const dataType = /^[a-z]+/.exec(type)?.[0] ?? 'varchar';
  const args = /\((\d+)(?:,(\d+))?\)/.exec(type);
  const first = args ? Number(args[1]) : null;
  const temporal = ['datetime', 'timestamp', 'time'].includes(dataType);
  return {
    name: c.COLUMN_NAME,
    dataType,
    columnType: c.UNSIGNED && !type.includes('unsigned') ? `${type} unsigned` : type,
    optional: true,
    precision: temporal ? null : first,
    scale: args?.[2] !== undefined ? Number(args[2]) : dataType === 'decimal' ? 0 : null,
    fsp: temporal ? (first ?? 0) : null,
  };
}
