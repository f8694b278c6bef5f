import type { ConnectSchema } from '@millrace/connect-sdk';
import { bindPlaceholder, quoteIdentifier, quoteQualifiedName, type JdbcDriver, type TimePrecisionMode } from '@millrace/jdbc';
import type { NumericMapping, TableRef } from '../jdbc-source-config';
import type { SqlTimestamp } from '../sql-timestamp';

/**
 * What the JDBC source needs from a database, one implementation per driver (mysql2 for
 * MySQL/MariaDB, pg for Postgres).
 *
 * Contracts shared by every dialect:
 * - A dialect owns one connection pool (a few connections per task) created lazily;
 *   `close()` ends it and waits for its connections to close. Every session runs with
 *   time zone UTC, so timestamp text both ways is UTC.
 * - `query` runs a prepared statement (parameters bound, never interpolated) and returns
 *   the rows as arrays in column order, with the *raw* driver values: integers that fit
 *   in 53 bits as numbers, bigger integers, DECIMAL/NUMERIC and every date/time type as
 *   text, binary as Buffer. `ColumnMapping.convert` turns a raw value into the value the
 *   Connect schema promises (connect-schema.ts); offsets are computed from raw values so
 *   that they keep the database's full (microsecond) precision.
 * - `openCursor` streams a result too large to hold (bulk mode) in pages.
 * - Column schemas are derived from the result set's metadata (as Confluent does from
 *   JDBC's ResultSetMetaData), so table mode and query mode map types alike; a column is
 *   optional unless the database says it is NOT NULL.
 */
export interface SqlSyntax {
  readonly driver: JdbcDriver;
  /** Quotes an identifier (MySQL backticks, Postgres double quotes), escaping as needed. */
  quoteIdentifier(name: string): string;
  /** The quoted, schema-qualified name of a table. */
  tableName(table: TableRef): string;
  /** Placeholder of the 1-based parameter `index` (`?` or `$index`). */
  placeholder(index: number): string;
  /** Clause limiting a result to `rows` rows, with a leading space. */
  limit(rows: number): string;
}

/**
 * The SqlSyntax of a driver, after @millrace/jdbc's quoting and placeholders; both
 * drivers limit with `LIMIT n`. Dialects extend it.
 */
export class DriverSqlSyntax implements SqlSyntax {
  constructor(readonly driver: JdbcDriver) {}

  quoteIdentifier(name: string): string {
    return quoteIdentifier(this.driver, name);
  }

  tableName(table: TableRef): string {
    return quoteQualifiedName(this.driver, [table.schema, table.name]);
  }

  placeholder(index: number): string {
    return bindPlaceholder(this.driver, index);
  }

  limit(rows: number): string {
    return ` LIMIT ${Math.trunc(rows)}`;
  }
}

export interface ColumnMapping {
  readonly name: string;
  readonly schema: ConnectSchema;
  /** Raw driver value -> Connect value (null stays null). */
  convert(raw: unknown): unknown;
}

export interface ResultPage {
  readonly columns: readonly ColumnMapping[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface RowCursor {
  /** Up to `max` more rows; an empty `rows` means the result is exhausted. */
  next(max: number): Promise<ResultPage>;
  /** Releases the connection; idempotent. */
  close(): Promise<void>;
}

export interface TableListing {
  readonly catalogPattern: string | null;
  readonly schemaPattern: string | null;
  /** Upper-case JDBC table types: TABLE, VIEW. */
  readonly tableTypes: readonly string[];
}

export interface Dialect extends SqlSyntax {
  /** Connects once to prove the settings work (retried by the caller). */
  ping(): Promise<void>;
  listTables(listing: TableListing): Promise<TableRef[]>;
  /** Primary-key column names in key order; empty when the table has none. */
  primaryKey(table: TableRef): Promise<string[]>;
  /** The auto-increment / serial / identity column, or null. */
  autoIncrementColumn(table: TableRef): Promise<string | null>;
  /** Column name -> nullable, for every column of the table. */
  columnNullability(table: TableRef): Promise<Map<string, boolean>>;
  /** The database's current time. */
  currentTime(): Promise<SqlTimestamp>;
  query(sql: string, params: readonly unknown[]): Promise<ResultPage>;
  openCursor(sql: string, params: readonly unknown[]): Promise<RowCursor>;
  close(): Promise<void>;
}

export interface DialectOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly numericMapping: NumericMapping;
  readonly timePrecisionMode: TimePrecisionMode;
  /** Connections in the pool. */
  readonly poolSize: number;
}

/** The connection settings both drivers' pools take alike (no database: the server's default). */
export function serverOptions(opts: DialectOptions): { host: string; port: number; user: string | undefined; password: string | undefined; database: string | undefined } {
  return { host: opts.host, port: opts.port, user: opts.user, password: opts.password, database: opts.database || undefined };
}

/**
 * information_schema TABLE_TYPE values for the JDBC table types of `listing`:
 * `baseTableTypes` (the driver's values for TABLE) and VIEW.
 */
export function informationSchemaTableTypes(listing: TableListing, baseTableTypes: readonly string[]): string[] {
  return [...(listing.tableTypes.includes('TABLE') ? baseTableTypes : []), ...(listing.tableTypes.includes('VIEW') ? ['VIEW'] : [])];
}
