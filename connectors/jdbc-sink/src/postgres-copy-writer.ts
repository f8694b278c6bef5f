import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';
import { groupByUnchanged, lastPerKey, type InsertMode, type SinkBatch } from '@millrace/sink-rows';
import { sqlRow, type SinkBatchWriter } from './batch-writer';
import { encodeCopyRows } from './copy-text';
import type { PostgresSinkDialect } from './dialect';

/**
 * The PostgreSQL bulk path: every batch travels as one `COPY ... FROM STDIN` (text
 * format, copy-text.ts) on the caller's connection, inside the caller's transaction, so
 * the rows commit or roll back with the sink offsets saved in the same transaction.
 *
 * Per batch:
 * - insert mode (and upsert without key columns): COPY straight into the table;
 * - upsert: COPY into a staging table, then one
 *   `INSERT INTO t (cols) SELECT cols FROM stage ON CONFLICT (keys) DO UPDATE ...`;
 * - update: COPY into a staging table, then one `UPDATE t SET ... FROM stage WHERE keys`;
 * - delete: COPY the keys into a staging table, then one `DELETE FROM t USING stage`.
 * Upsert and update rows are deduplicated by key first (the last record of a key wins),
 * as the statement path does. Records listing unchanged columns (unchanged-columns.ts)
 * are written per set of such columns, leaving those columns out, so the stored values
 * stay. A staging table is a temporary table with the target's
 * own column types (`CREATE TEMP TABLE ... AS SELECT cols FROM t WITH NO DATA`, so the
 * text is parsed as the target would parse it), one per target and column list, reused
 * within the transaction and dropped at its end (commit or rollback). Values are those of `SinkDialect.toSqlValue`, as on the
 * statement path. Returns the number of rows the statements were built from.
 */
export class PostgresCopyWriter implements SinkBatchWriter {
  constructor(
    private readonly dialect: PostgresSinkDialect,
    private readonly insertMode: InsertMode,
  ) {}

  async apply(qr: QueryRunner, batch: SinkBatch): Promise<number> {
    const client = pgClient(qr);
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    const target = this.dialect.quoteTable(batch.table);
    const { keyColumns, valueColumns, allColumns } = batch.fields;
    const keyNames = keyColumns.map((c) => c.name);
    const keyMatch = keyNames.map((k) => `t.${q(k)} = s.${q(k)}`).join(' AND ');
    if (batch.kind === 'delete') {
      if (keyNames.length === 0) return 0;
      const rows = batch.records.map((r) => sqlRow(this.dialect, keyColumns, r));
      const stage = await this.stage(client, target, keyNames, rows);
      await client.query(`DELETE FROM ${target} AS t USING ${stage} AS s WHERE ${keyMatch}`);
      return rows.length;
    }
    const rows = batch.records.map((r) => sqlRow(this.dialect, allColumns, r));
    const useKeys = keyNames.length > 0;
    if (useKeys && (this.insertMode === 'update' || this.insertMode === 'upsert')) {
      if (this.insertMode === 'update' && valueColumns.length === 0) return 0;
      // records that keep some columns as stored (unchanged-columns.ts): one staged statement per column set
      const groups = groupByUnchanged(batch.records, rows, allColumns, keyNames.length) ?? [{ columns: allColumns.map((_c, i) => i), rows: lastPerKey(rows, keyNames.length) }];
      let n = 0;
      for (const g of groups) n += await this.keyedWrite(client, target, g.columns.map((i) => allColumns[i].name), keyNames, g.rows, keyMatch);
      return n;
    }
    const columnList = allColumns.map((c) => q(c.name)).join(', ');
    await copyRows(client, `COPY ${target} (${columnList}) FROM STDIN`, rows);
    return rows.length;
  }

  /** Upsert or update of rows with distinct keys, through a staging table; `names` = key columns then value columns. */
  private async keyedWrite(client: PoolClient, target: string, names: readonly string[], keyNames: readonly string[], rows: unknown[][], keyMatch: string): Promise<number> {
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    const stage = await this.stage(client, target, names, rows);
    if (this.insertMode === 'update') {
      const set = names.slice(keyNames.length).map((c) => `${q(c)} = s.${q(c)}`).join(', ');
      if (set !== '') await client.query(`UPDATE ${target} AS t SET ${set} FROM ${stage} AS s WHERE ${keyMatch}`);
      return rows.length;
    }
    const columnList = names.map(q).join(', ');
    await client.query(`INSERT INTO ${target} (${columnList}) SELECT ${columnList} FROM ${stage} ${this.dialect.onConflict(names, keyNames)}`);
    return rows.length;
  }

  /**
   * The staging table of `columns` of `target` in this transaction, emptied and filled
   * with `rows`; returns its quoted name. One table per target and column list per
   * transaction, reused by every run of the batch: a table per run holds its locks until
   * the commit, and a CDC stream's alternating upserts and deletes made thousands of
   * them in one transaction ("out of shared memory": Postgres' lock table is full).
   */
  private async stage(client: PoolClient, target: string, columns: readonly string[], rows: readonly unknown[][]): Promise<string> {
    const columnList = columns.map((c) => this.dialect.quoteIdentifier(c)).join(', ');
    const stage = this.dialect.quoteIdentifier(`millrace_stage_${createHash('sha1').update(`${target} (${columnList})`).digest('hex').slice(0, 20)}`);
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} ON COMMIT DROP AS SELECT ${columnList} FROM ${target} WITH NO DATA`);
    await client.query(`TRUNCATE ${stage}`);
    await copyRows(client, `COPY ${stage} (${columnList}) FROM STDIN`, rows);
    return stage;
  }
}

async function copyRows(client: PoolClient, sql: string, rows: readonly unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  await pipeline(Readable.from(encodeCopyRows(rows)), client.query(copyFrom(sql)));
}

/** The pg connection under a connected TypeORM PostgreSQL QueryRunner. */
function pgClient(qr: QueryRunner): PoolClient {
  const client = (qr as unknown as { databaseConnection?: PoolClient }).databaseConnection;
  if (!client || typeof client.query !== 'function') throw new Error('jdbc-sink: the PostgreSQL query runner has no connection');
  return client;
}
