import type { AnyBinlogEvent, DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent } from '@vlasky/zongji';
import type ZongJiType from '@vlasky/zongji';
import { DDL } from './binlog-ddl';

/**
 * The binlog as a queue of whole transactions, read by @vlasky/zongji from a file/position.
 *
 * Contracts:
 * - Starts at file/pos, or after a GTID position (MariaDB) / set (MySQL) when `gtidSet`
 *   is given.
 * - Items come out in binlog order: `txn` (the row events of one committed transaction of
 *   captured tables, with the position right after its commit) and `ddl` (a statement
 *   changing a captured database's tables, with the position after it). Transactions
 *   without captured rows are dropped; their positions are not reported (a later item's
 *   position covers them).
 * - `take` hands out whole items only, so a position handed out with records never
 *   points inside a transaction: resuming there neither repeats nor skips one.
 * - `lastPosition`: the position after the last transaction or statement read, captured
 *   or not; once `queued` is 0 every captured item before it was handed out, so it is a
 *   position a heartbeat may store (writes to uncaptured tables then still move it).
 * - Back-pressure: the connection pauses while more than `maxQueuedRows` rows wait.
 * - An error from the reader (lost connection, purged binlog: code 1236) is kept and
 *   returned by `error`; the stream does not reconnect by itself.
 */
export type RowsEvent = WriteRowsEvent | UpdateRowsEvent | DeleteRowsEvent;

export interface TxnItem {
  readonly kind: 'txn';
  readonly file: string;
  /** Position of the transaction's first event (its GTID event). */
  readonly startPos: number;
  /** Position right after its commit event. */
  readonly endPos: number;
  readonly gtid: string | null;
  readonly tsMs: number;
  readonly events: readonly RowsEvent[];
}

export interface DdlItem {
  readonly kind: 'ddl';
  readonly file: string;
  readonly endPos: number;
  readonly gtid: string | null;
  readonly database: string;
  readonly query: string;
}

export type StreamItem = TxnItem | DdlItem;

export interface BinlogStreamOptions {
  readonly connection: Record<string, unknown>;
  readonly serverId: number;
  readonly file: string;
  readonly pos: number;
  /** Resume after this GTID position/set instead of at file/pos (the server then names the file in its first rotate event). */
  readonly gtidSet?: string;
  readonly captured: (database: string, table: string) => boolean;
  readonly capturedDatabase: (database: string) => boolean;
  readonly maxQueuedRows: number;
}

function loadZongJi(): typeof ZongJiType {
  // ESM-only package, loaded with require(esm) (Node >= 20.17)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('@vlasky/zongji') as { default?: typeof ZongJiType };
  return (mod.default ?? mod) as typeof ZongJiType;
}

export class BinlogStream {
  private readonly zongji: ZongJiType;
  private readonly queue: StreamItem[] = [];
  private queuedRows = 0;
  private paused = false;
  private current: { startPos: number; gtid: string | null; tsMs: number; events: RowsEvent[] } | null = null;
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];
  private file: string;
  private last: { file: string; pos: number; gtid: string | null } | null = null;

  constructor(private readonly opts: BinlogStreamOptions) {
    const ZongJi = loadZongJi();
    this.zongji = new ZongJi(opts.connection);
    this.file = opts.file;
  }

  get error(): Error | null {
    return this.failure;
  }

  get lastPosition(): { file: string; pos: number; gtid: string | null } | null {
    return this.last;
  }

  get queued(): number {
    return this.queue.length;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.zongji.on('error', (err: Error) => {
        this.failure ??= err;
        this.wake();
        reject(err);
      });
      this.zongji.on('ready', () => resolve());
      this.zongji.on('binlog', (event: AnyBinlogEvent) => this.onEvent(event));
      this.zongji.start({
        serverId: this.opts.serverId,
        ...(this.opts.gtidSet !== undefined ? { gtidSet: this.opts.gtidSet } : { filename: this.opts.file, position: this.opts.pos }),
        includeEvents: ['rotate', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query', 'mariadbgtid', 'gtid', 'anonymousgtid'],
      });
    });
  }

  take(maxRows: number): StreamItem[] {
    const out: StreamItem[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const n = rowsOf(this.queue[0]);
      if (out.length > 0 && rows + n > maxRows) break;
      out.push(this.queue.shift() as StreamItem);
      rows += n;
    }
    this.queuedRows -= rows;
    if (this.paused && this.queuedRows < this.opts.maxQueuedRows / 2) {
      this.paused = false;
      this.zongji.connection?.resume();
    }
    return out;
  }

  waitForData(ms: number): Promise<void> {
    if (this.queue.length > 0 || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.zongji.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      this.zongji.stop();
    });
  }

  private onEvent(event: AnyBinlogEvent): void {
    const name = event.getEventName();
    switch (name) {
      case 'rotate':
        this.file = (event as { binlogName: string }).binlogName;
        return;
      case 'mariadbgtid':
      case 'gtid':
      case 'anonymousgtid':
        this.current = { startPos: event.nextPosition - event.size, gtid: event.gtid ?? null, tsMs: event.timestamp, events: [] };
        return;
      case 'writerows':
      case 'updaterows':
      case 'deleterows': {
        const rows = event as RowsEvent;
        const table = rows.tableMap[rows.tableId];
        if (!table || !this.opts.captured(table.parentSchema, table.tableName)) return;
        this.current ??= { startPos: event.nextPosition - event.size, gtid: event.gtid ?? null, tsMs: event.timestamp, events: [] };
        this.current.events.push(rows);
        return;
      }
      case 'xid':
        this.commit(event.nextPosition);
        return;
      case 'query': {
        const q = event as { query: string; schema: string; nextPosition: number };
        const text = q.query.trim();
        if (/^(COMMIT|XA COMMIT)/i.test(text)) this.commit(q.nextPosition);
        else if (/^(ROLLBACK|XA ROLLBACK)/i.test(text)) this.current = null;
        else if (DDL.test(text)) {
          this.current = null;
          this.last = { file: this.file, pos: q.nextPosition, gtid: event.gtid ?? null };
          if (this.opts.capturedDatabase(q.schema)) this.push({ kind: 'ddl', file: this.file, endPos: q.nextPosition, gtid: event.gtid ?? null, database: q.schema, query: text });
        }
        return;
      }
      default:
        return;
    }
  }

  private commit(endPos: number): void {
    const txn = this.current;
    this.current = null;
    this.last = { file: this.file, pos: endPos, gtid: txn?.gtid ?? null };
    if (!txn || txn.events.length === 0) return;
    this.push({ kind: 'txn', file: this.file, startPos: txn.startPos, endPos, gtid: txn.gtid, tsMs: txn.tsMs, events: txn.events });
  }

  private push(item: StreamItem): void {
    this.queue.push(item);
    this.queuedRows += rowsOf(item);
    if (!this.paused && this.queuedRows > this.opts.maxQueuedRows) {
      this.paused = true;
      this.zongji.connection?.pause();
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function rowsOf(item: StreamItem): number {
  return item.kind === 'txn' ? item.events.reduce((n, e) => n + e.rows.length, 0) : 0;
}
