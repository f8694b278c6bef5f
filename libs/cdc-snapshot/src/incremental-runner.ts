import { randomUUID } from 'node:crypto';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { IncrementalSnapshotState, keyString, SnapshotWindow } from './incremental-snapshot';
import type { KeyTuple } from './snapshot-plan';
import { matchCollections, parseSignal, SignalError } from './snapshot-signal';
import type { TableProgress } from './snapshot-state';

/**
 * Incremental snapshots while a CDC source streams, for any database (Debezium's signals,
 * DBLog's watermarks): the connector gives how to read (IncrementalReader: largest key,
 * row estimate, a key range, and writing a watermark into its change stream) and how to
 * make records; this class owns the signals, the windows, the state and the progress.
 *
 * - Signals (`signal`): execute-snapshot queues tables (matched against the captured ones;
 *   tables without a key are skipped with a warning), stop-snapshot drops them; a bad
 *   signal is logged naming the field and ignored (the task never fails for it).
 * - Chunks: for the table at the head of the state, `chunkSize` rows after the last
 *   emitted key, up to the largest key when the table's reading started, read between an
 *   `open` and a `close` watermark written by the reader. The connector reports each
 *   watermark as it comes back in the stream (`onWatermark`) and every streamed change's
 *   keys (`onChange`); at the close the surviving rows are returned as records to be
 *   emitted at that point of the stream, so they follow every older change and precede
 *   every newer one.
 * - Durability: `commitTag()` gives the state to store in the offset of the transaction
 *   just handed out, and whether that transaction must be handed out for the state alone
 *   (a signal); markers of earlier windows are ignored after a restart (unknown ids).
 * - Progress: `progress()` (rows done / total per table) and the status line.
 */
export interface IncrementalReader<Row> {
  largestKey(table: string, filter: string | null): Promise<KeyTuple | null>;
  estimateRows(table: string, filter: string | null): Promise<number>;
  readKeyRange(table: string, after: KeyTuple | null, upTo: KeyTuple, filter: string | null, limit: number): Promise<{ key: KeyTuple; row: Row }[]>;
  watermark(id: string, type: 'open' | 'close'): Promise<void>;
  close(): Promise<void>;
}

export interface IncrementalRunnerOptions<Row, At> {
  readonly state: IncrementalSnapshotState;
  readonly chunkSize: number;
  /** Log prefix, e.g. "postgres-cdc". */
  readonly name: string;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  readonly reportStatus?: (message: string | null) => void;
  /** The captured tables, each with whether it has a primary key. */
  readonly tables: () => ReadonlyMap<string, boolean>;
  readonly openReader: () => Promise<IncrementalReader<Row>>;
  /** The records of a closed window's rows of `table`, at the stream position `at`. */
  readonly toRecords: (table: string, rows: readonly Row[], at: At) => SourceRecord[];
}

export class IncrementalSnapshotRunner<Row, At> {
  private state: IncrementalSnapshotState;
  private window: SnapshotWindow<Row> | null = null;
  private reader: IncrementalReader<Row> | null = null;
  private pumping = false;
  private stopped = false;
  private changed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly opts: IncrementalRunnerOptions<Row, At>) {
    this.state = opts.state;
  }

  /** Starts (or resumes) reading chunks when tables are queued. */
  start(): void {
    if (this.state.active) {
      const c = this.state.current;
      this.opts.logger?.info(`${this.opts.name}: incremental snapshot resumes: ${this.state.remaining.map((t) => t.table).join(', ')} (${c?.table} after key ${JSON.stringify(c?.lastKey)})`);
      this.opts.reportStatus?.(this.state.describe());
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.reader?.close().catch(() => undefined);
    this.reader = null;
  }

  get active(): boolean {
    return this.state.active;
  }

  progress(): TableProgress[] {
    return this.state.progress();
  }

  /** The stream restarts after a transaction whose stored state is `stored` (undefined: none): back to it, the open window dropped. */
  resetTo(stored: unknown): void {
    this.state = stored === undefined ? new IncrementalSnapshotState() : IncrementalSnapshotState.fromJson(stored);
    this.window = null;
    this.changed = false;
    this.schedule(0);
  }

  /** A streamed change of a captured table: its keys leave the open window. */
  onChange(table: string, keys: readonly (readonly (string | null)[])[]): void {
    if (this.window === null) return;
    for (const k of keys) this.window.streamed(table, k);
  }

  onTruncate(table: string): void {
    this.window?.truncated(table);
  }

  /** A watermark came back in the stream; at the close: the chunk's records to emit here. */
  onWatermark(id: string, type: string, at: At): SourceRecord[] {
    const window = this.window;
    if (window === null || id !== window.id) return [];
    if (type === 'open') {
      window.open();
      return [];
    }
    if (type !== 'close' || !window.isOpen || !window.loaded) return [];
    return this.closeWindow(window, at);
  }

  /** The state to store with the transaction just handed out (null: none running); `keep` when a signal changed it. */
  commitTag(): { state: ReturnType<IncrementalSnapshotState['toJson']> | null; keep: boolean } {
    const keep = this.changed;
    this.changed = false;
    return { state: this.state.active ? this.state.toJson() : null, keep };
  }

  /** A signal (Debezium's id, type, data). */
  signal(id: string, type: string, data: string | null): void {
    const { name, logger } = this.opts;
    let signal;
    try {
      signal = parseSignal(id, type, data);
    } catch (err) {
      if (err instanceof SignalError) {
        logger?.warn(`${name}: ignoring ${err.message}`);
        return;
      }
      throw err;
    }
    const tables = this.opts.tables();
    const captured = [...tables.keys()];
    if (signal.kind === 'other') {
      logger?.warn(`${name}: ignoring signal ${id}: type "${type}" is not supported (execute-snapshot, stop-snapshot)`);
      return;
    }
    if (signal.kind === 'stop-snapshot') {
      const stop = signal.dataCollections === null ? null : matchCollections(signal.dataCollections, captured);
      if (this.state.stop(stop)) this.window = null;
      this.changed = true;
      logger?.info(`${name}: signal ${id}: incremental snapshot stopped for ${stop === null ? 'every table' : stop.join(', ') || 'no table'}`);
      if (!this.state.active) this.opts.reportStatus?.(null);
      return;
    }
    const matched = matchCollections(signal.dataCollections, captured);
    const unkeyed = matched.filter((t) => tables.get(t) !== true);
    if (unkeyed.length > 0) logger?.warn(`${name}: signal ${id}: ${unkeyed.join(', ')} ha(s) no primary key and cannot be snapshotted incrementally`);
    const keyed = matched.filter((t) => !unkeyed.includes(t));
    if (keyed.length === 0) {
      logger?.warn(`${name}: signal ${id}: data-collections ${JSON.stringify(signal.dataCollections)} match no captured table with a primary key; nothing to snapshot`);
      return;
    }
    this.state.add(keyed, signal.additionalConditions);
    this.changed = true;
    logger?.info(`${name}: signal ${id}: incremental snapshot of ${keyed.join(', ')} requested (chunks of ${this.opts.chunkSize} rows)`);
    this.schedule(0);
  }

  private closeWindow(window: SnapshotWindow<Row>, at: At): SourceRecord[] {
    const { name, logger } = this.opts;
    const { rows, read, lastKey, dropped } = window.close();
    this.window = null;
    const out = this.opts.tables().has(window.table) ? this.opts.toRecords(window.table, rows, at) : [];
    const same = (a: KeyTuple, b: KeyTuple): number => (keyString(a) === keyString(b) ? 0 : -1);
    const rowsBefore = this.state.current?.rows ?? 0;
    const { tableDone } = this.state.chunkEmitted(lastKey, read, rows.length, this.opts.chunkSize, same);
    this.changed = true;
    if (dropped > 0) logger?.info(`${name}: incremental snapshot of ${window.table}: ${dropped} chunk row(s) changed in the stream meanwhile, not emitted`);
    if (tableDone !== null) logger?.info(`${name}: incremental snapshot of ${tableDone} completed (${rowsBefore + rows.length} rows)`);
    if (!this.state.active && tableDone !== null) logger?.info(`${name}: incremental snapshot completed`);
    this.opts.reportStatus?.(this.state.active ? this.state.describe() : null);
    this.schedule(0);
    return out;
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
    const { name, logger } = this.opts;
    try {
      while (!this.stopped && this.window === null && this.state.active) {
        const current = this.state.current;
        if (current === null) return;
        if (this.opts.tables().get(current.table) !== true) {
          logger?.warn(`${name}: incremental snapshot: ${current.table} is not captured or has no primary key; skipped`);
          this.state.stop([current.table]);
          this.changed = true;
          continue;
        }
        const reader = this.reader ?? (this.reader = await this.opts.openReader());
        if (current.maxKey === null) {
          const max = await reader.largestKey(current.table, current.filter);
          this.state.setMaxKey(max, max === null ? 0 : await reader.estimateRows(current.table, current.filter));
          this.changed = true;
          if (max === null) logger?.info(`${name}: incremental snapshot of ${current.table}: no rows`);
          continue;
        }
        const window = new SnapshotWindow<Row>(randomUUID(), current.table);
        this.window = window;
        await reader.watermark(window.id, 'open');
        window.load(await reader.readKeyRange(current.table, current.lastKey, current.maxKey, current.filter, this.opts.chunkSize));
        await reader.watermark(window.id, 'close');
        return;
      }
    } catch (err) {
      if (this.stopped) return;
      this.window = null;
      logger?.warn(`${name}: incremental snapshot chunk failed (${(err as Error).message}); retrying in 5 s`);
      await this.reader?.close().catch(() => undefined);
      this.reader = null;
      this.schedule(5000);
    } finally {
      this.pumping = false;
      // a window closed in the stream while this pump was finishing
      if (!this.stopped && this.window === null && this.state.active && this.retry === null) this.schedule(0);
    }
  }
}
