import { Client } from 'pg';
import { quoteIdentifier } from '@millrace/jdbc';
import { correlatedRecompute, qualified, scalarKeyIn, valuesRows, type BoundStatement, type RollupColumnType, type RollupConnection, type RollupDialect, type StateMeasure, type UpsertColumn } from './rollup-dialect';

/** PostgreSQL: `$n` parameters, ON CONFLICT … DO UPDATE, unconstrained NUMERIC for exact sums. */
export class PostgresRollupDialect implements RollupDialect {
  readonly name = 'postgres' as const;
  readonly maxParams = 30_000;

  quote(identifier: string): string {
    return quoteIdentifier('postgres', identifier);
  }

  table(name: string): string {
    return qualified(name, (s) => this.quote(s));
  }

  param(i: number): string {
    return `$${i}`;
  }

  columnType(type: RollupColumnType): string {
    const types: Record<RollupColumnType, string> = {
      key: 'VARCHAR(160)',
      counter: 'BIGINT',
      int: 'INTEGER',
      numeric: 'NUMERIC',
      bigint: 'BIGINT',
      double: 'DOUBLE PRECISION',
      decimal: 'NUMERIC',
      boolean: 'BOOLEAN',
      text: 'TEXT',
      date: 'DATE',
      timestamp: 'TIMESTAMP',
    };
    return types[type];
  }

  upsert(table: string, alias: string, columns: readonly UpsertColumn[], conflict: readonly string[], rows: readonly (readonly unknown[])[], assignments: readonly string[]): BoundStatement {
    const values = valuesRows(this, rows);
    return {
      sql:
        `INSERT INTO ${this.table(table)} AS ${this.quote(alias)} (${columns.map((c) => this.quote(c.name)).join(', ')}) ${values.sql} ` +
        `ON CONFLICT (${conflict.map((c) => this.quote(c)).join(', ')}) DO ${assignments.length === 0 ? 'NOTHING' : `UPDATE SET ${assignments.join(', ')}`}`,
      params: values.params,
    };
  }

  recompute(table: string, state: string, measures: readonly StateMeasure[], keys: readonly string[]): BoundStatement {
    return correlatedRecompute(this, table, state, measures, keys);
  }

  keyIn(column: string, keys: readonly string[]): BoundStatement {
    return scalarKeyIn(this, column, keys);
  }

  stored(alias: string, column: string): string {
    return `${this.quote(alias)}.${this.quote(column)}`;
  }

  incoming(column: string): string {
    return `EXCLUDED.${this.quote(column)}`;
  }
}

export class PostgresRollupConnection implements RollupConnection {
  readonly dialect = new PostgresRollupDialect();

  private constructor(private readonly client: Client) {}

  static async open(options: { host: string; port: number; database: string; user?: string; password?: string }): Promise<PostgresRollupConnection> {
    const client = new Client({ ...options, database: options.database || undefined, application_name: 'millrace-bi-rollup-sink', connectionTimeoutMillis: 10_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return new PostgresRollupConnection(client);
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.client.query(sql, params as unknown[])).rows as Record<string, unknown>[];
  }

  async begin(): Promise<void> {
    await this.client.query('BEGIN');
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
