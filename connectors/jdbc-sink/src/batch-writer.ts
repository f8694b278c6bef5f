import type { QueryRunner } from 'typeorm';
import type { SinkDialect } from './dialect/sink-dialect';
import { columnValue, type SinkColumn } from './fields-metadata';
import type { InsertMode } from './jdbc-sink-config';
import type { SinkBatch } from './record-batcher';

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
    const { keyColumns, valueColumns, allColumns } = batch.fields;
    let rows = batch.records.map((r) => sqlRow(this.dialect, allColumns, r));
    const useKeys = keyColumns.length > 0;
    if (this.insertMode === 'update') {
      if (!useKeys || valueColumns.length === 0) return 0;
      const sql = this.cached(`u|${batch.table}|${names(allColumns)}|${keyColumns.length}`, () =>
        this.dialect.updateSql(
          batch.table,
          valueColumns.map((c) => c.name),
          keyColumns.map((c) => c.name),
        ),
      );
      const k = keyColumns.length;
      for (const row of rows) await qr.query(sql, [...row.slice(k), ...row.slice(0, k)]);
      return rows.length;
    }
    const upsert = this.insertMode === 'upsert' && useKeys;
    if (upsert) rows = lastPerKey(rows, keyColumns.length);
    const columnNames = allColumns.map((c) => c.name);
    const keyNames = keyColumns.map((c) => c.name);
    await this.chunked(rows, columnNames.length, async (chunk) => {
      const sql = this.cached(`${upsert ? 'up' : 'in'}|${batch.table}|${names(allColumns)}|${keyNames.length}|${chunk.length}`, () =>
        upsert ? this.dialect.upsertSql(batch.table, columnNames, keyNames, chunk.length) : this.dialect.insertSql(batch.table, columnNames, chunk.length),
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

/** Rows with distinct keys (the first `keyWidth` values), keeping each key's last row, in order of those last rows. */
export function lastPerKey(rows: readonly unknown[][], keyWidth: number): unknown[][] {
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(keyString(row, keyWidth), i));
  if (last.size === rows.length) return rows as unknown[][];
  return rows.filter((row, i) => last.get(keyString(row, keyWidth)) === i);
}

function keyString(row: readonly unknown[], keyWidth: number): string {
  let s = '';
  for (let i = 0; i < keyWidth; i++) {
    const v = row[i];
    s += `${v === null ? '\u0001' : Buffer.isBuffer(v) ? `x${v.toString('hex')}` : `${typeof v}:${String(v)}`}\u0000`;
  }
  return s;
}
