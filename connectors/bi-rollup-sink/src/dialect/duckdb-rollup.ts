import { DuckDBInstance, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBListValue, type DuckDBType } from '@duckdb/node-api';
import { qualified, type BoundStatement, type RollupColumnType, type RollupConnection, type RollupDialect, type StateMeasure, type UpsertColumn } from './rollup-dialect';

/**
 * DuckDB (embedded, through @duckdb/node-api): `$n` parameters, ON CONFLICT … DO UPDATE,
 * DECIMAL(38, decimal.scale) for sums and extremes. Each task opens the file and closes
 * it at teardown, so that a deleted or stopped connector leaves the file free for a
 * reader. DuckDB lets one process (one database instance) write a file: run one task.
 */
export class DuckDbRollupDialect implements RollupDialect {
  readonly name = 'duckdb' as const;
  readonly maxParams = 30_000;

  constructor(private readonly decimalScale: number) {}

  quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
  }

  table(name: string): string {
    return qualified(name, (s) => this.quote(s));
  }

  param(i: number): string {
    return `$${i}`;
  }

  columnType(type: RollupColumnType): string {
    const numeric = `DECIMAL(38,${this.decimalScale})`;
    const types: Record<RollupColumnType, string> = {
      key: 'VARCHAR',
      counter: 'BIGINT',
      int: 'INTEGER',
      numeric,
      bigint: 'BIGINT',
      double: 'DOUBLE',
      decimal: numeric,
      boolean: 'BOOLEAN',
      text: 'VARCHAR',
      date: 'DATE',
      timestamp: 'TIMESTAMP',
    };
    return types[type];
  }

  /**
   * The rows as one list parameter per column (text, cast to the column's type):
   * DuckDB binds thousands of scalar parameters slowly, a few lists fast.
   */
  upsert(table: string, alias: string, columns: readonly UpsertColumn[], conflict: readonly string[], rows: readonly (readonly unknown[])[], assignments: readonly string[]): BoundStatement {
    const params = columns.map((_, c) => new TextList(rows.map((row) => row[c])));
    const select = columns.map((col, c) => `CAST(unnest(${this.param(c + 1)}) AS ${this.columnType(col.type)})`).join(', ');
    return {
      sql:
        `INSERT INTO ${this.table(table)} AS ${this.quote(alias)} (${columns.map((c) => this.quote(c.name)).join(', ')}) SELECT ${select} ` +
        `ON CONFLICT (${conflict.map((c) => this.quote(c)).join(', ')}) DO ${assignments.length === 0 ? 'NOTHING' : `UPDATE SET ${assignments.join(', ')}`}`,
      params,
    };
  }

  /**
   * One grouped pass over the touched groups' state entries joined back by key (DuckDB
   * plans correlated subqueries as joins over the whole state table, per statement).
   * Groups left without entries get NULL (min/max) or 0 (count) through the LEFT JOIN.
   */
  recompute(table: string, state: string, measures: readonly StateMeasure[], keys: readonly string[]): BoundStatement {
    const q = (c: string) => this.quote(c);
    const aggs = measures.map(({ m, fn }) => (fn === 'count' ? `count(CASE WHEN ${q('s')}.${q('m')} = ${m} THEN 1 END)` : `${fn}(CASE WHEN ${q('s')}.${q('m')} = ${m} THEN ${q('s')}.${q('num')} END)`) + ` AS ${q(`v${m}`)}`);
    const derived =
      `SELECT ${q('k')}.${q('g')}, ${aggs.join(', ')} FROM (SELECT unnest(${this.param(1)}) AS ${q('g')}) ${q('k')} ` +
      `LEFT JOIN ${this.table(state)} ${q('s')} ON ${q('s')}.${q('_group')} = ${q('k')}.${q('g')} GROUP BY ${q('k')}.${q('g')}`;
    const sets = measures.map(({ column, m }) => `${q(column)} = ${q('r')}.${q(`v${m}`)}`);
    return { sql: `UPDATE ${this.table(table)} AS ${q('t')} SET ${sets.join(', ')} FROM (${derived}) ${q('r')} WHERE ${q('t')}.${q('_group')} = ${q('r')}.${q('g')}`, params: [new TextList(keys)] };
  }

  keyIn(column: string, keys: readonly string[]): BoundStatement {
    return { sql: `${column} IN (SELECT unnest(${this.param(1)}))`, params: [new TextList(keys)] };
  }

  stored(alias: string, column: string): string {
    return `${this.quote(alias)}.${this.quote(column)}`;
  }

  incoming(column: string): string {
    return `EXCLUDED.${this.quote(column)}`;
  }
}

/** A list of values bound as one VARCHAR[] parameter. */
class TextList {
  readonly items: (string | null)[];
  constructor(values: readonly unknown[]) {
    this.items = values.map((v) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v)));
  }
}

type DuckScalar = string | number | bigint | boolean | null;

function duckValue(v: unknown): DuckScalar | DuckDBListValue {
  if (v instanceof TextList) return listValue(v.items);
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export class DuckDbRollupConnection implements RollupConnection {
  readonly dialect: DuckDbRollupDialect;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    decimalScale: number,
  ) {
    this.dialect = new DuckDbRollupDialect(decimalScale);
  }

  static async open(path: string, decimalScale: number): Promise<DuckDbRollupConnection> {
    const instance = await DuckDBInstance.create(path);
    try {
      return new DuckDbRollupConnection(instance, await instance.connect(), decimalScale);
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const values = params.map(duckValue);
    const types = params.some((p) => p instanceof TextList) ? params.map((p): DuckDBType | undefined => (p instanceof TextList ? LIST(VARCHAR) : undefined)) : undefined;
    const reader = await this.conn.runAndReadAll(sql, params.length === 0 ? undefined : values, types as DuckDBType[] | undefined);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  async begin(): Promise<void> {
    await this.conn.run('BEGIN TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.conn.run('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.conn.run('ROLLBACK');
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
