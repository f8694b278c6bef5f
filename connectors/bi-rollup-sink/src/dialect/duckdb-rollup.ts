import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { qualified, valuesRows, type RollupColumnType, type RollupConnection, type RollupDialect } from './rollup-dialect';

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

  upsert(table: string, alias: string, columns: readonly string[], conflict: readonly string[], rows: number, assignments: readonly string[]): string {
    return (
      `INSERT INTO ${this.table(table)} AS ${this.quote(alias)} (${columns.map((c) => this.quote(c)).join(', ')}) VALUES ${valuesRows(this, rows, columns.length)} ` +
      `ON CONFLICT (${conflict.map((c) => this.quote(c)).join(', ')}) DO ${assignments.length === 0 ? 'NOTHING' : `UPDATE SET ${assignments.join(', ')}`}`
    );
  }

  stored(alias: string, column: string): string {
    return `${this.quote(alias)}.${this.quote(column)}`;
  }

  incoming(column: string): string {
    return `EXCLUDED.${this.quote(column)}`;
  }
}

type DuckValue = string | number | bigint | boolean | null;

function duckValue(v: unknown): DuckValue {
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
    const reader = await this.conn.runAndReadAll(sql, params.length === 0 ? undefined : params.map(duckValue));
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
