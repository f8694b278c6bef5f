import type { KeyTuple } from './snapshot-plan';
import type { TableProgress } from './snapshot-state';

/**
 * Incremental (re-)snapshots while streaming continues (Debezium's / DBLog's way), the
 * database-independent part:
 *
 * - `IncrementalSnapshotState`: which tables are still to be read (with an optional
 *   filter each), and for the current one the last key emitted and the largest key at the
 *   time its reading started. It is stored in the source offset of the records (JSON via
 *   `toJson`/`fromJson`), so a restart resumes after the last chunk whose records the
 *   broker committed, never from the table's start.
 * - `SnapshotWindow`: one chunk between a low and a high watermark written to the
 *   database's change stream. The connector opens the window (low watermark), reads the
 *   chunk into the window (`load`), and closes it (high watermark). Every streamed change
 *   of the table between the two watermarks (in stream order) removes its key from the
 *   window (`streamed`): the stream already carries a newer state of that row. At the high
 *   watermark `close` returns the surviving rows, emitted there, in stream order, so a
 *   chunk row never overwrites a newer streamed change.
 *
 * Contracts: keys are the server's text values of the key columns (`keyString` makes the
 * map key). The state only moves forward at `chunkEmitted` (called where the chunk's
 * records go out), so the offset of those records says exactly where to resume.
 */
export interface IncrementalTable {
  readonly table: string;
  /** Extra SQL condition on the rows (Debezium's additional-conditions), or null. */
  readonly filter: string | null;
}

export interface IncrementalSnapshotJson {
  readonly tables: readonly IncrementalTable[];
  readonly last_key: KeyTuple | null;
  readonly max_key: KeyTuple | null;
  readonly rows: number;
  /** Rows of the current table when its reading started (count or estimate; absent: unknown). */
  readonly total?: number;
  /** Tables of this run already read, with their rows (for progress). */
  readonly finished?: readonly { readonly table: string; readonly rows: number }[];
}

export function keyString(key: readonly (string | null)[]): string {
  return JSON.stringify(key);
}

export class IncrementalSnapshotState {
  private tables: IncrementalTable[];
  private lastKey: KeyTuple | null;
  private maxKey: KeyTuple | null;
  private rowsOfTable: number;
  private total: number;
  private finished: { table: string; rows: number }[];

  constructor(json?: IncrementalSnapshotJson) {
    this.tables = [...(json?.tables ?? [])];
    this.lastKey = json?.last_key ?? null;
    this.maxKey = json?.max_key ?? null;
    this.rowsOfTable = json?.rows ?? 0;
    this.total = json?.total ?? 0;
    this.finished = (json?.finished ?? []).map((f) => ({ ...f }));
  }

  /** The state stored in an offset; throws naming what is wrong. */
  static fromJson(raw: unknown): IncrementalSnapshotState {
    const o = (typeof raw === 'object' && raw !== null ? raw : null) as Record<string, unknown> | null;
    const isKey = (k: unknown): boolean => k === null || (Array.isArray(k) && k.every((v) => v === null || typeof v === 'string'));
    if (o === null || !Array.isArray(o['tables']) || !isKey(o['last_key'] ?? null) || !isKey(o['max_key'] ?? null)) {
      throw new Error(`the stored incremental snapshot state is not valid: ${JSON.stringify(raw)?.slice(0, 200)}`);
    }
    const tables = (o['tables'] as unknown[]).map((t) => {
      const e = (t ?? {}) as Record<string, unknown>;
      if (typeof e['table'] !== 'string') throw new Error(`the stored incremental snapshot state is not valid: table ${JSON.stringify(t)}`);
      return { table: e['table'], filter: typeof e['filter'] === 'string' ? e['filter'] : null };
    });
    const finished = Array.isArray(o['finished']) ? (o['finished'] as { table?: unknown; rows?: unknown }[]).filter((f) => typeof f?.table === 'string').map((f) => ({ table: String(f.table), rows: Number(f.rows ?? 0) })) : [];
    return new IncrementalSnapshotState({ tables, last_key: (o['last_key'] ?? null) as KeyTuple | null, max_key: (o['max_key'] ?? null) as KeyTuple | null, rows: Number(o['rows'] ?? 0), total: Number(o['total'] ?? 0), finished });
  }

  toJson(): IncrementalSnapshotJson {
    return { tables: this.tables.map((t) => ({ ...t })), last_key: this.lastKey, max_key: this.maxKey, rows: this.rowsOfTable, total: this.total, finished: this.finished.map((f) => ({ ...f })) };
  }

  /**
   * Rows done / total per table of this run (kind 'incremental'): the tables read, the
   * current one (total counted when its reading started), the queued ones (0 / 0).
   */
  progress(): TableProgress[] {
    const out: TableProgress[] = this.finished.map((f) => ({ table: f.table, rowsDone: f.rows, estimatedRows: f.rows, chunksDone: 0, chunks: 0, kind: 'incremental' as const }));
    this.tables.forEach((t, i) => out.push({ table: t.table, rowsDone: i === 0 ? this.rowsOfTable : 0, estimatedRows: i === 0 ? this.total : 0, chunksDone: 0, chunks: 0, kind: 'incremental' }));
    return out;
  }

  /** The progress as a status line, e.g. "incremental snapshot: public.items 7000/20000 rows (35%); queued: public.orders". */
  describe(): string {
    const c = this.current;
    if (c === null) return 'incremental snapshot completed';
    const pct = this.total > 0 ? ` (${Math.min(100, Math.floor((100 * c.rows) / this.total))}%)` : '';
    const queued = this.tables.slice(1).map((t) => t.table);
    return `incremental snapshot: ${c.table} ${c.rows}/${this.total > 0 ? this.total : '?'} rows${pct}${this.finished.length > 0 ? `; done: ${this.finished.map((f) => `${f.table} ${f.rows} rows`).join(', ')}` : ''}${queued.length > 0 ? `; queued: ${queued.join(', ')}` : ''}`;
  }

  get active(): boolean {
    return this.tables.length > 0;
  }

  /** The table being read, with where it stands. */
  get current(): (IncrementalTable & { readonly lastKey: KeyTuple | null; readonly maxKey: KeyTuple | null; readonly rows: number }) | null {
    const t = this.tables[0];
    return t === undefined ? null : { ...t, lastKey: this.lastKey, maxKey: this.maxKey, rows: this.rowsOfTable };
  }

  get remaining(): readonly IncrementalTable[] {
    return this.tables;
  }

  /** Queues tables (a table already queued gets the new filter; one being read restarts only if it was not queued). */
  add(tables: readonly string[], filters: ReadonlyMap<string, string>): void {
    if (this.tables.length === 0) this.finished = [];
    for (const table of tables) {
      const filter = filters.get(table) ?? null;
      const at = this.tables.findIndex((t) => t.table === table);
      if (at > 0) this.tables[at] = { table, filter };
      else if (at < 0) this.tables.push({ table, filter });
    }
  }

  /** Drops the named tables (null: all); returns true when the current table was dropped. */
  stop(tables: readonly string[] | null): boolean {
    const current = this.tables[0]?.table;
    this.tables = tables === null ? [] : this.tables.filter((t) => !tables.includes(t.table));
    const dropped = current !== undefined && this.tables[0]?.table !== current;
    if (dropped) this.resetTable();
    return dropped;
  }

  /** The largest key of the current table when its reading starts (null: the table is empty, it is done). */
  setMaxKey(key: KeyTuple | null, estimatedRows = 0): void {
    if (key === null) this.nextTable();
    else {
      this.maxKey = key;
      this.total = estimatedRows;
    }
  }

  /**
   * A chunk went out: `lastKey` is the largest key read (null: none read), `read` the
   * rows read, `emitted` those emitted. The table is done when the chunk was short or
   * reached the max key; `compare` orders two keys (the database's order).
   */
  chunkEmitted(lastKey: KeyTuple | null, read: number, emitted: number, chunkSize: number, compare: (a: KeyTuple, b: KeyTuple) => number): { tableDone: string | null } {
    const table = this.tables[0]?.table ?? null;
    this.rowsOfTable += emitted;
    if (lastKey !== null) this.lastKey = lastKey;
    const reachedMax = this.maxKey !== null && this.lastKey !== null && compare(this.lastKey, this.maxKey) >= 0;
    if (read < chunkSize || reachedMax || lastKey === null) {
      this.nextTable();
      return { tableDone: table };
    }
    return { tableDone: null };
  }

  private nextTable(): void {
    const done = this.tables.shift();
    if (done !== undefined) this.finished.push({ table: done.table, rows: this.rowsOfTable });
    this.resetTable();
  }

  private resetTable(): void {
    this.lastKey = null;
    this.maxKey = null;
    this.rowsOfTable = 0;
    this.total = 0;
  }
}

/** One watermark window: see the file's notes. */
export class SnapshotWindow<Row> {
  private opened = false;
  private rows: Map<string, Row> | null = null;
  private readonly removed = new Set<string>();
  private lastKeyRead: KeyTuple | null = null;
  private rowsRead = 0;
  private emptied = false;

  constructor(
    readonly id: string,
    readonly table: string,
  ) {}

  /** The low watermark reached the stream. */
  open(): void {
    this.opened = true;
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** The chunk as read, in key order, each row with its key. */
  load(rows: readonly { key: KeyTuple; row: Row }[]): void {
    this.rows = new Map(rows.map((r) => [keyString(r.key), r.row]));
    this.rowsRead = rows.length;
    this.lastKeyRead = rows.length > 0 ? rows[rows.length - 1].key : null;
    for (const k of this.removed) this.rows.delete(k);
    if (this.emptied) this.rows.clear();
  }

  get loaded(): boolean {
    return this.rows !== null;
  }

  /** A streamed change of `table` with this key (both keys when an update changed it). */
  streamed(table: string, key: readonly (string | null)[]): void {
    if (!this.opened || table !== this.table) return;
    const k = keyString(key);
    this.removed.add(k);
    this.rows?.delete(k);
  }

  /** `table` was truncated in the stream inside the window: no chunk row survives. */
  truncated(table: string): void {
    if (!this.opened || table !== this.table) return;
    this.emptied = true;
    this.rows?.clear();
  }

  /** The high watermark reached the stream: the rows to emit, in key order, and what was read. */
  close(): { rows: Row[]; read: number; lastKey: KeyTuple | null; dropped: number } {
    const rows = [...(this.rows ?? new Map<string, Row>()).values()];
    return { rows, read: this.rowsRead, lastKey: this.lastKeyRead, dropped: this.rowsRead - rows.length };
  }
}
