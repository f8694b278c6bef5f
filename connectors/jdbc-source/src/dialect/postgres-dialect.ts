import { createHash } from 'node:crypto';
import type { TimePrecisionMode } from '@millrace/jdbc';
import { Pool, types as pgTypes, type CustomTypesConfig, type FieldDef, type PoolClient } from 'pg';
import type { NumericMapping, TableRef } from '../jdbc-source-config';
import { parseSqlTimestamp, type SqlTimestamp } from '../sql-timestamp';
import { DriverSqlSyntax, informationSchemaTableTypes, serverOptions, type ColumnMapping, type Dialect, type DialectOptions, type ResultPage, type RowCursor, type TableListing } from './dialect';
import { temporalMapping, type TemporalColumn } from './temporal-mapping';
import { ColumnMappingCache, columnMapping, numericKind, type ColumnKind } from './type-mapping';

/**
 * PostgreSQL through pg.
 *
 * Driver settings (the raw-value contract of dialect.ts): rows as arrays; the sessions
 * start with TimeZone=UTC; only bool, bytea, int2, int4, oid, float4 and float8 are parsed
 * by pg, every other type arrives as its text output (int8, numeric, dates and times
 * exactly as Postgres prints them). `query` uses named prepared statements (one name per
 * distinct SQL text, prepared once per connection); `openCursor` runs DECLARE ... CURSOR
 * inside a read-only transaction and FETCHes pages.
 *
 * Type mapping by type OID (and typmod): bool -> boolean; int2 -> int16; int4 -> int32;
 * int8, oid -> int64; float4 -> float32; float8 -> float64; numeric(p,s) -> numeric.mapping
 * (a Decimal carries p in connect.decimal.precision); date, time(p), timetz(p),
 * timestamp(p), timestamptz(p) -> time.precision.mode (temporal-mapping.ts); bytea -> bytes;
 * bit(1) -> boolean; everything else (text, varchar, char, json, jsonb, uuid, arrays,
 * enums, intervals, ...) -> string of Postgres's text output. A column is optional unless
 * it is a NOT NULL column of a table (looked up in pg_attribute by the result's table
 * OID and column number).
 */
export const POSTGRES_SYNTAX = new DriverSqlSyntax('postgres');

const OID = {
  BOOL: 16, BYTEA: 17, INT8: 20, INT2: 21, INT4: 23, OID: 26, FLOAT4: 700, FLOAT8: 701,
  DATE: 1082, TIME: 1083, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, TIMETZ: 1266, BIT: 1560, NUMERIC: 1700,
} as const;

const PARSED_BY_PG = new Set<number>([OID.BOOL, OID.BYTEA, OID.INT2, OID.INT4, OID.OID, OID.FLOAT4, OID.FLOAT8]);
const asText = (value: string): string => value;

const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PARSED_BY_PG.has(oid) ? pgTypes.getTypeParser(oid, format ?? 'text') : asText) as unknown as CustomTypesConfig['getTypeParser'],
};

/** The result-set metadata the type mapping reads. */
export interface PostgresFieldInfo {
  readonly name: string;
  readonly dataTypeID: number;
  readonly dataTypeModifier: number;
  readonly notNull: boolean;
}

/** Type OIDs whose kind depends on nothing else (numeric and bit(n) are read from the typmod). */
const FIXED_KINDS: ReadonlyMap<number, ColumnKind> = new Map<number, ColumnKind>([
  [OID.BOOL, 'boolean'], [OID.INT2, 'int16'], [OID.INT4, 'int32'], [OID.INT8, 'int64'], [OID.OID, 'int64'],
  [OID.FLOAT4, 'float32'], [OID.FLOAT8, 'float64'], [OID.DATE, 'date'], [OID.TIME, 'time'], [OID.TIMETZ, 'time'],
  [OID.TIMESTAMP, 'timestamp'], [OID.TIMESTAMPTZ, 'timestamp'], [OID.BYTEA, 'bytes'],
]);

/** Date/time type OIDs: [kind, with time zone]. */
const TEMPORAL: ReadonlyMap<number, readonly [TemporalColumn['kind'], boolean]> = new Map<number, readonly [TemporalColumn['kind'], boolean]>([
  [OID.DATE, ['date', false]], [OID.TIME, ['time', false]], [OID.TIMETZ, ['time', true]],
  [OID.TIMESTAMP, ['timestamp', false]], [OID.TIMESTAMPTZ, ['timestamp', true]],
]);

/** Maps one result column to its Connect schema and converter (dates and times after `timeMode`, temporal-mapping.ts). */
export function postgresColumnMapping(field: PostgresFieldInfo, numericMapping: NumericMapping, timeMode: TimePrecisionMode = 'connect'): ColumnMapping {
  const optional = !field.notNull;
  if (field.dataTypeID === OID.NUMERIC) {
    // typmod of numeric(p, s) is ((p << 16) | s) + 4; below 4 the precision is unconstrained.
    const mod = field.dataTypeModifier;
    const precision = mod >= 4 ? ((mod - 4) >> 16) & 0xffff : 0;
    const scale = mod >= 4 ? (mod - 4) & 0xffff : 0;
    return columnMapping(field.name, numericKind({ precision, scale }, numericMapping), optional, scale, precision);
  }
  const temporal = TEMPORAL.get(field.dataTypeID);
  if (temporal) {
    // The typmod of time/timestamp(p) is p; -1 = unspecified = 6 digits.
    const fractionDigits = field.dataTypeModifier >= 0 ? Math.min(6, field.dataTypeModifier) : 6;
    return temporalMapping(field.name, { kind: temporal[0], zoned: temporal[1], fractionDigits }, optional, timeMode);
  }
  const bitFlag = field.dataTypeID === OID.BIT && field.dataTypeModifier === 1;
  return columnMapping(field.name, FIXED_KINDS.get(field.dataTypeID) ?? (bitFlag ? 'boolean' : 'string'), optional);
}

export class PostgresDialect extends DriverSqlSyntax implements Dialect {
  private readonly pool: Pool;
  /** table OID -> attnums of its NOT NULL columns. */
  private readonly notNullByTable = new Map<number, Set<number>>();
  private readonly mappingCache: ColumnMappingCache<PostgresFieldInfo>;
  private cursorSeq = 0;

  constructor(opts: DialectOptions) {
    super('postgres');
    this.mappingCache = new ColumnMappingCache((field) => postgresColumnMapping(field, opts.numericMapping, opts.timePrecisionMode));
    this.pool = new Pool({
      ...serverOptions(opts),
      max: opts.poolSize,
      connectionTimeoutMillis: 10_000,
      options: '-c TimeZone=UTC',
      types: TYPES,
    });
    // An idle client's network error must not crash the process; the next query fails instead.
    this.pool.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async listTables(listing: TableListing): Promise<TableRef[]> {
    const types = informationSchemaTableTypes(listing, ['BASE TABLE']);
    if (types.length === 0) return [];
    const params: unknown[] = [types];
    let filter = 'table_type = ANY($1)';
    if (listing.catalogPattern !== null) {
      params.push(listing.catalogPattern);
      filter += ` AND table_catalog LIKE $${params.length}`;
    }
    if (listing.schemaPattern !== null) {
      params.push(listing.schemaPattern);
      filter += ` AND table_schema LIKE $${params.length}`;
    } else {
      filter += " AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_toast%'";
    }
    const res = await this.pool.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE ${filter} ORDER BY table_schema, table_name`,
      params,
    );
    return res.rows.map((r) => ({ schema: r.table_schema, name: r.table_name }));
  }

  async primaryKey(table: TableRef): Promise<string[]> {
    const res = await this.pool.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [this.tableName(table)],
    );
    return res.rows.map((r) => r.attname);
  }

  async autoIncrementColumn(table: TableRef): Promise<string | null> {
    const res = await this.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = $2 AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')
        ORDER BY ordinal_position`,
      [table.schema, table.name],
    );
    return res.rows[0]?.column_name ?? null;
  }

  async columnNullability(table: TableRef): Promise<Map<string, boolean>> {
    const res = await this.pool.query<{ column_name: string; is_nullable: string }>(
      'SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [table.schema, table.name],
    );
    return new Map(res.rows.map((r) => [r.column_name, r.is_nullable.toUpperCase() === 'YES']));
  }

  async currentTime(): Promise<SqlTimestamp> {
    const res = await this.pool.query<{ now: string }>('SELECT clock_timestamp() AS now');
    const ts = parseSqlTimestamp(res.rows[0].now);
    if (ts === null) throw new Error(`cannot parse the database time "${res.rows[0].now}"`);
    return ts;
  }

  async query(sql: string, params: readonly unknown[]): Promise<ResultPage> {
    const name = 'millrace_' + createHash('sha1').update(sql).digest('hex').slice(0, 20);
    const res = await this.pool.query<unknown[]>({ name, text: sql, values: params as unknown[], rowMode: 'array' });
    return { columns: await this.mappings(res.fields), rows: res.rows };
  }

  async openCursor(sql: string, params: readonly unknown[]): Promise<RowCursor> {
    const client = await this.pool.connect();
    const cursor = `millrace_cursor_${++this.cursorSeq}`;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query({ text: `DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, values: params as unknown[] });
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      throw err;
    }
    return new PostgresCursor(client, cursor, (fields) => this.mappings(fields));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async mappings(fields: readonly FieldDef[]): Promise<ColumnMapping[]> {
    const missing = [...new Set(fields.map((f) => f.tableID).filter((id) => id !== 0 && !this.notNullByTable.has(id)))];
    if (missing.length > 0) {
      const res = await this.pool.query<{ attrelid: number; attnum: number }>(
        'SELECT attrelid::int4 AS attrelid, attnum::int4 AS attnum FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnotnull AND attnum > 0',
        [missing],
      );
      for (const id of missing) this.notNullByTable.set(id, new Set());
      for (const r of res.rows) this.notNullByTable.get(r.attrelid)?.add(r.attnum);
    }
    const infos: PostgresFieldInfo[] = fields.map((f) => ({
      name: f.name,
      dataTypeID: f.dataTypeID,
      dataTypeModifier: f.dataTypeModifier,
      notNull: f.tableID !== 0 && (this.notNullByTable.get(f.tableID)?.has(f.columnID) ?? false),
    }));
    return this.mappingCache.mappings(infos);
  }
}

class PostgresCursor implements RowCursor {
  private closed = false;
  private exhausted = false;

  constructor(
    private readonly client: PoolClient,
    private readonly cursor: string,
    private readonly toMappings: (fields: readonly FieldDef[]) => Promise<ColumnMapping[]>,
  ) {}

  async next(max: number): Promise<ResultPage> {
    if (this.exhausted) return { columns: [], rows: [] };
    const res = await this.client.query<unknown[]>({ text: `FETCH FORWARD ${Math.max(1, Math.trunc(max))} FROM ${this.cursor}`, rowMode: 'array' });
    if (res.rows.length === 0) this.exhausted = true;
    return { columns: await this.toMappings(res.fields), rows: res.rows };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.query('COMMIT');
      this.client.release();
    } catch (err) {
      this.client.release(err instanceof Error ? err : true);
    }
  }
}
