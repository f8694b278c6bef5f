import { randomUUID } from 'node:crypto';
import {
  changeRecord,
  IncrementalSnapshotState,
  keyString,
  matchCollections,
  parseSignal,
  SignalError,
  SnapshotWindow,
  type KeyTuple,
  type TableProgress,
} from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { Client } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { decodeRow, sourcePartition, type RowText } from './change-events';
import { parseLsn } from './lsn';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, type PostgresCdcConfig } from './postgres-cdc-config';
import { estimateRows, largestKey, RAW_TEXT, readKeyRange } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import type { TableModel } from './table-catalog';

/**
 * Incremental snapshots of the Postgres CDC source while it streams (Debezium's signals,
 * DBLog's watermarks; the bookkeeping is `@millrace/cdc-snapshot`'s).
 *
 * - Signals: an insert into the signal table (`signal.data.collection`, columns id, type,
 *   data) or a transactional logical message with prefix SIGNAL_MESSAGE_PREFIX (what
 *   `POST /connectors/{c}/snapshots` writes) carrying `{id, type, data}`. Both are read
 *   from the stream, so a signal takes effect in stream order and is durable in the WAL.
 *   A bad signal is logged (naming the field) and ignored; the task never fails for it.
 * - Chunks: for the table at the head of the state, `incremental.snapshot.chunk.size`
 *   rows after the last emitted key, up to the largest key when the table's reading
 *   started, in key order, read on the snapshotter's own connection (READ COMMITTED)
 *   between two transactional logical messages (WATERMARK_PREFIX, `{id, type: open|close}`).
 *   Changes streamed between them remove their keys from the chunk; at the close message
 *   the rest goes out as `r` records (source.snapshot = "incremental") inside that
 *   transaction, so they follow every older change and precede every newer one.
 * - Durability: `commitTag` puts the state into the source offset of each transaction
 *   (`incremental_snapshot`), and asks to hand out a transaction whose only effect was a
 *   state change (a signal), so the slot never passes it before the state is stored.
 *   After a restart markers of earlier windows are ignored (unknown ids); reading
 *   resumes after the last chunk the broker committed.
 * - Tables without a primary key cannot be read incrementally (warned, skipped).
 */
export const WATERMARK_PREFIX = 'millrace.incremental-snapshot';
export const SIGNAL_MESSAGE_PREFIX = 'millrace.signal';
export const OFFSET_KEY = 'incremental_snapshot';

export interface IncrementalSnapshotterOptions {
  readonly config: PostgresCdcConfig;
  readonly models: ReadonlyMap<string, TableModel>;
  readonly state: IncrementalSnapshotState;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  readonly sourceBlock: (model: TableModel, at: Pick<SourceBlock, 'snapshot' | 'lsn' | 'txId' | 'ts_ms' | 'sequence'>) => SourceBlock;
  /** The progress as the task's status (null: none running). */
  readonly reportStatus?: (message: string | null) => void;
}

interface StreamAt {
  readonly xid: number;
  readonly lsn: string;
  readonly commitTimeMs: number;
}

export class IncrementalSnapshotter {
  private state: IncrementalSnapshotState;
  private window: SnapshotWindow<RowText> | null = null;
  private db: Client | null = null;
  private pumping = false;
  private stopped = false;
  private changed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly opts: IncrementalSnapshotterOptions) {
    this.state = opts.state;
  }

  /** Starts (or resumes) reading chunks when tables are queued. */
  start(): void {
    if (this.state.active) {
      const c = this.state.current;
      this.opts.logger?.info(`postgres-cdc: incremental snapshot resumes: ${this.state.remaining.map((t) => t.table).join(', ')} (${c?.table} after key ${JSON.stringify(c?.lastKey)})`);
      this.opts.reportStatus?.(this.state.describe());
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.db?.end().catch(() => undefined);
    this.db = null;
  }

  get active(): boolean {
    return this.state.active;
  }

  /** Rows done / total per table of the current (or last) incremental snapshot, as handed out. */
  progress(): TableProgress[] {
    return this.state.progress();
  }

  /**
   * The stream restarts after the transaction whose offset fields are `offsetExtra`
   * (a reconnect): the state goes back to what that offset says, the open window is
   * dropped (its markers are decoded again, now unknown), and reading goes on from there.
   */
  resetTo(offsetExtra: Readonly<Record<string, unknown>> | undefined): void {
    const stored = offsetExtra?.[OFFSET_KEY];
    this.state = stored === undefined ? new IncrementalSnapshotState() : IncrementalSnapshotState.fromJson(stored);
    this.window = null;
    this.changed = false;
    this.schedule(0);
  }

  /** A row inserted into the signal table. */
  onSignalRow(row: RowText): void {
    this.applySignal(String(row['id'] ?? ''), String(row['type'] ?? ''), row['data'] ?? null);
  }

  /** A streamed change of a captured table: its keys leave the open window. */
  onChange(model: TableModel, keys: readonly (readonly (string | null)[])[]): void {
    if (this.window === null) return;
    for (const k of keys) this.window.streamed(model.qualified, k);
  }

  /** A TRUNCATE of a captured table in the stream. */
  onTruncate(model: TableModel): void {
    this.window?.truncated(model.qualified);
  }

  /** A logical message in the stream: a watermark (returns the chunk's records at the close) or a signal. */
  onMessage(message: Pgoutput.MessageMessage, at: StreamAt): SourceRecord[] {
    if (message.prefix !== WATERMARK_PREFIX && message.prefix !== SIGNAL_MESSAGE_PREFIX) return [];
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(message.content).toString('utf8')) as Record<string, unknown>;
    } catch {
      this.opts.logger?.warn(`postgres-cdc: ignoring a logical message "${message.prefix}" that is not JSON`);
      return [];
    }
    if (message.prefix === SIGNAL_MESSAGE_PREFIX) {
      this.applySignal(String(body['id'] ?? ''), String(body['type'] ?? ''), typeof body['data'] === 'string' ? body['data'] : JSON.stringify(body['data'] ?? {}));
      return [];
    }
    const window = this.window;
    if (window === null || body['id'] !== window.id) return [];
    if (body['type'] === 'open') {
      window.open();
      return [];
    }
    if (body['type'] !== 'close' || !window.isOpen || !window.loaded) return [];
    return this.closeWindow(window, at);
  }

  /** Offset fields as of the transaction just committed; `keep` when a signal changed the state. */
  commitTag(): { offsetExtra: Readonly<Record<string, unknown>>; keep: boolean } {
    const keep = this.changed;
    this.changed = false;
    return { offsetExtra: this.state.active ? { [OFFSET_KEY]: this.state.toJson() } : {}, keep };
  }

  private closeWindow(window: SnapshotWindow<RowText>, at: StreamAt): SourceRecord[] {
    const config = this.opts.config;
    const model = this.opts.models.get(window.table);
    const { rows, read, lastKey, dropped } = window.close();
    this.window = null;
    const out: SourceRecord[] = [];
    if (model) {
      const source = this.opts.sourceBlock(model, { snapshot: 'incremental', lsn: Number(parseLsn(at.lsn)), txId: at.xid, ts_ms: at.commitTimeMs, sequence: null });
      const position = { partition: sourcePartition(config.topicPrefix), offset: {} };
      for (const row of rows) out.push(changeRecord(model, 'r', null, decodeRow(model, row), source, position));
    }
    const same = (a: KeyTuple, b: KeyTuple): number => (keyString(a) === keyString(b) ? 0 : -1);
    const rowsBefore = this.state.current?.rows ?? 0;
    const { tableDone } = this.state.chunkEmitted(lastKey, read, rows.length, config.incrementalSnapshotChunkSize, same);
    this.changed = true;
    if (dropped > 0) this.opts.logger?.info(`postgres-cdc: incremental snapshot of ${window.table}: ${dropped} chunk row(s) changed in the stream meanwhile, not emitted`);
    if (tableDone !== null) this.opts.logger?.info(`postgres-cdc: incremental snapshot of ${tableDone} completed (${rowsBefore + rows.length} rows)`);
    if (!this.state.active && tableDone !== null) this.opts.logger?.info('postgres-cdc: incremental snapshot completed');
    this.opts.reportStatus?.(this.state.active ? this.state.describe() : null);
    this.schedule(0);
    return out;
  }

  private applySignal(id: string, type: string, data: string | null): void {
    let signal;
    try {
      signal = parseSignal(id, type, data);
    } catch (err) {
      if (err instanceof SignalError) {
        this.opts.logger?.warn(`postgres-cdc: ignoring ${err.message}`);
        return;
      }
      throw err;
    }
    const captured = [...this.opts.models.keys()];
    if (signal.kind === 'other') {
      this.opts.logger?.warn(`postgres-cdc: ignoring signal ${id}: type "${type}" is not supported (execute-snapshot, stop-snapshot)`);
      return;
    }
    if (signal.kind === 'stop-snapshot') {
      const tables = signal.dataCollections === null ? null : matchCollections(signal.dataCollections, captured);
      if (this.state.stop(tables)) this.window = null;
      this.changed = true;
      this.opts.logger?.info(`postgres-cdc: signal ${id}: incremental snapshot stopped for ${tables === null ? 'every table' : tables.join(', ') || 'no table'}`);
      return;
    }
    const tables = matchCollections(signal.dataCollections, captured);
    const unkeyed = tables.filter((t) => (this.opts.models.get(t)?.keyColumns.length ?? 0) === 0);
    if (unkeyed.length > 0) this.opts.logger?.warn(`postgres-cdc: signal ${id}: ${unkeyed.join(', ')} ha(s) no primary key and cannot be snapshotted incrementally`);
    const keyed = tables.filter((t) => !unkeyed.includes(t));
    if (keyed.length === 0) {
      this.opts.logger?.warn(`postgres-cdc: signal ${id}: data-collections ${JSON.stringify(signal.dataCollections)} match no captured table with a primary key; nothing to snapshot`);
      return;
    }
    this.state.add(keyed, signal.additionalConditions);
    this.changed = true;
    this.opts.logger?.info(`postgres-cdc: signal ${id}: incremental snapshot of ${keyed.join(', ')} requested (chunks of ${this.opts.config.incrementalSnapshotChunkSize} rows)`);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.retry !== null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.pump();
    }, ms);
  }

  /** Opens the next window when none is open: low watermark, chunk read, high watermark. */
  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.window === null && this.state.active) {
        const current = this.state.current;
        if (current === null) return;
        const model = this.opts.models.get(current.table);
        if (!model || model.keyColumns.length === 0) {
          this.opts.logger?.warn(`postgres-cdc: incremental snapshot: ${current.table} is not captured or has no primary key; skipped`);
          this.state.stop([current.table]);
          this.changed = true;
          continue;
        }
        const db = await this.connection();
        if (current.maxKey === null) {
          const max = await largestKey(db, model, current.filter);
          this.state.setMaxKey(max, max === null ? 0 : await estimateRows(db, model, current.filter));
          this.changed = true;
          if (max === null) this.opts.logger?.info(`postgres-cdc: incremental snapshot of ${current.table}: no rows`);
          continue;
        }
        const window = new SnapshotWindow<RowText>(randomUUID(), current.table);
        this.window = window;
        await this.watermark(db, window.id, 'open');
        window.load(await readKeyRange(db, model, current.lastKey, current.maxKey, current.filter, this.opts.config.incrementalSnapshotChunkSize));
        await this.watermark(db, window.id, 'close');
        return;
      }
    } catch (err) {
      if (this.stopped) return;
      this.window = null;
      this.opts.logger?.warn(`postgres-cdc: incremental snapshot chunk failed (${(err as Error).message}); retrying in 5 s`);
      await this.db?.end().catch(() => undefined);
      this.db = null;
      this.schedule(5000);
    } finally {
      this.pumping = false;
      // a window closed in the stream while this pump was finishing
      if (!this.stopped && this.window === null && this.state.active && this.retry === null) this.schedule(0);
    }
  }

  private async watermark(db: Client, id: string, type: 'open' | 'close'): Promise<void> {
    await db.query('SELECT pg_logical_emit_message(true, $1, $2)', [WATERMARK_PREFIX, JSON.stringify({ id, type })]);
  }

  private async connection(): Promise<Client> {
    if (this.db) return this.db;
    const db = new Client({ ...clientOptions(this.opts.config, 'millrace-cdc-incremental'), options: SESSION_OPTIONS, types: RAW_TEXT });
    db.on('error', () => undefined);
    await db.connect();
    this.db = db;
    return db;
  }
}

/** The keys a streamed change touches (the new row's, and the old one's when sent). */
export function changedKeys(model: TableModel, message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete): (string | null)[][] {
  const rows: (RowText | null | undefined)[] = message.tag === 'insert' ? [message.new as RowText] : message.tag === 'update' ? [message.new as RowText, (message.old ?? message.key) as RowText | null] : [(message.old ?? message.key) as RowText | null];
  const out: (string | null)[][] = [];
  for (const row of rows) if (row) out.push(model.keyColumns.map((k) => (row[k] === undefined || row[k] === null ? null : String(row[k]))));
  return out;
}
