import type { ColumnKind } from '../row-values';

/**
 * What the rollup sink needs from a database, so that Postgres, MySQL/MariaDB and DuckDB
 * are three small implementations of it:
 *
 * - RollupDialect: SQL spelling — quoting, bind parameters, column types, the upsert
 *   that adds deltas (`INSERT … ON CONFLICT … DO UPDATE` / `ON DUPLICATE KEY UPDATE`),
 *   and how its SET clause names the stored and the incoming value of a column.
 * - RollupConnection: one session — statements with bound parameters, a transaction,
 *   close. The task runs on one connection, serially.
 *
 * Upsert assignments are written so that each one reads only columns assigned after it
 * (derived values first, raw counters last): MySQL evaluates SET left to right with the
 * new values, Postgres and DuckDB with the old ones, and that order makes both mean the
 * same.
 */
export type DialectName = 'postgres' | 'mysql' | 'duckdb';

/** Column families of rollup tables beyond the group columns' own kinds. */
export type RollupColumnType = ColumnKind | 'key' | 'counter' | 'numeric' | 'int';

export interface RollupDialect {
  readonly name: DialectName;
  quote(identifier: string): string;
  /** `name` or `schema.name`, each part quoted. */
  table(name: string): string;
  /** The bind parameter at 1-based position i. */
  param(i: number): string;
  /** Bind parameters per statement this dialect is given at most (statements are chunked). */
  readonly maxParams: number;
  columnType(type: RollupColumnType): string;
  /** `INSERT INTO table [AS alias] (cols) VALUES (...), ... <conflict clause> <assignments>`. */
  upsert(table: string, alias: string, columns: readonly string[], conflict: readonly string[], rows: number, assignments: readonly string[]): string;
  /** The stored value of a column inside upsert assignments and UPDATE … AS alias. */
  stored(alias: string, column: string): string;
  /** The incoming (proposed) value of a column inside upsert assignments. */
  incoming(column: string): string;
}

export interface RollupConnection {
  readonly dialect: RollupDialect;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** VALUES row groups `(p1, p2), (p3, p4)` for `rows` rows of `width` parameters, from parameter `first`. */
export function valuesRows(dialect: RollupDialect, rows: number, width: number, first = 1): string {
  const out: string[] = [];
  let p = first;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(dialect.param(p++));
    out.push(`(${cells.join(', ')})`);
  }
  return out.join(', ');
}

/** Quotes each part of `schema.name` with `quote`. */
export function qualified(name: string, quote: (s: string) => string): string {
  return name.split('.').map(quote).join('.');
}
