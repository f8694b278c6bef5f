import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import type { ChunkQueue } from './chunk-queue';
import { InProcessChunkQueue } from './in-process-chunk-queue';
import { PageBuffer } from './page-buffer';
import type { SharedSnapshotInfo } from './shared-chunks';
import type { KeyTuple, SnapshotChunk } from './snapshot-plan';
import { describeProgress, SnapshotProgressMeter, type ProgressSummary } from './snapshot-progress';
import type { PendingChunk, SnapshotState, TableProgress } from './snapshot-state';

/**
 * Runs the chunks of a snapshot through a ChunkQueue (`threads` workers) and hands what
 * they read to the source task as records, for any CDC connector: the connector gives
 * how to read a chunk (`readChunk`, keyset pages) and how to turn rows into records
 * (`toRecords`); this class owns ordering, back-pressure, resume keys, progress.
 *
 * Contracts:
 * - Workers put pages and "chunk done" markers into a bounded buffer (`maxBufferedRows`);
 *   `take` drains it in order and applies each page/marker to the SnapshotState, so the
 *   offset handed out with a batch (`offset(state)`) describes exactly the records handed
 *   out so far: a chunk is done in the offset exactly with its last records (a chunk's
 *   last page enters the buffer together with its marker; an empty chunk's marker goes
 *   out with the next batch), so the last batch's offset says the snapshot is complete.
 * - A failed chunk attempt is retried by the queue from the last key it buffered, so a
 *   retry adds no duplicate rows; a keyless table's chunk cannot resume inside itself
 *   and fails for good once it buffered rows; a chunk failing every attempt fails the
 *   snapshot (`take` throws).
 * - `finished` once every chunk was read and the buffer is drained.
 * - Progress (describeProgress) is the task's status every second and a log line every
 *   `progressIntervalMs`; `progress()` gives the figures (for metrics). These count the
 *   rows this task read; with a shared queue (`shared`) the line ends with the chunks
 *   done by every task: "; all tasks: <done>/<chunks> chunks" (done before this run plus
 *   completed in the queue since).
 */
export interface ChunkRows<Row> {
  readonly rows: readonly Row[];
  /** Key of the last row (null for keyless tables). */
  readonly lastKey: KeyTuple | null;
}

export interface ChunkedSnapshotOptions<Row> {
  readonly state: SnapshotState;
  /** Chunk workers (the queue's concurrency). */
  readonly threads: number;
  readonly maxBufferedRows: number;
  /** The queue the chunks run through (default: an InProcessChunkQueue). */
  readonly queue?: ChunkQueue<PendingChunk>;
  /** Added to every chunk job, for the helper tasks sharing the queue (shared-chunks.ts). */
  readonly shared?: SharedSnapshotInfo;
  /** Reads `chunk` from `resumeAfter` (exclusive; null = its lower bound), page by page (awaits onPage: back-pressure). */
  readonly readChunk: (chunk: SnapshotChunk, resumeAfter: KeyTuple | null, onPage: (page: ChunkRows<Row>) => Promise<void>, signal: AbortSignal) => Promise<void>;
  /** Whether a table has a key (chunks of keyless tables cannot resume inside themselves). */
  readonly hasKey: (table: string) => boolean;
  /** The records of rows of `table`, all with `offset` as their source offset. */
  readonly toRecords: (table: string, rows: readonly Row[], offset: Readonly<Record<string, unknown>>) => SourceRecord[];
  /** The source offset describing `state` (the connector's offset shape). */
  readonly offset: (state: SnapshotState) => Readonly<Record<string, unknown>>;
  readonly logger: ConnectorLogger;
  readonly reportStatus: (message: string | null) => void;
  readonly progressIntervalMs: number;
  /** Attempts per chunk (default 3) and the wait before the 2nd (default 1000 ms, doubling). */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

type BufferItem<Row> = { kind: 'rows'; chunk: SnapshotChunk; rows: readonly Row[]; lastKey: KeyTuple | null } | { kind: 'done'; chunk: SnapshotChunk };

export class ChunkedSnapshot<Row> {
  private readonly queue: ChunkQueue<PendingChunk>;
  private readonly buffer: BufferItem<Row>[] = [];
  private readonly pageBuffer: PageBuffer;
  private readAll = false;
  private error: unknown = null;
  private dataWaiters: (() => void)[] = [];
  /** Last key a chunk buffered (a retry resumes after it). */
  private readonly buffered = new Map<string, KeyTuple | null>();
  private readonly meter: SnapshotProgressMeter;
  private progressTimer: NodeJS.Timeout | null = null;
  /** Chunks done before this run (not in the queue). */
  private readonly chunksDoneAtStart: number;

  constructor(private readonly opts: ChunkedSnapshotOptions<Row>) {
    this.queue = opts.queue ?? new InProcessChunkQueue<PendingChunk>();
    this.pageBuffer = new PageBuffer(opts.maxBufferedRows);
    const progress = opts.state.progress();
    this.meter = new SnapshotProgressMeter(progress.reduce((n, t) => n + t.rowsDone, 0));
    this.chunksDoneAtStart = progress.reduce((n, t) => n + t.chunksDone, 0);
  }

  start(): void {
    const { state, logger } = this.opts;
    const attempts = this.opts.attempts ?? 3;
    this.queue.process((job, ctx) => this.readJob(job.data, ctx.signal, (rows) => ctx.updateProgress(rows)), {
      concurrency: this.opts.threads,
      attempts,
      backoffMs: this.opts.backoffMs ?? 1000,
      onAttemptFailed: (job, attempt, err) => logger.warn(`snapshot chunk ${job.id} failed (attempt ${attempt}/${attempts}): ${(err as Error)?.message ?? String(err)}`),
    });
    const shared = this.opts.shared;
    this.queue.add(state.pending().map((p) => ({ id: p.chunk.id, data: shared === undefined ? p : { ...p, shared } })));
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
    // the status every second, the log line every progressIntervalMs
    let ticks = 0;
    const every = Math.max(1, Math.round(this.opts.progressIntervalMs / 1000));
    this.progressTimer = setInterval(() => this.reportProgress(++ticks % every === 0), 1000);
    this.progressTimer.unref();
    this.reportProgress(true);
  }

  get finished(): boolean {
    return this.readAll && this.buffer.length === 0;
  }

  /** Up to `maxRecords` records (whole pages) with the state after them as their offset. */
  take(maxRecords: number): SourceRecord[] {
    if (this.error !== null) throw this.error instanceof Error ? this.error : new Error(String(this.error));
    const { state } = this.opts;
    const pages: { table: string; rows: readonly Row[] }[] = [];
    let count = 0;
    while (this.buffer.length > 0 && (count === 0 || count + rowsOf(this.buffer[0]) <= maxRecords)) {
      const item = this.buffer.shift() as BufferItem<Row>;
      if (item.kind === 'done') {
        state.markDone(item.chunk);
        continue;
      }
      state.markRows(item.chunk, item.rows.length, item.lastKey);
      pages.push({ table: item.chunk.table, rows: item.rows });
      count += item.rows.length;
    }
    // markers right behind the last page belong to this batch: its offset then says so
    while (this.buffer[0]?.kind === 'done') state.markDone((this.buffer.shift() as BufferItem<Row>).chunk);
    this.pageBuffer.release(count);
    if (count === 0) return [];
    const offset = this.opts.offset(state);
    const records: SourceRecord[] = [];
    for (const { table, rows } of pages) for (const r of this.opts.toRecords(table, rows, offset)) records.push(r);
    return records;
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
    this.pageBuffer.wake();
    await this.queue.close();
  }

  /** Per-table figures of the records handed out so far. */
  progress(): TableProgress[] {
    return this.opts.state.progress();
  }

  summary(): ProgressSummary {
    return this.meter.summarize(this.opts.state.progress());
  }

  /** The snapshot's progress as the task's status line, and (when `log`) as a log line. */
  reportProgress(log: boolean): void {
    const tables = this.opts.state.progress();
    const summary = this.meter.summarize(tables);
    let line = describeProgress(summary, tables);
    // (the queue's count is its last poll's: never below what this task itself recorded)
    if (this.opts.shared !== undefined) line += `; all tasks: ${Math.min(summary.chunks, Math.max(summary.chunksDone, this.chunksDoneAtStart + this.queue.stats().completed))}/${summary.chunks} chunks`;
    if (log) this.opts.logger.info(line);
    this.opts.reportStatus(line);
  }

  private async readJob(pending: PendingChunk, signal: AbortSignal, onProgress: (rows: number) => void): Promise<void> {
    const { chunk } = pending;
    const resumeAfter = this.buffered.has(chunk.id) ? (this.buffered.get(chunk.id) ?? null) : pending.resumeAfter;
    if (!this.opts.hasKey(chunk.table) && this.buffered.has(chunk.id)) throw new Error(`snapshot chunk ${chunk.id} of keyless table ${chunk.table} failed after rows were emitted`);
    let rows = 0;
    // each page is buffered once the next one arrived, the last one together with the chunk's
    // "done" marker: so the batch holding a chunk's last rows also marks it done in its offset
    const push = (page: ChunkRows<Row>, last: boolean): void => {
      this.buffer.push({ kind: 'rows', chunk, rows: page.rows, lastKey: page.lastKey });
      if (last) this.buffer.push({ kind: 'done', chunk });
      this.buffered.set(chunk.id, page.lastKey);
      onProgress((rows += page.rows.length));
      this.wakeData();
    };
    const last = await this.pageBuffer.readAhead<ChunkRows<Row>>((onPage) => this.opts.readChunk(chunk, resumeAfter, onPage, signal), signal, (page) => push(page, false));
    if (signal.aborted) return;
    if (last !== null) push(last, true);
    else this.buffer.push({ kind: 'done', chunk });
    this.wakeData();
  }

  private wakeData(): void {
    for (const w of this.dataWaiters.splice(0)) w();
  }
}

function rowsOf(item: BufferItem<unknown>): number {
  return item.kind === 'rows' ? item.rows.length : 0;
}

/** What `readSnapshotPhase` needs of a running snapshot (a ChunkedSnapshot or a wrapper of one). */
export interface SnapshotSource {
  readonly finished: boolean;
  take(maxRecords: number): SourceRecord[];
  waitForData(ms: number): Promise<void>;
}

/**
 * The snapshot phase of a CDC task's `read()`: the records waiting, else (after waiting up
 * to `waitMs` for some) none; once the snapshot is finished and drained, `finish()` runs
 * (stop it, start streaming) and the phase ends with none.
 */
export async function readSnapshotPhase(snapshot: SnapshotSource, maxRecords: number, finish: () => Promise<void>, waitMs = 1000): Promise<SourceRecord[]> {
  const records = snapshot.take(maxRecords);
  if (records.length > 0) return records;
  if (!snapshot.finished) await snapshot.waitForData(waitMs);
  else await finish();
  return [];
}
