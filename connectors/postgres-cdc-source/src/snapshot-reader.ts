import { ConnectionLoan, type KeyTuple, type SnapshotChunk } from '@millrace/cdc-snapshot';
import { Client } from 'pg';
import type { RowText } from './change-events';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, type PostgresCdcConfig } from './postgres-cdc-config';
import { quoteIdent, quoteTable, type TableModel } from './table-catalog';

/**
 * Reading a snapshot: connections that all see one snapshot of the database, chunk
 * plans by primary-key range, and chunk reads by keyset pages.
 *
 * Contracts:
 * - A SnapshotSession's connections each run one REPEATABLE READ READ ONLY transaction
 *   for their whole life; with a snapshot name (the one the replication slot exported)
 *   every one imports it (`SET TRANSACTION SNAPSHOT`), so all chunks are read at the
 *   slot's consistent point. Without one (a resumed snapshot: the exported snapshot died
 *   with the connection that made it) each connection has its own, later snapshot; the
 *   stream, which starts at the slot's consistent point, then replays every change made
 *   since, so each row still ends in the state the database has.
 * - Every value is read as the server's text (same decoders as pgoutput's text).
 * - `readChunk` reads (lo, hi] in key order, `fetchSize` rows per query, starting after
 *   `resumeAfter` when given, and hands each page with its last key to `onPage`
 *   (awaited: back-pressure). A keyless table is chunked and read by CTID instead.
 */
export const RAW_TEXT = { getTypeParser: () => (value: string) => value };

export class SnapshotSession extends ConnectionLoan<Client> {
  private constructor(all: Client[]) {
    super(all);
  }

  static async open(config: PostgresCdcConfig, size: number, snapshotName: string | null): Promise<SnapshotSession> {
    const clients: Client[] = [];
    try {
      for (let i = 0; i < size; i++) {
        const c = new Client({ ...clientOptions(config, 'millrace-cdc-snapshot'), options: SESSION_OPTIONS, types: RAW_TEXT });
        c.on('error', () => undefined);
        clients.push(c);
        await c.connect();
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        if (snapshotName !== null) await c.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replace(/'/g, "''")}'`);
        // the first statement fixes the snapshot of a transaction without an imported one
        else await c.query('SELECT 1');
      }
    } catch (err) {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      throw err;
    }
    return new SnapshotSession(clients);
  }
}

function keyList(model: TableModel): string {
  return model.keyColumns.map(quoteIdent).join(', ');
}

function keyParams(model: TableModel, from: number): string {
  return model.keyColumns.map((k, i) => `$${from + i}::${model.columns.find((c) => c.name === k)?.sqlType ?? 'text'}`).join(', ');
}

/** Boundary keys splitting the table into chunks of `chunkRows`, and its row count. */
export async function planTable(client: Client, model: TableModel, chunkRows: number): Promise<{ estimatedRows: number; boundaries: KeyTuple[] }> {
  const count = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteTable(model)}`);
  const estimatedRows = Number(count.rows[0].n);
  if (estimatedRows <= chunkRows) return { estimatedRows, boundaries: [] };
  if (model.keyColumns.length === 0) return { estimatedRows, boundaries: await ctidBoundaries(client, model, chunkRows, estimatedRows) };
  const keys = keyList(model);
  const texts = model.keyColumns.map((k, i) => `${quoteIdent(k)}::text AS k${i}`).join(', ');
  const { rows } = await client.query<Record<string, string>>(
    `SELECT ${texts} FROM (SELECT ${keys}, row_number() OVER (ORDER BY ${keys}) AS rn FROM ${quoteTable(model)}) s WHERE rn % $1 = 0 AND rn < $2 ORDER BY rn`,
    [chunkRows, estimatedRows],
  );
  return { estimatedRows, boundaries: rows.map((r) => model.keyColumns.map((_, i) => r[`k${i}`])) };
}

/**
 * Chunks of a table without a key, by CTID (PeerDB's way): block ranges holding about
 * `chunkRows` rows each. Boundary `(b,0)` sits before block b's first tuple (tuple
 * offsets start at 1), so chunk i is `ctid > (b(i),0) AND ctid <= (b(i+1),0)`, a TID
 * range scan on Postgres 14+; rows added after the plan land in the last, open chunk.
 */
async function ctidBoundaries(client: Client, model: TableModel, chunkRows: number, estimatedRows: number): Promise<KeyTuple[]> {
  const { rows } = await client.query<{ blocks: string }>(`SELECT (pg_relation_size($1::oid) / current_setting('block_size')::bigint)::text AS blocks`, [model.oid]);
  const blocks = Number(rows[0].blocks);
  const perChunk = Math.max(1, Math.ceil((chunkRows * blocks) / Math.max(1, estimatedRows)));
  const boundaries: KeyTuple[] = [];
  for (let b = perChunk; b < blocks; b += perChunk) boundaries.push([`(${b},0)`]);
  return boundaries;
}

export interface ChunkPage {
  readonly rows: readonly RowText[];
  /** Key of the last row (null for keyless tables). */
  readonly lastKey: KeyTuple | null;
}

export async function readChunk(
  client: Client,
  model: TableModel,
  chunk: SnapshotChunk,
  resumeAfter: KeyTuple | null,
  fetchSize: number,
  onPage: (page: ChunkPage) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const columns = model.columns.map((c) => quoteIdent(c.name)).join(', ');
  if (model.keyColumns.length === 0) return readCtidChunk(client, model, columns, chunk, resumeAfter, fetchSize, onPage, signal);
  const keys = keyList(model);
  const n = model.keyColumns.length;
  let after = resumeAfter ?? chunk.lo;
  while (!signal.aborted) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (after !== null) {
      where.push(`(${keys}) > (${keyParams(model, params.length + 1)})`);
      params.push(...after);
    }
    if (chunk.hi !== null) {
      where.push(`(${keys}) <= (${keyParams(model, params.length + 1)})`);
      params.push(...chunk.hi);
    }
    params.push(fetchSize);
    const sql = `SELECT ${columns} FROM ${quoteTable(model)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${keys} LIMIT $${params.length}`;
    const { rows } = await client.query<RowText>(sql, params);
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    const lastKey = model.keyColumns.map((k) => String(last[k]));
    await onPage({ rows, lastKey });
    if (rows.length < fetchSize) return;
    after = lastKey;
    if (lastKey.length !== n) return;
  }
}

const CTID = '__millrace_ctid';

/**
 * A chunk of a keyless table (ctidBoundaries), in CTID order, `fetchSize` rows a query;
 * the last CTID is the page's key. Resuming by CTID is exact under the same snapshot (a
 * retry); after a restart (a later snapshot) rows updated meanwhile may have moved.
 */
async function readCtidChunk(
  client: Client,
  model: TableModel,
  columns: string,
  chunk: SnapshotChunk,
  resumeAfter: KeyTuple | null,
  fetchSize: number,
  onPage: (page: ChunkPage) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  let after = resumeAfter ?? chunk.lo;
  while (!signal.aborted) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (after !== null) where.push(`ctid > $${params.push(after[0])}::tid`);
    if (chunk.hi !== null) where.push(`ctid <= $${params.push(chunk.hi[0])}::tid`);
    const sql = `SELECT ${columns}, ctid::text AS ${CTID} FROM ${quoteTable(model)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ctid LIMIT $${params.push(fetchSize)}`;
    const { rows } = await client.query<Record<string, string | null>>(sql, params);
    if (rows.length === 0) return;
    const lastKey = [String(rows[rows.length - 1][CTID])];
    for (const row of rows) delete row[CTID];
    await onPage({ rows, lastKey });
    if (rows.length < fetchSize) return;
    after = lastKey;
  }
}

/** The largest key of a table (rows matching `filter` when given), as text; null when it has none. */
export async function largestKey(client: Client, model: TableModel, filter: string | null): Promise<KeyTuple | null> {
  const texts = model.keyColumns.map((k, i) => `${quoteIdent(k)}::text AS k${i}`).join(', ');
  const desc = model.keyColumns.map((k) => `${quoteIdent(k)} DESC`).join(', ');
  const { rows } = await client.query<Record<string, string>>(`SELECT ${texts} FROM ${quoteTable(model)}${filter ? ` WHERE (${filter})` : ''} ORDER BY ${desc} LIMIT 1`);
  return rows.length === 0 ? null : model.keyColumns.map((_, i) => rows[0][`k${i}`]);
}

/** Rows of a table (matching `filter`): the planner's estimate for a whole analyzed table, else a count. */
export async function estimateRows(client: Client, model: TableModel, filter: string | null): Promise<number> {
  if (!filter) {
    const { rows } = await client.query<{ n: string }>('SELECT reltuples::bigint::text AS n FROM pg_class WHERE oid = $1::oid', [model.oid]);
    const n = Number(rows[0]?.n ?? -1);
    if (n > 0) return n;
  }
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteTable(model)}${filter ? ` WHERE (${filter})` : ''}`);
  return Number(rows[0].n);
}

/** Up to `limit` rows with keys in (after, upTo] (and `filter`), in key order, each with its key (an incremental snapshot's chunk). */
export async function readKeyRange(client: Client, model: TableModel, after: KeyTuple | null, upTo: KeyTuple, filter: string | null, limit: number): Promise<{ key: KeyTuple; row: RowText }[]> {
  const columns = model.columns.map((c) => quoteIdent(c.name)).join(', ');
  const keys = keyList(model);
  const params: unknown[] = [];
  const where: string[] = [];
  if (after !== null) {
    where.push(`(${keys}) > (${keyParams(model, params.length + 1)})`);
    params.push(...after);
  }
  where.push(`(${keys}) <= (${keyParams(model, params.length + 1)})`);
  params.push(...upTo);
  if (filter) where.push(`(${filter})`);
  params.push(limit);
  const { rows } = await client.query<RowText>(`SELECT ${columns} FROM ${quoteTable(model)} WHERE ${where.join(' AND ')} ORDER BY ${keys} LIMIT $${params.length}`, params);
  return rows.map((row) => ({ key: model.keyColumns.map((k) => String(row[k])), row }));
}
