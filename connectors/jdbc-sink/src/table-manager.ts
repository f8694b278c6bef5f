import { Table, TableColumn, type QueryRunner } from 'typeorm';
import type { ConnectorLogger } from '@millrace/connect-sdk';
import { describeColumnChange, planColumnChanges, type FieldsMetadata, type SinkColumn } from '@millrace/sink-rows';
import type { SinkDialect } from './dialect/sink-dialect';

/**
 * auto.create and auto.evolve, through TypeORM's schema builder (QueryRunner.getTable,
 * createTable, addColumn), with a metadata cache of the destination tables' columns.
 *
 * Contracts:
 * - `ensureTable` makes sure a table holds every column of `fields`: a missing table is
 *   created (auto.create) with key columns NOT NULL and the primary key from pk.mode, the
 *   other columns NOT NULL unless optional, defaults from the schema when expressible; a
 *   missing column is added (auto.evolve) as nullable (or with its default); a missing
 *   required column without a default is a TableEvolutionError, as is anything missing
 *   while the matching auto.* option is off. With auto.evolve an existing column is also
 *   widened in place when the field needs a wider type of the same family, and a NOT
 *   NULL column without a default that the records no longer carry becomes nullable
 *   (`changes`); nothing is ever dropped or narrowed.
 * - Run it OUTSIDE the data transaction: MySQL commits implicitly on DDL.
 * - The cache is refreshed from the database before deciding a column is missing (another
 *   task may have added it) and after every DDL; `invalidate` drops it (e.g. after errors).
 *   Concurrent creators are tolerated (CREATE TABLE IF NOT EXISTS, re-check after a failed
 *   ADD COLUMN).
 */
export class TableEvolutionError extends Error {
  override readonly name = 'TableEvolutionError';
}

export interface TableManagerOptions {
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
}

export class TableManager {
  /** table -> its columns by normalized name, as last read from the database. */
  private readonly columns = new Map<string, Map<string, TableColumn>>();
  /** FieldsMetadata already checked against a table (identity), for the fast path. */
  private readonly verified = new Map<string, WeakSet<FieldsMetadata>>();

  constructor(
    private readonly dialect: SinkDialect,
    private readonly opts: TableManagerOptions,
    private readonly logger?: Pick<ConnectorLogger, 'info'>,
  ) {}

  invalidate(): void {
    this.columns.clear();
    this.verified.clear();
  }

  /** Whether the table exists (cached once seen). */
  async exists(qr: QueryRunner, table: string): Promise<boolean> {
    if (this.columns.has(table)) return true;
    return (await this.refresh(qr, table)) !== undefined;
  }

  async ensureTable(qr: QueryRunner, table: string, fields: FieldsMetadata): Promise<void> {
    if (this.verified.get(table)?.has(fields)) return;
    let known = this.columns.get(table);
    if (!known || this.missing(known, fields).length > 0) known = await this.refresh(qr, table);
    if (!known) {
      if (!this.opts.autoCreate) throw new TableEvolutionError(`table ${table} does not exist and auto.create is disabled`);
      await this.create(qr, table, fields);
      known = await this.refresh(qr, table);
      if (!known) throw new TableEvolutionError(`table ${table} is still missing after CREATE TABLE`);
    }
    const missing = this.missing(known, fields);
    if (missing.length > 0) {
      await this.evolve(qr, table, missing);
      known = await this.refresh(qr, table);
      const still = known ? this.missing(known, fields) : missing;
      if (still.length > 0) throw new TableEvolutionError(`table ${table} still lacks columns ${still.map((c) => c.name).join(', ')}`);
    }
    if (this.opts.autoEvolve && known && this.changes(known, fields).length > 0) {
      known = await this.refresh(qr, table);
      const changes = known ? this.changes(known, fields) : [];
      for (const change of changes) {
        this.logger?.info(`jdbc-sink: ${change.describe} in ${table}`);
        await qr.query(change.sql(table));
      }
      if (changes.length > 0) await this.refresh(qr, table);
    }
    let set = this.verified.get(table);
    if (!set) this.verified.set(table, (set = new WeakSet()));
    set.add(fields);
  }

  /** The TypeORM column for a sink column (exported for tests). */
  tableColumn(column: SinkColumn, isPrimary: boolean, forEvolve: boolean): TableColumn {
    const sqlType = this.dialect.columnType(column.schema, isPrimary);
    const def = this.dialect.defaultLiteral(column.schema);
    return new TableColumn({
      name: column.name,
      type: sqlType.type,
      length: sqlType.length,
      precision: sqlType.precision,
      scale: sqlType.scale,
      isPrimary,
      isNullable: isPrimary ? false : forEvolve ? def === undefined || column.schema.optional : column.schema.optional,
      default: def,
    });
  }

  /** In-place changes auto.evolve makes to existing columns (@millrace/sink-rows planColumnChanges), as SQL. */
  private changes(known: ReadonlyMap<string, TableColumn>, fields: FieldsMetadata): { describe: string; sql: (table: string) => string }[] {
    const defaultOf = (c: TableColumn): string | undefined => (c.default === undefined || c.default === null ? undefined : String(c.default));
    const planned = planColumnChanges(known, fields, {
      facts: (c) => ({ name: c.name, type: c.type, length: c.length, precision: c.precision, scale: c.scale, nullable: c.isNullable, hasDefault: defaultOf(c) !== undefined, primary: c.isPrimary || c.isGenerated }),
      desired: (column, isKey) => this.dialect.columnType(column.schema, isKey),
      normalize: (name) => this.dialect.normalizeColumnName(name),
      widenKeys: true,
    });
    return planned.map((change) => ({
      describe: describeColumnChange(change),
      sql: (table: string) =>
        change.kind === 'widen'
          ? this.dialect.modifyColumnSql(table, change.existing.name, 'type', change.desired, change.existing.isNullable, defaultOf(change.existing))
          : this.dialect.modifyColumnSql(table, change.existing.name, 'nullable', change.existing, true, undefined),
    }));
  }

  private missing(known: ReadonlyMap<string, TableColumn>, fields: FieldsMetadata): SinkColumn[] {
    return fields.allColumns.filter((c) => !known.has(this.dialect.normalizeColumnName(c.name)));
  }

  private async refresh(qr: QueryRunner, table: string): Promise<Map<string, TableColumn> | undefined> {
    const found = await qr.getTable(table);
    if (!found) {
      this.columns.delete(table);
      return undefined;
    }
    const map = new Map(found.columns.map((c) => [this.dialect.normalizeColumnName(c.name), c]));
    this.columns.set(table, map);
    return map;
  }

  private async create(qr: QueryRunner, table: string, fields: FieldsMetadata): Promise<void> {
    const columns = [
      ...fields.keyColumns.map((c) => this.tableColumn(c, true, false)),
      ...fields.valueColumns.map((c) => this.tableColumn(c, false, false)),
    ];
    this.logger?.info(`jdbc-sink: creating table ${table} (${columns.map((c) => c.name).join(', ')})`);
    await qr.createTable(new Table({ name: table, columns }), true);
  }

  private async evolve(qr: QueryRunner, table: string, missing: readonly SinkColumn[]): Promise<void> {
    if (!this.opts.autoEvolve) {
      throw new TableEvolutionError(`table ${table} lacks columns ${missing.map((c) => c.name).join(', ')} and auto.evolve is disabled`);
    }
    for (const column of missing) {
      if (!column.schema.optional && this.dialect.defaultLiteral(column.schema) === undefined) {
        throw new TableEvolutionError(
          `cannot add required column ${column.name} without a default to existing table ${table}: make the field optional or give it a default`,
        );
      }
    }
    for (const column of missing) {
      this.logger?.info(`jdbc-sink: adding column ${column.name} to ${table}`);
      try {
        await qr.addColumn(table, this.tableColumn(column, false, true));
      } catch (err) {
        // Another task may have added it meanwhile; the caller's re-check decides.
        const now = await this.refresh(qr, table);
        if (!now?.has(this.dialect.normalizeColumnName(column.name))) throw err;
      }
    }
  }
}
