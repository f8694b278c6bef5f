import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { columnValue, groupByUnchanged, lastPerKey, type InsertMode, type SinkBatch, type SinkColumn } from '@millrace/sink-rows';
import { appendFor, quoteIdent, quoteTable, type AppendValue } from './duckdb-types';

/**
 * Applies one SinkBatch inside the caller's DuckDB transaction: the rows go through
 * DuckDB's appender into a staging table, then one set statement moves them:
 * - insert mode (and upsert without key columns): `INSERT INTO t (cols) SELECT cols FROM stage`;
 * - upsert: `INSERT ... SELECT ... ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c`
 *   (DO NOTHING when every column is a key);
 * - update: `UPDATE t SET c = s.c FROM stage s WHERE keys match`;
 * - delete: the distinct keys staged, `DELETE FROM t USING stage s WHERE keys match`.
 * Upsert and update rows are deduplicated by key first (the last record of a key wins:
 * one ON CONFLICT statement must not touch a row twice); records listing unchanged
 * columns (@millrace/sink-rows unchanged-columns.ts) are written per set of such columns,
 * leaving those columns out so the stored values stay.
 *
 * A staging table is a temporary table with the target's own column types for the
 * columns written (`CREATE OR REPLACE TEMP TABLE ... AS SELECT cols FROM t LIMIT 0`),
 * named after the target and the column list, emptied before each use. `forgetStages`
 * makes every staging table be recreated on its next use: call it after DDL on a target
 * (a widened column must be staged with its new type) and after a rollback (a staging
 * table created in the rolled-back transaction is gone). Returns the number of rows the
 * statements were built from.
 */
export class DuckDbBatchWriter {
  private readonly appenders = new WeakMap<SinkColumn, AppendValue>();
  private readonly stages = new Set<string>();

  constructor(private readonly insertMode: InsertMode) {}

  forgetStages(): void {
    this.stages.clear();
  }

  async apply(conn: DuckDBConnection, batch: SinkBatch): Promise<number> {
    const target = quoteTable(batch.table);
    const { keyColumns, valueColumns, allColumns } = batch.fields;
    const keyMatch = keyColumns.map((c) => `t.${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`).join(' AND ');
    if (batch.kind === 'delete') {
      if (keyColumns.length === 0) return 0;
      // a key staged twice makes DuckDB's DELETE ... USING delete its row twice (an index error)
      const rows = lastPerKey(batch.records.map((r) => keyColumns.map((c) => columnValue(c, r))), keyColumns.length);
      const stage = await this.stage(conn, target, keyColumns, rows);
      await conn.run(`DELETE FROM ${target} AS t USING ${stage} AS s WHERE ${keyMatch}`);
      return rows.length;
    }
    const rows = batch.records.map((r) => allColumns.map((c) => columnValue(c, r)));
    const keyed = keyColumns.length > 0 && (this.insertMode === 'upsert' || this.insertMode === 'update');
    if (!keyed) {
      const stage = await this.stage(conn, target, allColumns, rows);
      const list = allColumns.map((c) => quoteIdent(c.name)).join(', ');
      await conn.run(`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage}`);
      return rows.length;
    }
    if (this.insertMode === 'update' && valueColumns.length === 0) return 0;
    const groups = groupByUnchanged(batch.records, rows, allColumns, keyColumns.length) ?? [{ columns: allColumns.map((_c, i) => i), rows: lastPerKey(rows, keyColumns.length) }];
    let n = 0;
    for (const g of groups) {
      const columns = g.columns.map((i) => allColumns[i]);
      const stage = await this.stage(conn, target, columns, g.rows);
      const names = columns.map((c) => quoteIdent(c.name));
      const values = names.slice(keyColumns.length);
      if (this.insertMode === 'update') {
        if (values.length > 0) await conn.run(`UPDATE ${target} AS t SET ${values.map((c) => `${c} = s.${c}`).join(', ')} FROM ${stage} AS s WHERE ${keyMatch}`);
      } else {
        const conflict = `ON CONFLICT (${names.slice(0, keyColumns.length).join(', ')}) ${values.length > 0 ? `DO UPDATE SET ${values.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'DO NOTHING'}`;
        await conn.run(`INSERT INTO ${target} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${stage} ${conflict}`);
      }
      n += g.rows.length;
    }
    return n;
  }

  /** A staging table of `columns` of `target` filled with `rows` (Connect values) by the appender; returns its name. */
  private async stage(conn: DuckDBConnection, target: string, columns: readonly SinkColumn[], rows: readonly unknown[][]): Promise<string> {
    const list = columns.map((c) => quoteIdent(c.name)).join(', ');
    const name = `millrace_stage_${createHash('sha1').update(`${target} (${list})`).digest('hex').slice(0, 20)}`;
    if (this.stages.has(name)) {
      await conn.run(`DELETE FROM ${name}`);
    } else {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${name} AS SELECT ${list} FROM ${target} LIMIT 0`);
      this.stages.add(name);
    }
    const appends = columns.map((c) => this.appendFor(c));
    const appender = await conn.createAppender(name, 'main', 'temp');
    let column = 0;
    try {
      for (const row of rows) {
        for (column = 0; column < appends.length; column++) {
          const v = row[column];
          if (v === null || v === undefined) appender.appendNull();
          else appends[column](appender, v);
        }
        appender.endRow();
      }
      column = -1;
      appender.flushSync();
    } catch (err) {
      const where = column >= 0 && column < columns.length ? `column "${columns[column].name}" of ${target}` : target;
      throw new Error(`duckdb-sink: cannot write ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      try {
        appender.closeSync();
      } catch {
        // the error above says what went wrong
      }
    }
    return name;
  }

  private appendFor(column: SinkColumn): AppendValue {
    let fn = this.appenders.get(column);
    if (!fn) this.appenders.set(column, (fn = appendFor(column.schema)));
    return fn;
  }
}
