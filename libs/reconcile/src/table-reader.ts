import type { SqlTableRef } from '@millrace/connect-sdk';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Client } from 'pg';
import { columnCategory, type ValueCategory } from './canonical';

/**
 * One side of a reconciliation: a connection to the table a SqlTableRef names, reading
 * every value as text (Postgres in UTC with raw text parsers; MySQL in UTC with binary
 * columns selected as hex), so canonical.ts can compare the two sides.
 *
 * Key ranges are half-open on the left: (lo, hi], lo null = from the start, hi null = to
 * the end, compared as row values `(k1, k2) > (…)` with the database's own ordering.
 */
export interface ColumnInfo {
  readonly name: string;
  readonly category: ValueCategory;
}

export type KeyTuple = readonly string[];

export interface KeyRange {
  readonly lo: KeyTuple | null;
  readonly hi: KeyTuple | null;
}

export interface TableReader {
  /** "<host>:<port>/<schema>.<table>" — never the credentials. */
  readonly description: string;
  /** The table's columns in order; empty when the table does not exist. */
  columns(): Promise<ColumnInfo[]>;
  /** The primary key columns in key order (empty: none). */
  primaryKey(): Promise<string[]>;
  /** Every `chunkRows`-th key in key order: the upper bounds of all chunks but the last. */
  boundaries(key: readonly string[], chunkRows: number): Promise<KeyTuple[]>;
  /** The rows of a key range, `columns` as text (bytes as hex), in no particular order. */
  rows(key: readonly string[], columns: readonly ColumnInfo[], range: KeyRange): Promise<(string | null)[][]>;
  close(): Promise<void>;
}

export function describeTable(ref: SqlTableRef): string {
  return `${ref.dialect}://${ref.host}:${ref.port}/${ref.schema ?? ref.database}.${ref.table}`;
}

function rangeClause(quote: (n: string) => string, key: readonly string[], range: KeyRange, param: (i: number) => string): { sql: string; params: string[] } {
  const cols = `(${key.map(quote).join(', ')})`;
  const parts: string[] = [];
  const params: string[] = [];
  const tuple = (values: KeyTuple) => `(${values.map((v) => (params.push(v), param(params.length))).join(', ')})`;
  if (range.lo) parts.push(`${cols} > ${tuple(range.lo)}`);
  if (range.hi) parts.push(`${cols} <= ${tuple(range.hi)}`);
  return { sql: parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`, params };
}

class PostgresReader implements TableReader {
  readonly description: string;
  private readonly qualified: string;

  constructor(private readonly ref: SqlTableRef, private readonly client: Client) {
    this.description = describeTable(ref);
    this.qualified = `${ref.schema ? `${quotePg(ref.schema)}.` : ''}${quotePg(ref.table)}`;
  }

  async columns(): Promise<ColumnInfo[]> {
    const { rows } = await this.client.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`,
      [this.ref.schema, this.ref.table],
    );
    return rows.map((r) => ({ name: r.name, category: columnCategory(r.type) }));
  }

  async primaryKey(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary AND n.nspname = COALESCE($1, current_schema()) AND c.relname = $2 ORDER BY k.ord`,
      [this.ref.schema, this.ref.table],
    );
    return rows.map((r) => r.name);
  }

  async boundaries(key: readonly string[], chunkRows: number): Promise<KeyTuple[]> {
    const cols = key.map(quotePg).join(', ');
    const { rows } = await this.client.query<string[]>({
      text: `SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (ORDER BY ${cols}) AS millrace_rn FROM ${this.qualified}) s WHERE millrace_rn % $1 = 0 ORDER BY millrace_rn`,
      values: [chunkRows],
      rowMode: 'array',
    });
    return rows;
  }

  async rows(key: readonly string[], columns: readonly ColumnInfo[], range: KeyRange): Promise<(string | null)[][]> {
    const where = rangeClause(quotePg, key, range, (i) => `$${i}`);
    const { rows } = await this.client.query<(string | null)[]>({ text: `SELECT ${columns.map((c) => quotePg(c.name)).join(', ')} FROM ${this.qualified}${where.sql}`, values: where.params, rowMode: 'array' });
    return rows;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

class MySqlReader implements TableReader {
  readonly description: string;
  private readonly qualified: string;

  constructor(private readonly ref: SqlTableRef, private readonly conn: Connection) {
    this.description = describeTable(ref);
    this.qualified = `${quoteMy(ref.schema ?? ref.database)}.${quoteMy(ref.table)}`;
  }

  async columns(): Promise<ColumnInfo[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_TYPE AS columnType FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [this.ref.schema ?? this.ref.database, this.ref.table],
    );
    return rows.map((r) => ({ name: String(r.name), category: columnCategory(String(r.type), String(r.columnType)) }));
  }

  async primaryKey(): Promise<string[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [this.ref.schema ?? this.ref.database, this.ref.table],
    );
    return rows.map((r) => String(r.name));
  }

  async boundaries(key: readonly string[], chunkRows: number): Promise<KeyTuple[]> {
    const cols = key.map(quoteMy).join(', ');
    const [rows] = await this.conn.query<RowDataPacket[]>({
      sql: `SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (ORDER BY ${cols}) AS millrace_rn FROM ${this.qualified}) s WHERE millrace_rn % ? = 0 ORDER BY millrace_rn`,
      values: [chunkRows],
      rowsAsArray: true,
    });
    return rows as unknown as string[][];
  }

  async rows(key: readonly string[], columns: readonly ColumnInfo[], range: KeyRange): Promise<(string | null)[][]> {
    const where = rangeClause(quoteMy, key, range, () => '?');
    const select = columns.map((c) => (c.category === 'bytes' ? `LOWER(HEX(${quoteMy(c.name)}))` : quoteMy(c.name))).join(', ');
    const [rows] = await this.conn.query<RowDataPacket[]>({ sql: `SELECT ${select} FROM ${this.qualified}${where.sql}`, values: where.params, rowsAsArray: true });
    return rows as unknown as (string | null)[][];
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }
}

const quotePg = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteMy = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** Opens a reader on `ref` (connection errors propagate, without credentials in them). */
export async function openTableReader(ref: SqlTableRef): Promise<TableReader> {
  if (ref.dialect === 'postgres') {
    const client = new Client({ host: ref.host, port: ref.port, database: ref.database || undefined, user: ref.user, password: ref.password, types: RAW_TEXT, application_name: 'millrace-reconcile', connectionTimeoutMillis: 15_000 });
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`SET TIME ZONE 'UTC'; SET extra_float_digits = 0`);
    return new PostgresReader(ref, client);
  }
  const conn = await createConnection({
    host: ref.host,
    port: ref.port,
    database: ref.database || undefined,
    user: ref.user,
    password: ref.password,
    timezone: 'Z',
    connectTimeout: 15_000,
    // every value as the server's text (binary columns are selected as HEX(...))
    typeCast: (field) => field.string(),
  });
  conn.on('error', () => undefined);
  await conn.query(`SET time_zone = '+00:00'`);
  return new MySqlReader(ref, conn);
}
