import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';
import type { SinkRecord } from '@millrace/connect-sdk';
import { groupByUnchanged, lastPerKey, unchangedColumnNames, type InsertMode, type SinkBatch } from '@millrace/sink-rows';
import { AvroCopyRows } from './avro-copy-rows';
import { sqlRow, type SinkBatchWriter } from './batch-writer';
import { copyChunks, lastRowPerKey } from './copy-buffer';
import { CopyFirst } from './copy-first';
import { encodeCopyRows } from './copy-text';
import type { PostgresSinkDialect } from './dialect';

/**
 * The PostgreSQL bulk path: every batch travels as one `COPY ... FROM STDIN` (text
 * format, copy-text.ts) on the caller's connection, inside the caller's transaction, so
 * the rows commit or roll back with the sink offsets saved in the same transaction.
 *
 * Per batch:
 * - insert mode (and upsert without key columns): COPY straight into the table;
 * - upsert: COPY straight into the table when no key is there yet and the table is a
 *   plain one (copy-first.ts); else COPY into a staging table, then one
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
 *
 * Write batches whose records still hold their Avro bytes (SinkRecord.rawValue) take the
 * direct path (avro-copy-rows.ts: the same COPY text as bytes, decoded straight from the
 * Avro bytes; upsert/update rows deduplicated by the COPY text of their key columns,
 * which is as distinct as their values, copy-buffer.ts), unless the writer schema is one it does not cover or a
 * record lists unchanged columns; then the rows are built from the decoded values.
 */
export class PostgresCopyWriter implements SinkBatchWriter {
  private readonly direct: AvroCopyRows;
  private readonly copyFirst = new CopyFirst();

  constructor(
    private readonly dialect: PostgresSinkDialect,
    private readonly insertMode: InsertMode,
  ) {
    this.direct = new AvroCopyRows(dialect);
  }

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
      const stage = await this.stage(client, target, keyNames, rows.length, encodeCopyRows(rows));
      await client.query(`DELETE FROM ${target} AS t USING ${stage} AS s WHERE ${keyMatch}`);
      return rows.length;
    }
    const keyed = keyNames.length > 0 && (this.insertMode === 'update' || this.insertMode === 'upsert');
    if (keyed && this.insertMode === 'update' && valueColumns.length === 0) return 0;
    const columnList = allColumns.map((c) => q(c.name)).join(', ');
    const direct = keyed && listsUnchangedColumns(batch.records) ? null : this.direct.rows(batch.records, allColumns, keyed ? keyNames.length : 0);
    if (direct !== null) {
      if (!keyed) {
        await copyIn(client, `COPY ${target} (${columnList}) FROM STDIN`, direct.count, copyChunks(direct));
        return direct.count;
      }
      const distinct = lastRowPerKey(direct);
      return this.keyedWrite(client, target, allColumns.map((c) => c.name), keyNames, distinct.count, copyChunks(distinct), keyMatch);
    }
    const rows = batch.records.map((r) => sqlRow(this.dialect, allColumns, r));
    if (keyed) {
      // records that keep some columns as stored (unchanged-columns.ts): one staged statement per column set
      const groups = groupByUnchanged(batch.records, rows, allColumns, keyNames.length) ?? [{ columns: allColumns.map((_c, i) => i), rows: lastPerKey(rows, keyNames.length) }];
      let n = 0;
      for (const g of groups) n += await this.keyedWrite(client, target, g.columns.map((i) => allColumns[i].name), keyNames, g.rows.length, encodeCopyRows(g.rows), keyMatch);
      return n;
    }
    await copyIn(client, `COPY ${target} (${columnList}) FROM STDIN`, rows.length, encodeCopyRows(rows));
    return rows.length;
  }

  /** Upsert or update of `count` rows with distinct keys (COPY text `chunks`): an upsert by plain COPY when copy-first.ts may, else through a staging table; `names` = key columns then value columns. */
  private async keyedWrite(client: PoolClient, target: string, names: readonly string[], keyNames: readonly string[], count: number, chunks: CopyChunks, keyMatch: string): Promise<number> {
    const q = (name: string) => this.dialect.quoteIdentifier(name);
    if (this.insertMode === 'upsert' && count > 0) {
      const pieces = Array.isArray(chunks) ? chunks : [...chunks];
      chunks = pieces;
      if (await this.copyFirst.attempt(client, target, keyNames, count, () => copyIn(client, `COPY ${target} (${names.map(q).join(', ')}) FROM STDIN`, count, pieces))) return count;
    }
    const stage = await this.stage(client, target, names, count, chunks);
    if (this.insertMode === 'update') {
      const set = names.slice(keyNames.length).map((c) => `${q(c)} = s.${q(c)}`).join(', ');
      if (set !== '') await client.query(`UPDATE ${target} AS t SET ${set} FROM ${stage} AS s WHERE ${keyMatch}`);
      return count;
    }
    const columnList = names.map(q).join(', ');
    await client.query(`INSERT INTO ${target} (${columnList}) SELECT ${columnList} FROM ${stage} ${this.dialect.onConflict(names, keyNames)}`);
    return count;
  }

  /**
   * The staging table of `columns` of `target` in this transaction, emptied and filled
   * with `count` rows of COPY text `chunks`; returns its quoted name. One table per target and column list per
   * transaction, reused by every run of the batch: a table per run holds its locks until
   * the commit, and a CDC stream's alternating upserts and deletes made thousands of
   * them in one transaction ("out of shared memory": Postgres' lock table is full).
   */
  private async stage(client: PoolClient, target: string, columns: readonly string[], count: number, chunks: CopyChunks): Promise<string> {
    const columnList = columns.map((c) => this.dialect.quoteIdentifier(c)).join(', ');
    const stage = this.dialect.quoteIdentifier(`millrace_stage_${createHash('sha1').update(`${target} (${columnList})`).digest('hex').slice(0, 20)}`);
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} ON COMMIT DROP AS SELECT ${columnList} FROM ${target} WITH NO DATA`);
    await client.query(`TRUNCATE ${stage}`);
    await copyIn(client, `COPY ${stage} (${columnList}) FROM STDIN`, count, chunks);
    return stage;
  }
}

/** COPY text in pieces: strings (copy-text.ts) or bytes (copy-buffer.ts). */
type CopyChunks = Iterable<string> | readonly (string | Buffer)[];

/** Runs `sql` (a COPY FROM STDIN) with the COPY text `chunks` of `count` rows; nothing when there are none. */
async function copyIn(client: PoolClient, sql: string, count: number, chunks: CopyChunks): Promise<void> {
  if (count === 0) return;
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}

/** Some record lists columns it leaves as stored (unchanged-columns.ts): the general path merges those. */
function listsUnchangedColumns(records: readonly SinkRecord[]): boolean {
  for (const r of records) if (r.headers.length > 0 && unchangedColumnNames(r) !== null) return true;
  return false;
}

/** The pg connection under a connected TypeORM PostgreSQL QueryRunner. */
function pgClient(qr: QueryRunner): PoolClient {
  const client = (qr as unknown as { databaseConnection?: PoolClient }).databaseConnection;
  if (!client || typeof client.query !== 'function') throw new Error('jdbc-sink: the PostgreSQL query runner has no connection');
  return client;
}
