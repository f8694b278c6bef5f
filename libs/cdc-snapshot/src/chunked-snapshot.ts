import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import type { ChunkQueue } from './chunk-queue';
import { InProcessChunkQueue } from './in-process-chunk-queue';
import type { KeyTuple, SnapshotChunk } from './snapshot-plan';
import { describeProgress, SnapshotProgressMeter } from './snapshot-progress';
import type { PendingChunk, SnapshotState } from './snapshot-state';

/**
 * Runs the chunks of a snapshot through a ChunkQueue (`threads` workers) and turns the
 * pages they read into records, for any CDC source: the connector supplies how a chunk
 * is read (`readChunk`), how rows become records (`toRecords`) and the offset shape
 * (`offset`). (Same API as the ChunkedSnapshot the Postgres connector's branch adds.)
 *
 * Contracts:
 * - Workers put pages and "chunk done" markers into a bounded buffer (`maxBufferedRows`);
 *   `take` drains it in order and applies each page/marker to the SnapshotState, so the
 *   state given to `toRecords` with a batch describes exactly the records handed out so
 *   far: a chunk is done in the offset only with (or after) its last records.
 * - A failed chunk attempt is retried (3 attempts) from the last key it buffered, so a
 *   retry adds no duplicate rows; a keyless chunk that fails after buffering rows, or a
 *   chunk failing every attempt, fails the snapshot (`take` throws).
 * - `finished` once every chunk was read and the buffer is drained.
 * - Progress (describeProgress) is reported every second, and logged every
 *   `progressIntervalMs`.
 */
export interface ChunkRows<Row> {
  readonly rows: readonly Row[];
  /** Key of the last row (null for keyless tables). */
  readonly lastKey: KeyTuple | null;
}

export interface ChunkedSnapshotOptions<Row> {
  readonly state: SnapshotState;
  readonly threads: number;
  readonly maxBufferedRows: number;
  /** Reads `chunk` from after `resumeAfter` (null: from its lower bound), page by page; `onPage` applies back-pressure. */
  readonly readChunk: (chunk: SnapshotChunk, resumeAfter: KeyTuple | null, onPage: (page: ChunkRows<Row>) => Promise<void>, signal: AbortSignal) => Promise<void>;
  /** Whether a table has a key (chunks of keyless tables cannot resume inside themselves). */
  readonly hasKey: (table: string) => boolean;
  /** The records of rows of `table`, all with `offset` as their source offset. */
  readonly toRecords: (table: string, rows: readonly Row[], offset: Readonly<Record<string, unknown>>) => SourceRecord[];
  /** The source offset describing `state` (the connector's offset shape). */
  readonly offset: (state: SnapshotState) => Readonly<Record<string, unknown>>;
  /** The queue the chunks run through (default: an InProcessChunkQueue). */
  readonly queue?: ChunkQueue<PendingChunk>;
  /** Attempts per chunk (default 3) and the wait before the 2nd (default 1000 ms, doubling). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly logger: ConnectorLogger;
  readonly reportStatus: (message: string | null) => void;
  readonly progressIntervalMs: number;
}

type BufferItem<Row> = { kind: 'rows'; chunk: SnapshotChunk; rows: readonly Row[]; lastKey: KeyTuple | null } | { kind: 'done'; chunk: SnapshotChunk };

export class ChunkedSnapshot<Row> {
  private readonly queue: ChunkQueue<PendingChunk>;
  private readonly buffer: BufferItem<Row>[] = [];
  private bufferedRows = 0;
  private readAll = false;
  private error: unknown = null;
  private spaceWaiters: (() => void)[] = [];
  private dataWaiters: (() => void)[] = [];
  /** Last key a chunk buffered (a retry resumes after it). */
  private readonly buffered = new Map<string, KeyTuple | null>();
  private readonly meter: SnapshotProgressMeter;
  private progressTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ChunkedSnapshotOptions<Row>) {
    this.queue = opts.queue ?? new InProcessChunkQueue<PendingChunk>();
    this.meter = new SnapshotProgressMeter(opts.state.progress().reduce((n, t) => n + t.rowsDone, 0));
  }

  start(): void {
    const { state, logger } = this.opts;
    const attempts = this.opts.attempts ?? 3;
    this.queue.process((job, ctx) => this.readJob(job.data, ctx.signal), {
      concurrency: this.opts.threads,
      attempts,
      backoffMs: this.opts.backoffMs ?? 1000,
      onAttemptFailed: (job, attempt, err) => logger.warn(`snapshot chunk ${job.id} failed (attempt ${attempt}/${attempts}): ${(err as Error)?.message ?? String(err)}`),
    });
    this.queue.add(state.pending().map((p) => ({ id: p.chunk.id, data: p })));
    this.queue.drained().then(
      () => {
        this.readAll = true;
        this.wakeData();
      },
      (err: unknown) => {
        this.error = err;
        this.wakeData();
      },
    );
    let ticks = 0;
    const every = Math.max(1, Math.round(this.opts.progressIntervalMs / 1000));
    this.progressTimer = setInterval(() => this.reportProgress(++ticks % every === 0), 1000);
    this.progressTimer.unref();
    this.reportProgress(true);
  }

  get finished(): boolean {
    return this.readAll && this.buffer.length === 0;
  }

  /** Up to `maxRecords` rows' records (whole pages; at least one page when any is buffered). */
  take(maxRecords: number): SourceRecord[] {
    if (this.error !== null) throw this.error instanceof Error ? this.error : new Error(String(this.error));
    const { state } = this.opts;
    const pages: { chunk: SnapshotChunk; rows: readonly Row[] }[] = [];
    let rows = 0;
    while (this.buffer.length > 0 && (rows === 0 || rows + rowsOf(this.buffer[0]) <= maxRecords)) {
      const item = this.buffer.shift() as BufferItem<Row>;
      if (item.kind === 'done') {
        state.markDone(item.chunk);
        continue;
      }
      this.bufferedRows -= item.rows.length;
      rows += item.rows.length;
      state.markRows(item.chunk, item.rows.length, item.lastKey);
      pages.push({ chunk: item.chunk, rows: item.rows });
    }
    // markers right behind the last page belong to this batch: its offset then says so
    while (this.buffer[0]?.kind === 'done') state.markDone((this.buffer.shift() as BufferItem<Row>).chunk);
    for (const w of this.spaceWaiters.splice(0)) w();
    if (pages.length === 0) return [];
    const offset = this.opts.offset(state);
    return pages.flatMap((p) => this.opts.toRecords(p.chunk.table, p.rows, offset));
  }

  /** Resolves when something can be taken, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    if (this.buffer.length > 0 || this.readAll || this.error !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.dataWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (this.progressTimer) clearInterval(this.progressTimer);
    for (const w of this.spaceWaiters.splice(0)) w();
    await this.queue.close();
  }

  /** The snapshot's progress as the task's status line, and (when `log`) as a log line. */
  reportProgress(log: boolean): void {
    const tables = this.opts.state.progress();
    const line = describeProgress(this.meter.summarize(tables), tables);
    if (log) this.opts.logger.info(line);
    this.opts.reportStatus(line);
  }

  private async readJob(pending: PendingChunk, signal: AbortSignal): Promise<void> {
    const { chunk } = pending;
    const resumeAfter = this.buffered.has(chunk.id) ? (this.buffered.get(chunk.id) ?? null) : pending.resumeAfter;
    if (!this.opts.hasKey(chunk.table) && this.buffered.has(chunk.id)) throw new Error(`snapshot chunk ${chunk.id} of keyless table ${chunk.table} failed after rows were emitted`);
    await this.opts.readChunk(chunk, resumeAfter, async (page) => {
      while (!signal.aborted && this.bufferedRows >= this.opts.maxBufferedRows) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      if (signal.aborted) return;
      this.buffer.push({ kind: 'rows', chunk, rows: page.rows, lastKey: page.lastKey });
      this.bufferedRows += page.rows.length;
      this.buffered.set(chunk.id, page.lastKey);
      this.wakeData();
    }, signal);
    if (signal.aborted) return;
    this.buffer.push({ kind: 'done', chunk });
    this.wakeData();
  }

  private wakeData(): void {
    for (const w of this.dataWaiters.splice(0)) w();
  }
}

function rowsOf<Row>(item: BufferItem<Row>): number {
  return item.kind === 'rows' ? item.rows.length : 0;
}
