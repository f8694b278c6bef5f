import { createConnection, type Connection } from 'mysql2/promise';
import { quoteIdentifier } from '@millrace/jdbc';
import { correlatedRecompute, qualified, scalarKeyIn, valuesRows, type BoundStatement, type RollupColumnType, type RollupConnection, type RollupDialect, type StateMeasure, type UpsertColumn } from './rollup-dialect';

/**
 * MySQL and MariaDB: `?` parameters, ON DUPLICATE KEY UPDATE with VALUES(col) (both
 * servers accept it), DECIMAL(38, decimal.scale) for sums and extremes, group and value
 * keys as VARBINARY (exact byte comparison). Sessions run in UTC.
 */
export class MysqlRollupDialect implements RollupDialect {
  readonly name = 'mysql' as const;
  readonly maxParams = 30_000;

  constructor(private readonly decimalScale: number) {}

  quote(identifier: string): string {
    return quoteIdentifier('mysql', identifier);
  }

  table(name: string): string {
    return qualified(name, (s) => this.quote(s));
  }

  param(): string {
    return '?';
  }

  columnType(type: RollupColumnType): string {
    const numeric = `DECIMAL(38,${this.decimalScale})`;
    const types: Record<RollupColumnType, string> = {
      // byte comparison: the default collations would merge groups differing in case or trailing spaces
      key: 'VARBINARY(640)',
      counter: 'BIGINT',
      int: 'INT',
      numeric,
      bigint: 'BIGINT',
      double: 'DOUBLE',
      decimal: numeric,
      boolean: 'BOOLEAN',
      text: 'VARCHAR(255)',
      date: 'DATE',
      timestamp: 'DATETIME',
    };
    return types[type];
  }

  upsert(table: string, _alias: string, columns: readonly UpsertColumn[], _conflict: readonly string[], rows: readonly (readonly unknown[])[], assignments: readonly string[]): BoundStatement {
    const first = this.quote(columns[0].name);
    const set = assignments.length === 0 ? `${first} = ${first}` : assignments.join(', ');
    const values = valuesRows(this, rows);
    return { sql: `INSERT INTO ${this.table(table)} (${columns.map((c) => this.quote(c.name)).join(', ')}) ${values.sql} ON DUPLICATE KEY UPDATE ${set}`, params: values.params };
  }

  recompute(table: string, state: string, measures: readonly StateMeasure[], keys: readonly string[]): BoundStatement {
    return correlatedRecompute(this, table, state, measures, keys);
  }

  keyIn(column: string, keys: readonly string[]): BoundStatement {
    return scalarKeyIn(this, column, keys);
  }

  stored(_alias: string, column: string): string {
    return this.quote(column);
  }

  incoming(column: string): string {
    return `VALUES(${this.quote(column)})`;
  }
}

export class MysqlRollupConnection implements RollupConnection {
  readonly dialect: MysqlRollupDialect;

  private constructor(
    private readonly conn: Connection,
    decimalScale: number,
  ) {
    this.dialect = new MysqlRollupDialect(decimalScale);
  }

  static async open(options: { host: string; port: number; database: string; user?: string; password?: string }, decimalScale: number): Promise<MysqlRollupConnection> {
    const conn = await createConnection({ ...options, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, connectTimeout: 10_000 });
    conn.on('error', () => undefined);
    await conn.query("SET time_zone = '+00:00'");
    return new MysqlRollupConnection(conn, decimalScale);
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    const [rows] = await this.conn.query(sql, params as unknown[]);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  }

  async begin(): Promise<void> {
    await this.conn.query('START TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.conn.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.conn.query('ROLLBACK');
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }
}
