import { createPool, type ExecuteValues, type FieldPacket, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { Connection as CoreConnection, PoolConnection as CorePoolConnection } from 'mysql2';
import type { TimePrecisionMode } from '@millrace/jdbc';
import type { NumericMapping, TableRef } from '../jdbc-source-config';
import { parseSqlTimestamp, type SqlTimestamp } from '../sql-timestamp';
import { DriverSqlSyntax, informationSchemaTableTypes, serverOptions, type ColumnMapping, type Dialect, type DialectOptions, type ResultPage, type RowCursor, type TableListing } from './dialect';
import { temporalMapping } from './temporal-mapping';
import { ColumnMappingCache, columnMapping, numericKind, type ColumnKind } from './type-mapping';

/**
 * MySQL and MariaDB through mysql2.
 *
 * Driver settings (the raw-value contract of dialect.ts): rows as arrays, dates and JSON
 * as text, BIGINT and DECIMAL as text; each pooled session runs `SET time_zone='+00:00'`
 * first, so TIMESTAMP columns and CURRENT_TIMESTAMP are UTC and DATETIME values are taken
 * as UTC wall-clock times. `query` uses server-side prepared statements (mysql2 caches
 * them per connection); `openCursor` streams a text-protocol query with back-pressure.
 *
 * Type mapping from the result metadata (type code, flags, length, decimals, charset):
 * TINYINT(1) and BIT(1) -> boolean; TINYINT -> int8 (UNSIGNED int16); SMALLINT -> int16
 * (UNSIGNED int32); MEDIUMINT -> int32; INT -> int32 (UNSIGNED int64); BIGINT -> int64;
 * DECIMAL -> numeric.mapping; FLOAT -> float32; DOUBLE -> float64; YEAR -> int32;
 * DATE, TIME(p), DATETIME(p), TIMESTAMP(p) (with time zone) -> time.precision.mode
 * (temporal-mapping.ts); CHAR/VARCHAR/TEXT/ENUM/SET/
 * JSON -> string; BINARY/VARBINARY/BLOB/BIT(n>1)/GEOMETRY -> bytes.
 */
export const MYSQL_SYNTAX = new DriverSqlSyntax('mysql');

/** MySQL protocol column type codes. */
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9,
  DATE: 10, TIME: 11, DATETIME: 12, YEAR: 13, NEWDATE: 14, VARCHAR: 15, BIT: 16, TIMESTAMP2: 17, DATETIME2: 18,
  TIME2: 19, JSON: 245, NEWDECIMAL: 246, ENUM: 247, SET: 248, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251,
  BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255,
} as const;
const FLAG_NOT_NULL = 1;
const FLAG_UNSIGNED = 32;
const BINARY_CHARSET = 63;

/** The result-set metadata the type mapping reads. */
export interface MySqlFieldInfo {
  readonly name: string;
  readonly columnType: number;
  readonly flags: number;
  readonly columnLength: number;
  readonly decimals: number;
  readonly characterSet: number;
}

/** Type codes whose kind depends on nothing else. */
const FIXED_KINDS: ReadonlyMap<number, ColumnKind> = new Map<number, ColumnKind>([
  [T.INT24, 'int32'], [T.LONGLONG, 'int64'], [T.YEAR, 'int32'], [T.FLOAT, 'float32'], [T.DOUBLE, 'float64'],
  [T.DATE, 'date'], [T.NEWDATE, 'date'], [T.TIME, 'time'], [T.TIME2, 'time'],
  [T.DATETIME, 'timestamp'], [T.DATETIME2, 'timestamp'], [T.TIMESTAMP, 'timestamp'], [T.TIMESTAMP2, 'timestamp'],
  [T.JSON, 'string'], [T.ENUM, 'string'], [T.SET, 'string'], [T.GEOMETRY, 'bytes'],
]);

/** Integer type codes: [signed kind, UNSIGNED kind]. */
const INTEGER_KINDS: ReadonlyMap<number, readonly [ColumnKind, ColumnKind]> = new Map<number, readonly [ColumnKind, ColumnKind]>([
  [T.TINY, ['int8', 'int16']],
  [T.SHORT, ['int16', 'int32']],
  [T.LONG, ['int32', 'int64']],
]);

/** Maps one result column (metadata as mysql2 reports it) to its Connect schema and converter. */
export function mysqlColumnMapping(field: MySqlFieldInfo, numericMapping: NumericMapping, timeMode: TimePrecisionMode = 'connect'): ColumnMapping {
  const optional = (field.flags & FLAG_NOT_NULL) === 0;
  const unsigned = (field.flags & FLAG_UNSIGNED) !== 0;
  if (field.columnType === T.DECIMAL || field.columnType === T.NEWDECIMAL) {
    const scale = field.decimals;
    const precision = field.columnLength - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
    return columnMapping(field.name, numericKind({ precision, scale }, numericMapping), optional, scale, precision);
  }
  const kind = mysqlKind(field, unsigned);
  if (kind === 'date' || kind === 'time' || kind === 'timestamp') {
    // `decimals` is the fractional-second precision of TIME/DATETIME/TIMESTAMP (0..6).
    const zoned = field.columnType === T.TIMESTAMP || field.columnType === T.TIMESTAMP2;
    const fractionDigits = kind === 'date' ? 0 : Math.max(0, Math.min(6, field.decimals));
    return temporalMapping(field.name, { kind, zoned, fractionDigits }, optional, timeMode);
  }
  return columnMapping(field.name, kind, optional);
}

function mysqlKind(field: MySqlFieldInfo, unsigned: boolean): ColumnKind {
  const fixed = FIXED_KINDS.get(field.columnType);
  if (fixed !== undefined) return fixed;
  if ((field.columnType === T.TINY || field.columnType === T.BIT) && field.columnLength === 1) return 'boolean';
  if (field.columnType === T.BIT) return 'bytes';
  const integer = INTEGER_KINDS.get(field.columnType);
  if (integer !== undefined) return integer[unsigned ? 1 : 0];
  // CHAR, VARCHAR, TEXT and BLOB types share codes; the binary character set tells them apart.
  return field.characterSet === BINARY_CHARSET ? 'bytes' : 'string';
}

/** Parameters the source binds: numbers, texts (timestamps, big integers) and null. */
function toExecuteValue(value: unknown): ExecuteValues {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  return String(value);
}

function fieldInfo(f: FieldPacket): MySqlFieldInfo {
  return {
    name: f.name,
    columnType: f.columnType ?? f.type ?? T.VAR_STRING,
    flags: typeof f.flags === 'number' ? f.flags : 0,
    columnLength: f.columnLength ?? f.length ?? 0,
    decimals: f.decimals,
    characterSet: f.characterSet ?? f.charsetNr ?? 0,
  };
}

export class MySqlDialect extends DriverSqlSyntax implements Dialect {
  private readonly pool: Pool;
  private readonly mappingCache: ColumnMappingCache<MySqlFieldInfo>;

  constructor(private readonly opts: DialectOptions) {
    super('mysql');
    this.mappingCache = new ColumnMappingCache((field) => mysqlColumnMapping(field, opts.numericMapping, opts.timePrecisionMode));
    this.pool = createPool({
      ...serverOptions(opts),
      connectionLimit: opts.poolSize,
      maxIdle: opts.poolSize,
      connectTimeout: 10_000,
      rowsAsArray: true,
      dateStrings: true,
      jsonStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
    });
    // Runs before any other command on a new connection (commands queue in order).
    this.pool.pool.on('connection', (conn: CorePoolConnection) => {
      conn.query("SET time_zone = '+00:00'", () => undefined);
    });
  }

  async ping(): Promise<void> {
    const conn = await this.pool.getConnection();
    try {
      await conn.ping();
    } finally {
      conn.release();
    }
  }

  async listTables(listing: TableListing): Promise<TableRef[]> {
    const types = informationSchemaTableTypes(listing, ['BASE TABLE', 'SYSTEM VERSIONED']);
    if (types.length === 0) return [];
    const params: unknown[] = [...types];
    let schemaFilter: string;
    if (listing.catalogPattern !== null) {
      schemaFilter = 'TABLE_SCHEMA LIKE ?';
      params.push(listing.catalogPattern);
    } else if (this.opts.database) {
      schemaFilter = 'TABLE_SCHEMA = ?';
      params.push(this.opts.database);
    } else {
      schemaFilter = "TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')";
    }
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE IN (${types.map(() => '?').join(', ')}) AND ${schemaFilter} ORDER BY TABLE_SCHEMA, TABLE_NAME`,
      params,
    );
    return rows.map((r) => ({ schema: String(r[0]), name: String(r[1]) }));
  }

  async primaryKey(table: TableRef): Promise<string[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      [table.schema, table.name],
    );
    return rows.map((r) => String(r[0]));
  }

  async autoIncrementColumn(table: TableRef): Promise<string | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%' ORDER BY ORDINAL_POSITION",
      [table.schema, table.name],
    );
    return rows.length > 0 ? String(rows[0][0]) : null;
  }

  async columnNullability(table: TableRef): Promise<Map<string, boolean>> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [table.schema, table.name],
    );
    return new Map(rows.map((r) => [String(r[0]), String(r[1]).toUpperCase() === 'YES']));
  }

  async currentTime(): Promise<SqlTimestamp> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT CURRENT_TIMESTAMP(6)');
    const ts = parseSqlTimestamp(String(rows[0][0]));
    if (ts === null) throw new Error(`cannot parse the database time "${String(rows[0][0])}"`);
    return ts;
  }

  async query(sql: string, params: readonly unknown[]): Promise<ResultPage> {
    const [rows, fields] = await this.pool.execute<RowDataPacket[]>(sql, params.map(toExecuteValue));
    return { columns: this.mappings(fields), rows: rows as unknown as unknown[][] };
  }

  async openCursor(sql: string, params: readonly unknown[]): Promise<RowCursor> {
    const conn = await this.pool.getConnection();
    return new MySqlCursor(conn, sql, params, (fields) => this.mappings(fields));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private mappings(fields: readonly FieldPacket[]): ColumnMapping[] {
    return this.mappingCache.mappings(fields.map(fieldInfo));
  }
}

/**
 * A streamed text-protocol query: rows are buffered up to a high-water mark, past which
 * the socket is paused until `next` drains the buffer.
 */
class MySqlCursor implements RowCursor {
  private readonly buffer: unknown[][] = [];
  private columns: ColumnMapping[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private paused = false;
  private closed = false;
  private readonly core: CoreConnection;
  private static readonly HIGH_WATER = 4096;

  constructor(
    private readonly conn: PoolConnection,
    sql: string,
    params: readonly unknown[],
    toMappings: (fields: FieldPacket[]) => ColumnMapping[],
  ) {
    // Typed as the promise wrapper, but at run time it is the callback-API connection.
    this.core = conn.connection as unknown as CoreConnection;
    const q = this.core.query({ sql, values: params as unknown[], rowsAsArray: true });
    q.on('fields', (fields: FieldPacket[]) => {
      this.columns = toMappings(fields);
    });
    q.on('result', (row: unknown) => {
      this.buffer.push(row as unknown[]);
      if (this.buffer.length >= MySqlCursor.HIGH_WATER && !this.paused) {
        this.paused = true;
        this.core.pause();
      }
      this.notify();
    });
    q.on('error', (err: Error) => {
      this.failure = err;
      this.notify();
    });
    q.on('end', () => {
      this.ended = true;
      this.notify();
    });
  }

  async next(max: number): Promise<ResultPage> {
    while (this.buffer.length === 0 && !this.ended && this.failure === null) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure !== null) throw this.failure;
    const rows = this.buffer.splice(0, max);
    if (this.paused && this.buffer.length < MySqlCursor.HIGH_WATER / 2) {
      this.paused = false;
      this.core.resume();
    }
    return { columns: this.columns, rows };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ended && this.failure === null) {
      this.conn.release();
    } else {
      // An unfinished stream leaves the connection mid-result: discard it.
      this.conn.destroy();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
