import { describeProgress, InProcessChunkQueue, SnapshotProgressMeter, type ChunkQueue, type KeyTuple, type PendingChunk, type SnapshotChunk, type SnapshotState } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { changeEvent, decodeRow, type RowText } from './change-events';
import { readChunk, type SnapshotSession } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import type { TableModel } from './table-catalog';

/**
 * Runs the chunks of a snapshot through a ChunkQueue (`snapshot.max.threads` workers, each
 * on a connection of the SnapshotSession) and turns what they read into `r` records.
 *
 * Contracts:
 * - Workers put pages and "chunk done" markers into a bounded buffer (`maxBufferedRows`);
 *   `take` drains it in order and applies each page/marker to the SnapshotState, so the
 *   state handed out with a batch (`offset`) describes exactly the records handed out so
 *   far: a chunk is done in the offset only with (or after) its last records.
 * - A failed chunk attempt is retried by the queue from the last key it buffered, so a
 *   retry adds no duplicate rows; a chunk failing every attempt fails the snapshot
 *   (`take` throws).
 * - `finished` once every chunk was read and the buffer is drained.
 * - Progress (describeProgress) is the task's status every second and a log line every
 *   `progressIntervalMs`.
 */
export interface SnapshotRunnerOptions {
  readonly state: SnapshotState;
  readonly session: SnapshotSession;
  readonly models: ReadonlyMap<string, TableModel>;
  readonly threads: number;
  readonly fetchSize: number;
  readonly maxBufferedRows: number;
  readonly partition: Readonly<Record<string, unknown>>;
  /** The slot's consistent point (text): the `lsn` of the offsets and the source blocks. */
  readonly consistentLsn: string;
  readonly source: (model: TableModel) => SourceBlock;
  readonly logger: ConnectorLogger;
  readonly reportStatus: (message: string | null) => void;
  readonly progressIntervalMs: number;
}

type BufferItem = { kind: 'rows'; chunk: SnapshotChunk; rows: readonly RowText[]; lastKey: KeyTuple | null } | { kind: 'done'; chunk: SnapshotChunk };

export class SnapshotRunner {
  private readonly queue: ChunkQueue<PendingChunk> = new InProcessChunkQueue<PendingChunk>();
  private readonly buffer: BufferItem[] = [];
  private bufferedRows = 0;
  private readAll = false;
  private error: unknown = null;
  private spaceWaiters: (() => void)[] = [];
  private dataWaiters: (() => void)[] = [];
  /** Last key a chunk buffered (a retry resumes after it). */
  private readonly buffered = new Map<string, KeyTuple | null>();
  private readonly meter: SnapshotProgressMeter;
  private progressTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SnapshotRunnerOptions) {
    this.meter = new SnapshotProgressMeter(opts.state.progress().reduce((n, t) => n + t.rowsDone, 0));
  }

  start(): void {
    const { state, logger } = this.opts;
    const pending = state.pending();
    this.queue.process((job, ctx) => this.readJob(job.data, ctx.signal), {
      concurrency: this.opts.threads,
      attempts: 3,
      backoffMs: 1000,
      onAttemptFailed: (job, attempt, err) => logger.warn(`snapshot chunk ${job.id} failed (attempt ${attempt}/3): ${(err as Error)?.message ?? String(err)}`),
    });
    this.queue.add(pending.map((p) => ({ id: p.chunk.id, data: p })));
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
    const records: SourceRecord[] = [];
    const pending: { model: TableModel; rows: readonly RowText[] }[] = [];
    while (this.buffer.length > 0 && (records.length === 0 || records.length + rowsOf(this.buffer[0]) <= maxRecords)) {
      const item = this.buffer.shift() as BufferItem;
      if (item.kind === 'done') {
        state.markDone(item.chunk);
        continue;
      }
      this.bufferedRows -= item.rows.length;
      state.markRows(item.chunk, item.rows.length, item.lastKey);
      const model = this.opts.models.get(item.chunk.table) as TableModel;
      pending.push({ model, rows: item.rows });
      for (let i = 0; i < item.rows.length; i++) records.push(null as unknown as SourceRecord);
    }
    // markers right behind the last page belong to this batch: its offset then says so
    while (this.buffer[0]?.kind === 'done') state.markDone((this.buffer.shift() as BufferItem).chunk);
    for (const w of this.spaceWaiters.splice(0)) w();
    if (records.length === 0) return [];
    const offset = state.complete ? { lsn: this.opts.consistentLsn, snapshot_completed: true } : { lsn: this.opts.consistentLsn, snapshot: state.toJson() };
    const position = { partition: this.opts.partition, offset };
    let i = 0;
    const now = Date.now();
    for (const { model, rows } of pending) {
      const source = this.opts.source(model);
      for (const row of rows) records[i++] = changeEvent(model, 'r', null, decodeRow(model, row), source, position, now);
    }
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
    const model = this.opts.models.get(chunk.table);
    if (!model) throw new Error(`snapshot chunk ${chunk.id}: table ${chunk.table} is no longer captured`);
    const resumeAfter = this.buffered.has(chunk.id) ? (this.buffered.get(chunk.id) ?? null) : pending.resumeAfter;
    // a keyless table's chunk cannot resume inside itself: a retry after buffered rows would duplicate them
    if (model.keyColumns.length === 0 && this.buffered.has(chunk.id)) throw new Error(`snapshot chunk ${chunk.id} of keyless table ${chunk.table} failed after rows were emitted`);
    await this.opts.session.withConnection((client) =>
      readChunk(client, model, chunk, resumeAfter, this.opts.fetchSize, async (page) => {
        while (!signal.aborted && this.bufferedRows >= this.opts.maxBufferedRows) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        if (signal.aborted) return;
        this.buffer.push({ kind: 'rows', chunk, rows: page.rows, lastKey: page.lastKey });
        this.bufferedRows += page.rows.length;
        this.buffered.set(chunk.id, page.lastKey);
        this.wakeData();
      }, signal),
    );
    if (signal.aborted) return;
    this.buffer.push({ kind: 'done', chunk });
    this.wakeData();
  }

  private wakeData(): void {
    for (const w of this.dataWaiters.splice(0)) w();
  }
}

function rowsOf(item: BufferItem): number {
  return item.kind === 'rows' ? item.rows.length : 0;
}
