import type { ColumnSchema } from '@vlasky/zongji';
import type { MySqlColumn } from './column-types';

/**
 * Table shapes and what binlog_row_metadata=FULL says about them. Every TableMap event
 * then carries its table's column names, base types (with DECIMAL precision/scale,
 * temporal fractional digits, ENUM/SET values, signedness) and primary key, so whether a
 * known shape describes a rows event can be checked, never assumed.
 *
 * Contracts:
 * - `TableShape` is the JSON-serialisable structure of a table (columns in order, primary
 *   key), as stored in the schema history.
 * - `shapeDescribes(shape, columns)`: the shape has the event's columns, in order, with
 *   the same base types (lengths of strings are not compared: they do not change the
 *   emitted schema). Without metadata (`columns` empty) nothing can be checked: true.
 * - `deriveShape(columns, primaryKey, references)`: the shape of an event the known shape
 *   does not describe. Each column keeps the definition of the first reference having it
 *   with the same base type (exact COLUMN_TYPE, nullability, tinyint(1), MariaDB JSON),
 *   else it is typed from the binlog (nullable). The key is the binlog's primary key when
 *   sent, else the references' key columns still present.
 * - `columnFromBinlog(c)` is always described by `c` (derived shapes are stable).
 */
export interface TableShape {
  readonly columns: readonly MySqlColumn[];
  readonly key: readonly string[];
}

const INTS = ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'];
const LOBS = ['tinyblob', 'blob', 'mediumblob', 'longblob', 'tinytext', 'text', 'mediumtext', 'longtext', 'json'];
const STRINGS = ['char', 'varchar', 'binary', 'varbinary'];

/** A column's base type as the binlog can tell it (lengths of strings left out). */
function baseType(c: MySqlColumn, withSign: boolean): string {
  const t = c.dataType === 'integer' ? 'int' : c.dataType === 'numeric' ? 'decimal' : c.dataType;
  if (INTS.includes(t)) return withSign && /\bunsigned\b/i.test(c.columnType) ? `${t} unsigned` : t;
  if (LOBS.includes(t)) return 'lob';
  if (STRINGS.includes(t)) return 'string';
  if (t === 'decimal') return `decimal(${c.precision ?? 10},${c.scale ?? 0})`;
  if (['datetime', 'timestamp', 'time'].includes(t)) return `${t}(${c.fsp ?? 0})`;
  if (t === 'bit') return `bit(${c.precision ?? 1})`;
  if (t === 'enum' || t === 'set') return c.columnType.toLowerCase().replace(/\s+/g, '');
  return t;
}

function sameType(known: MySqlColumn, event: ColumnSchema): boolean {
  const withSign = event.UNSIGNED !== undefined;
  return baseType(known, withSign) === baseType(columnFromBinlog(event), withSign);
}

export function shapeDescribes(shape: TableShape, columns: readonly ColumnSchema[] | undefined): boolean {
  if (!columns || columns.length === 0) return true;
  return columns.length === shape.columns.length && columns.every((c, i) => shape.columns[i].name === c.COLUMN_NAME && sameType(shape.columns[i], c));
}

export function deriveShape(columns: readonly ColumnSchema[], primaryKey: readonly number[] | undefined, references: readonly TableShape[]): TableShape {
  const derived = columns.map((c) => {
    for (const ref of references) {
      const known = ref.columns.find((k) => k.name === c.COLUMN_NAME);
      if (known && sameType(known, c)) return known;
    }
    return columnFromBinlog(c);
  });
  const names = derived.map((c) => c.name);
  const key = primaryKey && primaryKey.length > 0
    ? primaryKey.map((i) => names[i]).filter((n): n is string => n !== undefined)
    : (references[0]?.key ?? []).filter((k) => names.includes(k));
  return { columns: derived, key };
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

export function sameShape(a: TableShape, b: TableShape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
