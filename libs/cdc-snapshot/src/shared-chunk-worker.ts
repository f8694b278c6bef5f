import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import type { ChunkRows } from './chunked-snapshot';
import type { ChunkQueue } from './chunk-queue';
import { PageBuffer } from './page-buffer';
import type { SharedChunkJob, SharedSnapshotInfo } from './shared-chunks';
import type { KeyTuple } from './snapshot-plan';
import type { TableProgress } from './snapshot-state';

/**
 * The chunk worker of a helper task (task > 0) of a CDC connector whose snapshot chunks
 * are shared through a queue on Redis (shared-chunks.ts): it takes chunk jobs that task 0
 * added, reads them (the connector's `readChunk`, with the job's SharedSnapshotInfo) and
 * hands the rows to its task as records.
 *
 * Contracts:
 * - A job succeeds only once every record of its chunk was acknowledged (`ack`: durably in
 *   Kafka with its offset), so task 0, which waits for the queue to drain before it
 *   streams, never streams ahead of a helper's snapshot rows.
 * - The offset of a batch is `{...offset(info), run, chunks_done}`: the chunks whose last
 *   records are in that batch or an earlier one; a new `run` starts an empty list.
 * - A failed read is retried by the queue from the last key buffered (no duplicate rows);
 *   on `stop` the running jobs go back to the queue (BullMqChunkQueue), their buffered
 *   rows may still go out: a chunk redone elsewhere repeats at most those.
 * - Rows in memory stay under `maxBufferedRows` (readers wait for `take`).
 * - A running chunk's progress (the queue's `updateProgress`; on Redis the job's
 *   `progress`) is the number of its rows acknowledged so far: what a redo of the chunk
 *   elsewhere, should this worker die now, would read a second time.
 */
export interface SharedChunkWorkerOptions<Row> {
  readonly queue: ChunkQueue<SharedChunkJob>;
  readonly threads: number;
  readonly maxBufferedRows: number;
  /** The run and chunks this task recorded before (its stored offset). */
  readonly stored: { readonly run: string | null; readonly done: readonly string[] };
  readonly readChunk: (job: SharedChunkJob & { shared: SharedSnapshotInfo }, resumeAfter: KeyTuple | null, onPage: (page: ChunkRows<Row>) => Promise<void>, signal: AbortSignal) => Promise<void>;
  readonly toRecords: (job: SharedChunkJob & { shared: SharedSnapshotInfo }, rows: readonly Row[], offset: Readonly<Record<string, unknown>>) => SourceRecord[];
  /** Connector fields of the offset (e.g. `{lsn}`), besides run and chunks_done. */
  readonly offset: (info: SharedSnapshotInfo) => Readonly<Record<string, unknown>>;
  readonly logger: ConnectorLogger;
  readonly attempts?: number;
  readonly backoffMs?: number;
}

type Job = SharedChunkJob & { shared: SharedSnapshotInfo };
type Item<Row> = { kind: 'rows'; job: Job; rows: readonly Row[] } | { kind: 'done'; job: Job; durable: () => void };

export class SharedChunkWorker<Row> {
  private readonly buffer: Item<Row>[] = [];
  private readonly pageBuffer: PageBuffer;
  private dataWaiters: (() => void)[] = [];
  private run: string | null;
  private done: string[];
  private info: SharedSnapshotInfo | null = null;
  /** Batches handed out and not yet acknowledged: their last record, and the chunks they finish. */
  private readonly unacked: { last: SourceRecord; durable: (() => void)[]; rows: Map<string, number> }[] = [];
  /** Per running chunk: its rows acknowledged, and where to report them (its job's progress). */
  private readonly acked = new Map<string, { rows: number; report: (rows: number) => void }>();
  private readonly lastKeys = new Map<string, KeyTuple | null>();
  private readonly rows = new Map<string, number>();
  private readonly chunks = new Map<string, number>();

  constructor(private readonly opts: SharedChunkWorkerOptions<Row>) {
    this.run = opts.stored.run;
    this.done = [...opts.stored.done];
    this.pageBuffer = new PageBuffer(opts.maxBufferedRows);
  }

  start(): void {
    const attempts = this.opts.attempts ?? 3;
    this.opts.queue.process((job, ctx) => this.readJob(job.data, ctx.signal, (rows) => ctx.updateProgress(rows)), {
      concurrency: this.opts.threads,
      attempts,
      backoffMs: this.opts.backoffMs ?? 1000,
      onAttemptFailed: (job, attempt, err) => this.opts.logger.warn(`snapshot chunk ${job.id} failed on this task (attempt ${attempt}/${attempts}): ${(err as Error)?.message ?? String(err)}`),
    });
  }

  /** Up to `maxRecords` records (whole pages), all with the offset after them. */
  take(maxRecords: number): SourceRecord[] {
    const pages: { job: Job; rows: readonly Row[] }[] = [];
    const finishing: (() => void)[] = [];
    const perChunk = new Map<string, number>();
    let count = 0;
    const absorbDone = (): void => {
      while (this.buffer[0]?.kind === 'done') {
        const d = this.buffer.shift() as Extract<Item<Row>, { kind: 'done' }>;
        this.noteRun(d.job.shared);
        this.done.push(d.job.chunk.id);
        this.chunks.set(d.job.chunk.table, (this.chunks.get(d.job.chunk.table) ?? 0) + 1);
        finishing.push(d.durable);
      }
    };
    absorbDone();
    while (this.buffer[0]?.kind === 'rows' && (count === 0 || count + this.buffer[0].rows.length <= maxRecords)) {
      const item = this.buffer.shift() as Extract<Item<Row>, { kind: 'rows' }>;
      this.noteRun(item.job.shared);
      pages.push(item);
      count += item.rows.length;
      perChunk.set(item.job.chunk.id, (perChunk.get(item.job.chunk.id) ?? 0) + item.rows.length);
      this.rows.set(item.job.chunk.table, (this.rows.get(item.job.chunk.table) ?? 0) + item.rows.length);
      absorbDone();
    }
    this.pageBuffer.release(count);
    if (count === 0) {
      // chunks finished without rows of their own in this batch: durable with the batch before
      const previous = this.unacked[this.unacked.length - 1];
      if (previous) previous.durable.push(...finishing);
      else for (const f of finishing) f();
      return [];
    }
    const info = this.info as SharedSnapshotInfo;
    const offset = { ...this.opts.offset(info), run: info.run, chunks_done: [...this.done] };
    const records: SourceRecord[] = [];
    for (const { job, rows } of pages) for (const r of this.opts.toRecords(job, rows, offset)) records.push(r);
    this.unacked.push({ last: records[records.length - 1], durable: finishing, rows: perChunk });
    return records;
  }

  /** The records are durably in Kafka: the chunks they finish succeed. */
  ack(records: readonly SourceRecord[]): void {
    const acked = new Set(records);
    const at = this.unacked.findIndex((b) => acked.has(b.last));
    if (at < 0) return;
    for (const b of this.unacked.splice(0, at + 1)) {
      for (const [id, n] of b.rows) {
        const p = this.acked.get(id);
        if (p === undefined) continue;
        p.rows += n;
        p.report(p.rows);
      }
      for (const f of b.durable) f();
    }
  }

  waitForData(ms: number): Promise<void> {
    if (this.buffer.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.dataWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Rows and chunks this task read per table, against the plan's totals. */
  progress(): TableProgress[] {
    const totals = this.info?.totals ?? {};
    const tables = new Set([...this.rows.keys(), ...this.chunks.keys()]);
    return [...tables].sort().map((table) => ({ table, rowsDone: this.rows.get(table) ?? 0, estimatedRows: totals[table]?.rows ?? 0, chunksDone: this.chunks.get(table) ?? 0, chunks: totals[table]?.chunks ?? 0 }));
  }

  async stop(): Promise<void> {
    this.pageBuffer.wake();
    await this.opts.queue.close();
  }

  private noteRun(info: SharedSnapshotInfo): void {
    this.info = info;
    if (info.run === this.run) return;
    this.run = info.run;
    this.done = [];
  }

  private async readJob(data: SharedChunkJob, signal: AbortSignal, report: (rows: number) => void): Promise<void> {
    if (data.shared === undefined) throw new Error(`snapshot chunk ${data.chunk.id} carries no shared snapshot information (added by an older task 0?)`);
    const job = data as Job;
    const id = job.chunk.id;
    // (a retry keeps the count: it resumes after the rows buffered before)
    const acked = this.acked.get(id) ?? { rows: 0, report };
    acked.report = report;
    this.acked.set(id, acked);
    const resumeAfter = this.lastKeys.has(id) ? (this.lastKeys.get(id) ?? null) : job.resumeAfter;
    // a page is buffered once the next one arrived, the last one right before the chunk's
    // "done" marker: the batch with a chunk's last rows lists it in chunks_done
    const push = (page: ChunkRows<Row>): void => {
      this.buffer.push({ kind: 'rows', job, rows: page.rows });
      this.lastKeys.set(id, page.lastKey);
    };
    const emit = (page: ChunkRows<Row>): void => {
      push(page);
      this.wakeData();
    };
    const last = await this.pageBuffer.readAhead<ChunkRows<Row>>((onPage) => this.opts.readChunk(job, resumeAfter, onPage, signal), signal, emit);
    if (signal.aborted) {
      this.acked.delete(id);
      return;
    }
    if (last !== null) push(last);
    this.lastKeys.delete(id);
    // the job succeeds once the records up to its "done" marker are acknowledged
    await new Promise<void>((resolve) => {
      const onAbort = (): void => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      this.buffer.push({
        kind: 'done',
        job,
        durable: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      });
      this.wakeData();
    });
    this.acked.delete(id);
  }

  private wakeData(): void {
    for (const w of this.dataWaiters.splice(0)) w();
  }
}
