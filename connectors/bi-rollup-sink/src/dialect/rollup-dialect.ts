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
  /**
   * `INSERT INTO table [AS alias] (cols) <rows> <conflict clause> <assignments>` and its
   * bind parameters; `types` are the columns' types (DuckDB binds a list per column and
   * casts, Postgres and MySQL bind each value).
   */
  upsert(table: string, alias: string, columns: readonly UpsertColumn[], conflict: readonly string[], rows: readonly (readonly unknown[])[], assignments: readonly string[]): BoundStatement;
  /**
   * UPDATE of `table` setting each measure column from the state table's entries of its
   * measure position, for the groups `keys` (see rollup-writer.ts step 3).
   */
  recompute(table: string, state: string, measures: readonly StateMeasure[], keys: readonly string[]): BoundStatement;
  /** `<column> IN (<keys>)` with the keys as bind parameters from position 1. */
  keyIn(column: string, keys: readonly string[]): BoundStatement;
  /** The stored value of a column inside upsert assignments and UPDATE … AS alias. */
  stored(alias: string, column: string): string;
  /** The incoming (proposed) value of a column inside upsert assignments. */
  incoming(column: string): string;
}

export interface UpsertColumn {
  readonly name: string;
  readonly type: RollupColumnType;
}

/** A measure kept in the state table: its column, its position `m`, and how it folds the entries. */
export interface StateMeasure {
  readonly column: string;
  readonly m: number;
  readonly fn: 'min' | 'max' | 'count';
}

export interface BoundStatement {
  readonly sql: string;
  readonly params: unknown[];
}

export interface RollupConnection {
  readonly dialect: RollupDialect;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** `VALUES (p1, p2), (p3, p4)` for the rows, with their values as bind parameters in order. */
export function valuesRows(dialect: RollupDialect, rows: readonly (readonly unknown[])[]): BoundStatement {
  const out: string[] = [];
  const params: unknown[] = [];
  for (const row of rows) {
    const cells: string[] = [];
    for (const v of row) {
      params.push(v);
      cells.push(dialect.param(params.length));
    }
    out.push(`(${cells.join(', ')})`);
  }
  return { sql: `VALUES ${out.join(', ')}`, params };
}

/** `<column> IN ($1, $2, ...)`: one scalar parameter per key. */
export function scalarKeyIn(dialect: RollupDialect, column: string, keys: readonly string[]): BoundStatement {
  return { sql: `${column} IN (${keys.map((_, i) => dialect.param(i + 1)).join(', ')})`, params: [...keys] };
}

/**
 * The recompute as correlated subqueries (one index range scan per group and measure):
 * right for Postgres and MySQL, which use the state table's primary key for them.
 */
export function correlatedRecompute(d: RollupDialect, table: string, state: string, measures: readonly StateMeasure[], keys: readonly string[]): BoundStatement {
  const q = (c: string) => d.quote(c);
  const sets = measures.map(({ column, m, fn }) => {
    const agg = fn === 'count' ? 'count(*)' : `${fn}(${q('s')}.${q('num')})`;
    return `${q(column)} = (SELECT ${agg} FROM ${d.table(state)} ${q('s')} WHERE ${q('s')}.${q('_group')} = ${q('t')}.${q('_group')} AND ${q('s')}.${q('m')} = ${m})`;
  });
  const where = d.keyIn(`${q('t')}.${q('_group')}`, keys);
  return { sql: `UPDATE ${d.table(table)} AS ${q('t')} SET ${sets.join(', ')} WHERE ${where.sql}`, params: where.params };
}

/** Quotes each part of `schema.name` with `quote`. */
export function qualified(name: string, quote: (s: string) => string): string {
  return name.split('.').map(quote).join('.');
}
