import type { ConnectSchema } from '@millrace/connect-sdk';
import type { Client } from 'pg';
import { withDefault } from './column-defaults';
import { columnCodec, type ColumnCodec, type PgColumn } from './pg-column-types';
import type { TemporalModes } from './pg-temporal-types';
import type { DecimalHandlingMode } from './postgres-cdc-config';
import { sourceBlockSchema } from './source-block';

/**
 * The captured tables as the connector models them: columns with their codecs, the key
 * columns (primary key; none -> null record keys), and the Debezium schemas of the
 * topic `<prefix>.<schema>.<table>`:
 *   key       struct `<topic>.Key`   {key columns}
 *   value     struct `<topic>.Value` {all columns, optional as nullable}
 *   envelope  struct `<topic>.Envelope` {before: Value?, after: Value?, source: Source, op: string, ts_ms: int64?}
 * Table selection: `table.include.list` / `table.exclude.list` are regular expressions
 * matched against the whole `schema.table` (Debezium's rule); system schemas are never
 * captured.
 */
export interface TableModel {
  readonly schema: string;
  readonly name: string;
  /** "schema.table" */
  readonly qualified: string;
  readonly oid: number;
  readonly topic: string;
  readonly columns: readonly (CatalogColumn & { readonly codec: ColumnCodec })[];
  readonly keyColumns: readonly string[];
  readonly keySchema: ConnectSchema | null;
  readonly valueSchema: ConnectSchema;
  readonly envelopeSchema: ConnectSchema;
}

export interface TableName {
  readonly schema: string;
  readonly name: string;
}

export function qualify(t: TableName): string {
  return `${t.schema}.${t.name}`;
}

/** SQL text of a quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteTable(t: TableName): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** Every ordinary table of non-system schemas, selected by the include/exclude regexes. */
export async function listCapturedTables(db: Client, include: readonly string[], exclude: readonly string[]): Promise<TableName[]> {
  const { rows } = await db.query<{ nspname: string; relname: string }>(
    `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      ORDER BY n.nspname, c.relname`,
  );
  return rows.map((r) => ({ schema: r.nspname, name: r.relname })).filter((t) => isTableSelected(include, exclude, t));
}

/** table.include.list / table.exclude.list (regular expressions on `schema.table`, whole name) select `t`. */
export function isTableSelected(include: readonly string[], exclude: readonly string[], t: TableName): boolean {
  const matches = (patterns: readonly string[], name: string) => patterns.some((p) => new RegExp(`^(?:${p})$`).test(name));
  return (include.length === 0 || matches(include, qualify(t))) && !matches(exclude, qualify(t));
}

/** A column as the catalog (or a Relation message completed from the catalog) describes it. */
export type CatalogColumn = PgColumn & { readonly sqlType: string; readonly defaultExpr?: string | null };

/** The catalog's facts of a table: its live columns in order (with default expressions) and its primary key. */
export async function readCatalog(db: Client, oid: number): Promise<{ columns: CatalogColumn[]; keyColumns: string[] }> {
  const cols = await db.query<{ attname: string; atttypid: number; atttypmod: number; attnotnull: boolean; sqltype: string; defexpr: string | null }>(
    `SELECT a.attname, a.atttypid::int AS atttypid, a.atttypmod, a.attnotnull, format_type(a.atttypid, a.atttypmod) AS sqltype, pg_get_expr(d.adbin, d.adrelid) AS defexpr
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  const pk = await db.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
    [oid],
  );
  return {
    columns: cols.rows.map((c) => ({ name: c.attname, typeOid: Number(c.atttypid), typeMod: Number(c.atttypmod), optional: !c.attnotnull, sqlType: c.sqltype, defaultExpr: c.defexpr })),
    keyColumns: pk.rows.map((r) => r.attname),
  };
}

/**
 * Debezium's column.include.list / column.exclude.list: regular expressions matched
 * against the whole `schema.table.column`; the result says whether a column of `table`
 * is captured. Key columns are always kept (the record key is made of them).
 */
export function columnSelector(include: readonly string[], exclude: readonly string[]): (table: TableName) => (column: string) => boolean {
  const inc = include.map((p) => new RegExp(`^(?:${p})$`));
  const exc = exclude.map((p) => new RegExp(`^(?:${p})$`));
  return (table) => (column) => {
    const name = `${table.schema}.${table.name}.${column}`;
    return (inc.length === 0 || inc.some((r) => r.test(name))) && !exc.some((r) => r.test(name));
  };
}

/** How tables are modelled beyond decimal.handling.mode: the captured columns and the temporal modes. */
export interface ModelOptions {
  /** Whether a (non-key) column is captured (column.include.list / column.exclude.list). */
  readonly columnFilter?: (column: string) => boolean;
  readonly temporal?: TemporalModes;
}

export async function loadTableModel(db: Client, table: TableName, topicPrefix: string, decimalMode: DecimalHandlingMode, options: ModelOptions = {}): Promise<TableModel> {
  const oidRow = await db.query<{ oid: number }>(`SELECT $1::regclass::oid AS oid`, [quoteTable(table)]);
  const oid = Number(oidRow.rows[0].oid);
  const { columns, keyColumns } = await readCatalog(db, oid);
  return buildTableModel(table, oid, columns, keyColumns, topicPrefix, decimalMode, options);
}

/** The model of a table from its catalog facts (columns in order, key column names). */
export function buildTableModel(
  table: TableName,
  oid: number,
  catalogColumns: readonly CatalogColumn[],
  keyColumns: readonly string[],
  topicPrefix: string,
  decimalMode: DecimalHandlingMode,
  options: ModelOptions = {},
): TableModel {
  const filter = options.columnFilter;
  const captured = filter ? catalogColumns.filter((c) => keyColumns.includes(c.name) || filter(c.name)) : catalogColumns;
  const columns = captured.map((c) => ({ ...c, codec: withDefault(columnCodec(c, decimalMode, options.temporal), c.defaultExpr) }));
  const topic = `${topicPrefix}.${table.schema}.${table.name}`;
  const struct = (name: string, fields: { name: string; schema: ConnectSchema }[], optional = false): ConnectSchema => ({
    type: 'struct', optional, name, fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })),
  });
  const valueFields = columns.map((c) => ({ name: c.name, schema: c.codec.schema }));
  const keySchema = keyColumns.length === 0 ? null : struct(`${topic}.Key`, keyColumns.map((k) => ({ name: k, schema: { ...(columns.find((c) => c.name === k)?.codec.schema as ConnectSchema), optional: false } })));
  const valueSchema = struct(`${topic}.Value`, valueFields, true);
  const envelopeSchema: ConnectSchema = {
    ...struct(`${topic}.Envelope`, [
      { name: 'before', schema: valueSchema },
      { name: 'after', schema: valueSchema },
      { name: 'source', schema: sourceBlockSchema() },
      { name: 'op', schema: { type: 'string', optional: false } },
      { name: 'ts_ms', schema: { type: 'int64', optional: true } },
    ]),
    version: 1,
  };
  return { schema: table.schema, name: table.name, qualified: qualify(table), oid, topic, columns, keyColumns, keySchema, valueSchema, envelopeSchema };
}
