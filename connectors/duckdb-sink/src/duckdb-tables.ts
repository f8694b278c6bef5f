import type { DuckDBConnection } from '@duckdb/node-api';
import type { ConnectorLogger } from '@millrace/connect-sdk';
import { defaultLiteral, describeColumnChange, planColumnChanges, type ExistingColumnFacts, type FieldsMetadata, type SinkColumn } from '@millrace/sink-rows';
import { duckDbColumnType, duckDbTypeSql, quoteIdent, quoteTable } from './duckdb-types';

/**
 * auto.create and auto.evolve for DuckDB tables, with the JDBC sink's rules
 * (connectors/jdbc-sink table-manager.ts):
 * - a missing table is created (auto.create) with key columns NOT NULL and the primary key
 *   from pk.mode, other columns NOT NULL unless optional, defaults when expressible;
 * - a missing column is added (auto.evolve) as nullable (or with its default); a missing
 *   required column without a default is a TableEvolutionError, as is anything missing
 *   while the matching auto.* option is off;
 * - with auto.evolve an existing column is widened in place when the field needs a wider
 *   type of the same family (@millrace/sink-rows column-evolution.ts), and a NOT NULL
 *   column without a default that the records no longer carry becomes nullable; nothing is
 *   dropped or narrowed.
 * Run it OUTSIDE the data transaction (DuckDB fails the commit of rows written to a table
 * altered in the same transaction). The column cache is refreshed before deciding
 * a column is missing and after every DDL; `invalidate` drops it (after a rollback).
 * Column names compare exactly (quoted identifiers); DuckDB matches them
 * case-insensitively, so two fields differing only in case are one column.
 */
export class TableEvolutionError extends Error {
  override readonly name = 'TableEvolutionError';
}

type ExistingColumn = ExistingColumnFacts;

export class DuckDbTables {
  private readonly columns = new Map<string, Map<string, ExistingColumn>>();
  private readonly verified = new Map<string, WeakSet<FieldsMetadata>>();
  /** Grows with every DDL statement this manager runs (callers cache things that DDL invalidates). */
  ddlCount = 0;

  constructor(
    private readonly opts: { readonly autoCreate: boolean; readonly autoEvolve: boolean },
    private readonly logger?: Pick<ConnectorLogger, 'info'>,
  ) {}

  invalidate(): void {
    this.columns.clear();
    this.verified.clear();
  }

  async exists(conn: DuckDBConnection, table: string): Promise<boolean> {
    return this.columns.has(table) || (await this.refresh(conn, table)) !== undefined;
  }

  async ensureTable(conn: DuckDBConnection, table: string, fields: FieldsMetadata): Promise<void> {
    if (this.verified.get(table)?.has(fields)) return;
    let known = this.columns.get(table);
    if (!known || this.missing(known, fields).length > 0) known = await this.refresh(conn, table);
    if (!known) {
      if (!this.opts.autoCreate) throw new TableEvolutionError(`table ${table} does not exist and auto.create is disabled`);
      await this.create(conn, table, fields);
      known = await this.refresh(conn, table);
      if (!known) throw new TableEvolutionError(`table ${table} is still missing after CREATE TABLE`);
    }
    const missing = this.missing(known, fields);
    if (missing.length > 0) {
      if (!this.opts.autoEvolve) throw new TableEvolutionError(`table ${table} lacks columns ${missing.map((c) => c.name).join(', ')} and auto.evolve is disabled`);
      for (const column of missing) {
        const def = defaultLiteral(column.schema, String);
        if (!column.schema.optional && def === undefined) {
          throw new TableEvolutionError(`cannot add required column ${column.name} without a default to existing table ${table}: make the field optional or give it a default`);
        }
        this.logger?.info(`duckdb-sink: adding column ${column.name} to ${table}`);
        this.ddlCount++;
        await conn.run(`ALTER TABLE ${quoteTable(table)} ADD COLUMN ${quoteIdent(column.name)} ${duckDbTypeSql(duckDbColumnType(column.schema))}${def !== undefined ? ` DEFAULT ${def}` : ''}`);
      }
      known = await this.refresh(conn, table);
    }
    if (this.opts.autoEvolve && known) {
      const changes = this.changes(known, fields);
      for (const change of changes) {
        this.logger?.info(`duckdb-sink: ${change.describe} in ${table}`);
        this.ddlCount++;
        await conn.run(`ALTER TABLE ${quoteTable(table)} ${change.sql}`);
      }
      if (changes.length > 0) await this.refresh(conn, table);
    }
    let set = this.verified.get(table);
    if (!set) this.verified.set(table, (set = new WeakSet()));
    set.add(fields);
  }

  private changes(known: ReadonlyMap<string, ExistingColumn>, fields: FieldsMetadata): { describe: string; sql: string }[] {
    const planned = planColumnChanges(known, fields, { facts: (c) => c, desired: (column) => duckDbColumnType(column.schema), normalize: (name) => name, widenKeys: false });
    return planned.map((change) => ({
      describe: describeColumnChange(change, duckDbTypeSql),
      sql: `ALTER COLUMN ${quoteIdent(change.facts.name)} ${change.kind === 'widen' ? `TYPE ${duckDbTypeSql(change.desired)}` : 'DROP NOT NULL'}`,
    }));
  }

  private missing(known: ReadonlyMap<string, ExistingColumn>, fields: FieldsMetadata): SinkColumn[] {
    return fields.allColumns.filter((c) => !known.has(c.name));
  }

  private async create(conn: DuckDBConnection, table: string, fields: FieldsMetadata): Promise<void> {
    const column = (c: SinkColumn, key: boolean): string => {
      const def = defaultLiteral(c.schema, String);
      return `${quoteIdent(c.name)} ${duckDbTypeSql(duckDbColumnType(c.schema))}${key || !c.schema.optional ? ' NOT NULL' : ''}${def !== undefined ? ` DEFAULT ${def}` : ''}`;
    };
    const parts = [...fields.keyColumns.map((c) => column(c, true)), ...fields.valueColumns.map((c) => column(c, false))];
    if (fields.keyColumns.length > 0) parts.push(`PRIMARY KEY (${fields.keyColumns.map((c) => quoteIdent(c.name)).join(', ')})`);
    const dot = table.indexOf('.');
    if (dot > 0) await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.slice(0, dot))}`);
    this.logger?.info(`duckdb-sink: creating table ${table} (${fields.allColumns.map((c) => c.name).join(', ')})`);
    this.ddlCount++;
    await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (${parts.join(', ')})`);
  }

  private async refresh(conn: DuckDBConnection, table: string): Promise<Map<string, ExistingColumn> | undefined> {
    const dot = table.indexOf('.');
    const [schema, name] = dot > 0 ? [table.slice(0, dot), table.slice(dot + 1)] : ['main', table];
    const where = 'database_name = current_database() AND schema_name = $1 AND table_name = $2';
    const rows = (await conn.runAndReadAll(`SELECT column_name, data_type, is_nullable, column_default IS NOT NULL, numeric_precision, numeric_scale FROM duckdb_columns() WHERE ${where} ORDER BY column_index`, [schema, name])).getRows();
    if (rows.length === 0) {
      this.columns.delete(table);
      return undefined;
    }
    const pk = (await conn.runAndReadAll(`SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE ${where} AND constraint_type = 'PRIMARY KEY'`, [schema, name])).getRows();
    const primary = new Set(pk.map((r) => String(r[0])));
    const map = new Map<string, ExistingColumn>();
    for (const [columnName, dataType, nullable, hasDefault, precision, scale] of rows) {
      const type = String(dataType).toLowerCase().replace(/\(.*$/, '');
      map.set(String(columnName), {
        name: String(columnName),
        type,
        precision: type === 'decimal' && precision !== null ? Number(precision) : undefined,
        scale: type === 'decimal' && scale !== null ? Number(scale) : undefined,
        nullable: Boolean(nullable),
        hasDefault: Boolean(hasDefault),
        primary: primary.has(String(columnName)),
      });
    }
    this.columns.set(table, map);
    return map;
  }
}
