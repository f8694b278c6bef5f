import { changeTableSchemas } from '@millrace/cdc-snapshot';
import type { ConnectSchema, Struct } from '@millrace/connect-sdk';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { columnCodec, type ColumnCodec, type MySqlColumn } from './column-types';
import type { MySqlCdcConfig } from './mysql-cdc-config';
import { sourceBlockSchema } from './source-block';

/**
 * The captured tables as the connector models them: the emitted columns with their
 * codecs, the primary-key columns and the Debezium schemas of topic
 * `<prefix>.<database>.<table>`.
 *
 * Selection (Debezium's rules): databases by `database.include.list` / `exclude`
 * (regexes on the name), tables by `table.include.list` / `exclude` (regexes on
 * `database.table`), columns by `column.include.list` / `exclude` (regexes on
 * `database.table.column`; key columns are always kept). System databases are never captured.
 */
export interface TableModel {
  readonly database: string;
  readonly name: string;
  /** "database.table" */
  readonly qualified: string;
  readonly topic: string;
  readonly columns: readonly (MySqlColumn & { readonly codec: ColumnCodec })[];
  /** Every column of the table as the catalog (or the binlog) describes it, emitted or not. */
  readonly catalogColumns: readonly MySqlColumn[];
  readonly keyColumns: readonly string[];
  readonly keySchema: ConnectSchema | null;
  readonly valueSchema: ConnectSchema;
  readonly envelopeSchema: ConnectSchema;
}

export interface TableName {
  readonly database: string;
  readonly name: string;
}

const SYSTEM_DATABASES = ['mysql', 'information_schema', 'performance_schema', 'sys'];

export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function quoteTable(t: TableName): string {
  return `${quoteIdent(t.database)}.${quoteIdent(t.name)}`;
}

const matches = (patterns: readonly string[], name: string): boolean => patterns.some((p) => new RegExp(`^(?:${p})$`, 'i').test(name));
const selected = (include: readonly string[], exclude: readonly string[], name: string): boolean => (include.length === 0 || matches(include, name)) && !matches(exclude, name);

/** True when the config captures `database.table`. */
export function isCaptured(config: MySqlCdcConfig, t: TableName): boolean {
  return !SYSTEM_DATABASES.includes(t.database.toLowerCase()) && selected(config.databaseInclude, config.databaseExclude, t.database) && selected(config.tableInclude, config.tableExclude, `${t.database}.${t.name}`);
}

export async function listCapturedTables(db: Connection, config: MySqlCdcConfig): Promise<TableName[]> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME`);
  return rows.map((r) => ({ database: String(r.db), name: String(r.name) })).filter((t) => isCaptured(config, t));
}

export async function loadTableModel(db: Connection, table: TableName, config: MySqlCdcConfig): Promise<TableModel> {
  const [cols] = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, LOWER(DATA_TYPE) AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable, NUMERIC_PRECISION AS prec,
            NUMERIC_SCALE AS scale, DATETIME_PRECISION AS fsp, COLUMN_KEY AS columnKey
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [table.database, table.name],
  );
  const [keys] = await db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
    [table.database, table.name],
  );
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const json = await mariaDbJsonColumns(db, table);
  const columns: MySqlColumn[] = cols.map((c) => ({
    name: String(c.name), dataType: json.has(String(c.name)) ? 'json' : String(c.dataType), columnType: String(c.columnType), optional: c.nullable === 'YES', precision: num(c.prec), scale: num(c.scale), fsp: num(c.fsp),
  }));
  return buildTableModel(table, columns, keys.map((k) => String(k.name)), config);
}

/**
 * MariaDB's JSON is LONGTEXT with a CHECK (json_valid(`col`)) constraint: the columns so
 * declared (none on MySQL, whose JSON is its own type and whose CHECK_CONSTRAINTS has no
 * TABLE_NAME).
 */
async function mariaDbJsonColumns(db: Connection, table: TableName): Promise<Set<string>> {
  try {
    const [rows] = await db.query<RowDataPacket[]>(`SELECT CHECK_CLAUSE AS c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`, [table.database, table.name]);
    return new Set(rows.map((r) => /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r.c))?.[1]?.replace(/``/g, '`')).filter((n): n is string => n !== undefined));
  } catch {
    return new Set();
  }
}

/** The model of a table from its catalog facts (columns in order, key column names). */
export function buildTableModel(table: TableName, catalogColumns: readonly MySqlColumn[], keyColumns: readonly string[], config: Pick<MySqlCdcConfig, 'topicPrefix' | 'columnInclude' | 'columnExclude' | 'decimalHandlingMode' | 'timePrecisionMode'>): TableModel {
  const qualified = `${table.database}.${table.name}`;
  const columns = catalogColumns
    .filter((c) => keyColumns.includes(c.name) || selected(config.columnInclude, config.columnExclude, `${qualified}.${c.name}`))
    .map((c) => ({ ...c, codec: columnCodec(c, config.decimalHandlingMode, config.timePrecisionMode) }));
  const topic = `${config.topicPrefix}.${table.database}.${table.name}`;
  const schemas = changeTableSchemas(topic, columns.map((c) => ({ name: c.name, schema: c.codec.schema })), keyColumns, sourceBlockSchema());
  return { database: table.database, name: table.name, qualified, topic, columns, catalogColumns, keyColumns, ...schemas };
}

/**
 * The SELECT list of the model's columns for snapshot queries. A FLOAT (not a key column,
 * whose text is its resume key) is read as a DOUBLE: the text protocol prints a FLOAT
 * with 6 significant digits (1234567.875 as 1234570), the DOUBLE of it exactly, as the
 * binlog carries it.
 */
export function selectColumns(model: TableModel): string {
  return model.columns.map((c) => (c.dataType === 'float' && !model.keyColumns.includes(c.name) ? `(${quoteIdent(c.name)} + 0E0) AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
}

/** A row (column name -> driver value) as the model's Struct. */
export function decodeRow(model: TableModel, row: Readonly<Record<string, unknown>>): Struct {
  const out: Struct = {};
  for (const c of model.columns) {
    const v = row[c.name];
    out[c.name] = v === null || v === undefined ? null : c.codec.decode(v);
  }
  return out;
}
