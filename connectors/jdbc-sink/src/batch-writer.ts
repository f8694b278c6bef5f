import type { QueryRunner } from 'typeorm';
import { columnValue, groupByUnchanged, lastPerKey, type InsertMode, type SinkBatch, type SinkColumn } from '@millrace/sink-rows';
import type { SinkDialect } from './dialect/sink-dialect';

/** Applies one SinkBatch inside the caller's transaction; returns the rows it was built from. */
export interface SinkBatchWriter {
  apply(qr: QueryRunner, batch: SinkBatch): Promise<number>;
}

/**
 * Applies one SinkBatch with the fewest bound-parameter statements the dialect allows,
 * inside the caller's transaction (the MySQL/MariaDB path; PostgreSQL uses COPY, see
 * postgres-copy-writer.ts).
 *
 * Contracts:
 * - `write` batches: insert mode -> multi-row INSERT; upsert mode -> multi-row upsert
 *   (rows deduplicated by key first, the last record of a key wins, since PostgreSQL's
 *   ON CONFLICT refuses to touch a row twice in one statement); update mode -> one UPDATE
 *   per record. With pk.mode=none, upsert degrades to INSERT (there is no key).
 * - `delete` batches: multi-row DELETE by key.
 * - Each statement stays within the dialect's parameter count and a statement-size budget
 *   (`maxStatementBytes`, default the dialect's; the task sizes it from MySQL's
 *   max_allowed_packet), measured with the dialect's estimate of each bound value.
 * Returns the number of rows the statements were built from.
 */
export class BatchWriter implements SinkBatchWriter {
  private readonly sqlCache = new Map<string, string>();
  private readonly maxStatementBytes: number;

  constructor(
    private readonly dialect: SinkDialect,
    private readonly insertMode: InsertMode,
    maxStatementBytes?: number,
  ) {
    this.maxStatementBytes = maxStatementBytes ?? dialect.maxStatementBytes;
  }

  async apply(qr: QueryRunner, batch: SinkBatch): Promise<number> {
    return batch.kind === 'delete' ? this.applyDeletes(qr, batch) : this.applyWrites(qr, batch);
  }

  private async applyWrites(qr: QueryRunner, batch: SinkBatch): Promise<number> {
    const { keyColumns, allColumns } = batch.fields;
    const rows = batch.records.map((r) => sqlRow(this.dialect, allColumns, r));
    const useKeys = keyColumns.length > 0;
    const keyed = useKeys && (this.insertMode === 'update' || this.insertMode === 'upsert');
    // records that keep some columns as stored (unchanged-columns.ts): one statement family per column set
    const groups = keyed ? groupByUnchanged(batch.records, rows, allColumns, keyColumns.length) : null;
    if (groups) {
      let n = 0;
      for (const g of groups) n += await this.writeRows(qr, batch.table, g.columns.map((i) => allColumns[i]), keyColumns.length, g.rows);
      return n;
    }
    return this.writeRows(qr, batch.table, allColumns, keyColumns.length, rows);
  }

  /** Writes `rows` (bind values of `columns`, the first `keyWidth` of them key columns) per insert.mode. */
  private async writeRows(qr: QueryRunner, table: string, columns: readonly SinkColumn[], keyWidth: number, input: unknown[][]): Promise<number> {
    let rows = input;
    const useKeys = keyWidth > 0;
    const keyNames = columns.slice(0, keyWidth).map((c) => c.name);
    const valueNames = columns.slice(keyWidth).map((c) => c.name);
    if (this.insertMode === 'update') {
      if (!useKeys || valueNames.length === 0) return 0;
      const sql = this.cached(`u|${table}|${names(columns)}|${keyWidth}`, () => this.dialect.updateSql(table, valueNames, keyNames));
      for (const row of rows) await qr.query(sql, [...row.slice(keyWidth), ...row.slice(0, keyWidth)]);
      return rows.length;
    }
    const upsert = this.insertMode === 'upsert' && useKeys;
    if (upsert) rows = lastPerKey(rows, keyWidth);
    const columnNames = columns.map((c) => c.name);
    await this.chunked(rows, columnNames.length, async (chunk) => {
      const sql = this.cached(`${upsert ? 'up' : 'in'}|${table}|${names(columns)}|${keyWidth}|${chunk.length}`, () =>
        upsert ? this.dialect.upsertSql(table, columnNames, keyNames, chunk.length) : this.dialect.insertSql(table, columnNames, chunk.length),
      );
      await qr.query(sql, chunk.flat());
    });
    return rows.length;
  }

  private async applyDeletes(qr: QueryRunner, batch: SinkBatch): Promise<number> {
    const { keyColumns } = batch.fields;
    if (keyColumns.length === 0) return 0;
    const rows = batch.records.map((r) => sqlRow(this.dialect, keyColumns, r));
    const keyNames = keyColumns.map((c) => c.name);
    await this.chunked(rows, keyNames.length, async (chunk) => {
      const sql = this.cached(`del|${batch.table}|${names(keyColumns)}|${chunk.length}`, () => this.dialect.deleteSql(batch.table, keyNames, chunk.length));
      await qr.query(sql, chunk.flat());
    });
    return rows.length;
  }

  /** Calls `run` on consecutive slices within the parameter and size limits. */
  private async chunked(rows: readonly unknown[][], width: number, run: (chunk: unknown[][]) => Promise<void>): Promise<void> {
    const maxRows = Math.max(1, Math.floor(this.dialect.maxParameters / Math.max(1, width)));
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let bytes = 0;
      while (end < rows.length && end - start < maxRows) {
        const size = rows[end].reduce<number>((sum, v) => sum + this.dialect.estimateBytes(v), 0);
        if (end > start && bytes + size > this.maxStatementBytes) break;
        bytes += size;
        end++;
      }
      await run(rows.slice(start, end) as unknown[][]);
      start = end;
    }
  }

  private cached(key: string, build: () => string): string {
    let sql = this.sqlCache.get(key);
    if (sql === undefined) {
      sql = build();
      if (this.sqlCache.size >= 64) this.sqlCache.clear();
      this.sqlCache.set(key, sql);
    }
    return sql;
  }
}

/** The bind values of `columns` for one record, in column order. */
export function sqlRow(dialect: SinkDialect, columns: readonly SinkColumn[], record: SinkBatch['records'][number]): unknown[] {
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = dialect.toSqlValue(columnValue(columns[i], record), columns[i].schema);
  return out;
}

/** An unambiguous cache-key form of a column list. */
function names(columns: readonly SinkColumn[]): string {
  return JSON.stringify(columns.map((c) => c.name));
}
