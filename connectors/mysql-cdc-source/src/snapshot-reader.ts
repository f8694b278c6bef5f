import { ConnectionLoan, type ChunkRows, type KeyTuple, type SnapshotChunk } from '@millrace/cdc-snapshot';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { connectionOptions, type MySqlCdcConfig } from './mysql-cdc-config';
import { PreflightError } from './preflight';
import { quoteIdent, quoteTable, selectColumns, type TableModel } from './table-catalog';

/**
 * Reading a snapshot: connections that each hold one REPEATABLE READ consistent-snapshot
 * transaction, chunk plans by primary-key range, and chunk reads by keyset pages.
 *
 * Contracts:
 * - `SnapshotSession.open(..., lock=true)` (snapshot.locking.mode=minimal) takes FLUSH
 *   TABLES WITH READ LOCK, reads the binlog position (SHOW MASTER STATUS) and
 *   @@gtid_binlog_pos, opens `size` START TRANSACTION WITH CONSISTENT SNAPSHOT
 *   connections, and UNLOCKs: every connection sees the database exactly at that
 *   position, and the lock lasts only as long as those statements.
 * - snapshot.locking.mode=none uses no session: see mysql-cdc-task.ts (an incremental
 *   snapshot between binlog-position watermarks).
 * - Without the lock (a resumed snapshot) every connection has its own, later snapshot;
 *   streaming from the stored position then replays the changes made since on top, so
 *   every row still ends in the state the database has.
 * - `readChunk` reads (lo, hi] in key order, `fetchSize` rows per query, starting after
 *   `resumeAfter` when given; a keyless table is one chunk read in one query.
 */
export interface BinlogPosition {
  readonly file: string;
  readonly pos: number;
  /** MariaDB @@gtid_binlog_pos / MySQL @@gtid_executed at that position ('' when none). */
  readonly gtids: string;
}

export type Row = Readonly<Record<string, unknown>>;

async function sessionConnection(config: MySqlCdcConfig): Promise<Connection> {
  const c = await createConnection(connectionOptions(config));
  c.on('error', () => undefined);
  await c.query(`SET time_zone = '+00:00'`);
  return c;
}

/** The server's current binlog position (SHOW MASTER STATUS / SHOW BINARY LOG STATUS) and GTIDs. */
export async function currentPosition(c: Connection, flavour: 'mysql' | 'mariadb'): Promise<BinlogPosition> {
  let rows: RowDataPacket[];
  try {
    [rows] = await c.query<RowDataPacket[]>('SHOW MASTER STATUS');
  } catch {
    [rows] = await c.query<RowDataPacket[]>('SHOW BINARY LOG STATUS');
  }
  if (rows.length === 0) throw new PreflightError('SHOW MASTER STATUS returned nothing: the binary log is off or the user lacks REPLICATION CLIENT (BINLOG MONITOR on MariaDB)');
  const [g] = await c.query<RowDataPacket[]>(flavour === 'mariadb' ? 'SELECT @@GLOBAL.gtid_binlog_pos AS g' : 'SELECT @@GLOBAL.gtid_executed AS g');
  return { file: String(rows[0].File), pos: Number(rows[0].Position), gtids: String(g[0]?.g ?? '') };
}

export class SnapshotSession extends ConnectionLoan<Connection> {
  private constructor(all: Connection[]) {
    super(all);
  }

  /** Opens the session; with `lock`, returns the binlog position all its connections see. */
  static async open(config: MySqlCdcConfig, size: number, lock: { flavour: 'mysql' | 'mariadb' } | null): Promise<{ session: SnapshotSession; position: BinlogPosition | null }> {
    const clients: Connection[] = [];
    let locker: Connection | null = null;
    let position: BinlogPosition | null = null;
    try {
      if (lock) {
        locker = await sessionConnection(config);
        try {
          await locker.query('FLUSH TABLES WITH READ LOCK');
        } catch (err) {
          throw new PreflightError(`snapshot.locking.mode=minimal needs FLUSH TABLES WITH READ LOCK, which the server refused (${(err as Error).message}). Grant RELOAD to ${config.user}.`);
        }
        position = await currentPosition(locker, lock.flavour);
      }
      for (let i = 0; i < size; i++) {
        const c = await sessionConnection(config);
        clients.push(c);
        await c.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await c.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      }
      if (locker) await locker.query('UNLOCK TABLES');
    } catch (err) {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      throw err;
    } finally {
      await locker?.end().catch(() => undefined);
    }
    return { session: new SnapshotSession(clients), position };
  }
}

const INTEGER_TYPES = ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint'];

/** A key value's text as stored in the snapshot state (binary keys as hex). */
export function keyText(value: unknown): string {
  return Buffer.isBuffer(value) ? `x${value.toString('hex')}` : String(value);
}

/** SQL for one key value: integers inline, binary as X'..', others as a bound parameter. */
function keySql(model: TableModel, column: string, text: string, params: unknown[]): string {
  const col = model.columns.find((c) => c.name === column);
  if (col && INTEGER_TYPES.includes(col.dataType) && /^-?\d+$/.test(text)) return text;
  if (col && /binary|blob/.test(col.dataType) && /^x[0-9a-f]*$/.test(text)) return `X'${text.slice(1)}'`;
  params.push(text);
  return '?';
}

function keyTuple(model: TableModel, key: KeyTuple, params: unknown[]): string {
  return `(${model.keyColumns.map((k, i) => keySql(model, k, key[i], params)).join(', ')})`;
}

/** Boundary keys splitting the table into chunks of `chunkRows`, and its row count. */
export async function planTable(c: Connection, model: TableModel, chunkRows: number): Promise<{ estimatedRows: number; boundaries: KeyTuple[] }> {
  const [count] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteTable(model)}`);
  const estimatedRows = Number(count[0].n);
  if (model.keyColumns.length === 0 || estimatedRows <= chunkRows) return { estimatedRows, boundaries: [] };
  const keys = model.keyColumns.map(quoteIdent).join(', ');
  const [rows] = await c.query<RowDataPacket[]>(`SELECT ${keys} FROM (SELECT ${keys}, ROW_NUMBER() OVER (ORDER BY ${keys}) AS rn__ FROM ${quoteTable(model)}) s WHERE rn__ % ? = 0 ORDER BY rn__`, [chunkRows]);
  return { estimatedRows, boundaries: rows.map((r) => model.keyColumns.map((k) => keyText(r[k]))) };
}

export async function readChunk(c: Connection, model: TableModel, chunk: SnapshotChunk, resumeAfter: KeyTuple | null, fetchSize: number, onPage: (page: ChunkRows<Row>) => Promise<void>, signal: AbortSignal): Promise<void> {
  const columns = selectColumns(model);
  if (model.keyColumns.length === 0) {
    const [rows] = await c.query<RowDataPacket[]>(`SELECT ${columns} FROM ${quoteTable(model)}`);
    if (rows.length > 0) await onPage({ rows, lastKey: null });
    return;
  }
  const keys = `(${model.keyColumns.map(quoteIdent).join(', ')})`;
  let after = resumeAfter ?? chunk.lo;
  while (!signal.aborted) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (after !== null) where.push(`${keys} > ${keyTuple(model, after, params)}`);
    if (chunk.hi !== null) where.push(`${keys} <= ${keyTuple(model, chunk.hi, params)}`);
    const sql = `SELECT ${columns} FROM ${quoteTable(model)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${model.keyColumns.map(quoteIdent).join(', ')} LIMIT ${Number(fetchSize)}`;
    const [rows] = await c.query<RowDataPacket[]>(sql, params);
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    const lastKey = model.keyColumns.map((k) => keyText(last[k]));
    await onPage({ rows, lastKey });
    if (rows.length < fetchSize) return;
    after = lastKey;
  }
}

/** Up to `limit` rows with keys in (after, upTo] (and `filter`), in key order, each with its key (an incremental snapshot's chunk). */
export async function readKeyRange(c: Connection, model: TableModel, after: KeyTuple | null, upTo: KeyTuple, filter: string | null, limit: number): Promise<{ key: KeyTuple; row: Row }[]> {
  const columns = selectColumns(model);
  const keys = `(${model.keyColumns.map(quoteIdent).join(', ')})`;
  const params: unknown[] = [];
  const where: string[] = [];
  if (after !== null) where.push(`${keys} > ${keyTuple(model, after, params)}`);
  where.push(`${keys} <= ${keyTuple(model, upTo, params)}`);
  if (filter) where.push(`(${filter})`);
  const [rows] = await c.query<RowDataPacket[]>(`SELECT ${columns} FROM ${quoteTable(model)} WHERE ${where.join(' AND ')} ORDER BY ${model.keyColumns.map(quoteIdent).join(', ')} LIMIT ${Number(limit)}`, params);
  return rows.map((row) => ({ key: model.keyColumns.map((k) => keyText(row[k])), row }));
}
