import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import * as os from 'node:os';
import type { ChunkJob, ChunkJobContext, ChunkProcessor, ChunkQueue, ChunkQueueOptions, ChunkQueueStats } from './chunk-queue';

/**
 * The ChunkQueue on Redis through BullMQ (used when REDIS_URL is set): every process
 * that opens the same queue `name` on the same Redis shares its chunk jobs, with
 * BullMQ's retries (attempts, exponential backoff) and progress. A worker that dies
 * (kill -9) stops renewing the locks of its chunks; after `lockDurationMs` BullMQ's
 * stalled-job check (every `stalledIntervalMs`, in any live worker) puts them back in
 * the queue and another worker redoes them (at most `maxStalledCount` times per chunk).
 *
 * Contracts (chunk-queue.ts's, with these differences):
 * - Job ids are the chunk ids: adding a chunk that is already in the queue (e.g. a
 *   second worker adding the same plan) is a no-op, so every chunk runs once per queue.
 *   `obliterate()` empties the queue (a new run of a snapshot starts from its own
 *   recorded state, not from what Redis remembers).
 * - `drained()` resolves once no job of the queue is waiting, delayed or active
 *   (whichever worker ran them) and none failed; it rejects with the first failed job's
 *   reason. It polls the queue's counts every `pollMs`.
 * - Every job this process runs records `workerName` (default `<hostname>:<pid>`) as
 *   BullMQ's `processedBy` (the job hash's `pb` field): which process holds an active
 *   chunk (and its lock `<prefix>:<name>:<jobId>:lock`) is visible in Redis.
 * - `close()` aborts the running processors (signal) and puts their jobs back in the
 *   queue without spending an attempt (BullMQ's WaitingError), then closes the
 *   connections. `stats()` are the counts of the last poll plus this process's progress.
 * - The Redis URL may hold a password: it never appears in errors or logs.
 */
export interface BullMqChunkQueueOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly redisUrl: string;
  /** The queue: one per snapshot; processes opening the same name share its chunks. */
  readonly name: string;
  /** Redis key prefix (default "millrace"). */
  readonly prefix?: string;
  /** Lock lifetime without renewal (default 30000): a dead worker's chunks are redone after it. */
  readonly lockDurationMs?: number;
  /** Period of the stalled-job check (default: lockDurationMs). */
  readonly stalledIntervalMs?: number;
  /** Times a chunk may be taken back from a dead worker (default 3). */
  readonly maxStalledCount?: number;
  /** drained()'s polling period (default 250 ms). */
  readonly pollMs?: number;
  /** Recorded on the jobs this process runs (BullMQ's processedBy); default `<hostname>:<pid>`. */
  readonly workerName?: string;
}

export class BullMqChunkQueue<T> implements ChunkQueue<T> {
  private readonly queue: Queue;
  private readonly connections: IORedis[] = [];
  private worker: Worker | null = null;
  private options: Required<Pick<ChunkQueueOptions, 'concurrency' | 'attempts' | 'backoffMs'>> = { concurrency: 1, attempts: 3, backoffMs: 500 };
  private adding: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly progress = new Map<string, number>();
  private counts: Omit<ChunkQueueStats, 'activeProgress'> = { waiting: 0, active: 0, completed: 0, failed: 0 };
  private lastError: string | null = null;

  constructor(private readonly opts: BullMqChunkQueueOptions) {
    this.queue = new Queue(opts.name, { connection: this.connection(), prefix: opts.prefix ?? 'millrace' });
    this.queue.on('error', (err) => this.noteError(err));
  }

  add(jobs: readonly ChunkJob<T>[]): void {
    const { attempts, backoffMs } = this.options;
    const bulk = jobs.map((j) => ({
      name: 'chunk',
      data: j.data,
      opts: { jobId: jobIdOf(j.id), attempts, backoff: { type: 'exponential' as const, delay: backoffMs }, removeOnComplete: false, removeOnFail: false },
    }));
    const previous = this.adding;
    this.adding = previous.then(() => this.queue.addBulk(bulk));
  }

  process(processor: ChunkProcessor<T>, options: ChunkQueueOptions = {}): void {
    if (this.worker) throw new Error('process() was already called');
    this.options = { concurrency: options.concurrency ?? 1, attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 500 };
    const lockDuration = this.opts.lockDurationMs ?? 30_000;
    this.worker = new Worker(
      this.opts.name,
      async (job: Job, token?: string) => {
        const id = String(job.id);
        this.progress.set(id, 0);
        try {
          const context: ChunkJobContext = {
            attempt: job.attemptsMade + 1,
            signal: this.abort.signal,
            updateProgress: (value) => {
              this.progress.set(id, value);
              void job.updateProgress(value).catch(() => undefined);
            },
          };
          await processor({ id: job.id === undefined ? '' : chunkIdOf(id), data: job.data as T }, context);
          if (this.abort.signal.aborted) {
            // not finished: back to the queue for another worker (or a later run), no attempt spent
            await job.moveToWait(token);
            throw new WaitingError();
          }
        } finally {
          this.progress.delete(id);
        }
      },
      {
        connection: this.connection(),
        prefix: this.opts.prefix ?? 'millrace',
        name: this.opts.workerName ?? chunkWorkerName(),
        concurrency: this.options.concurrency,
        lockDuration,
        stalledInterval: this.opts.stalledIntervalMs ?? lockDuration,
        maxStalledCount: this.opts.maxStalledCount ?? 3,
      },
    );
    this.worker.on('error', (err) => this.noteError(err));
    this.worker.on('failed', (job, err) => {
      if (!job || err instanceof WaitingError) return;
      options.onAttemptFailed?.({ id: chunkIdOf(String(job.id)), data: job.data }, job.attemptsMade, err);
    });
  }

  async drained(): Promise<void> {
    for (;;) {
      await this.adding;
      const c = await this.queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children');
      this.counts = { waiting: (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
      if (this.counts.failed > 0) {
        const [failed] = await this.queue.getFailed(0, 0);
        throw new Error(failed?.failedReason ?? `a chunk of queue ${this.opts.name} failed`);
      }
      if (this.counts.waiting === 0 && this.counts.active === 0 && (c['waiting-children'] ?? 0) === 0) return;
      if (this.abort.signal.aborted) throw new Error(`chunk queue ${this.opts.name} closed before it drained`);
      await new Promise((resolve) => setTimeout(resolve, this.opts.pollMs ?? 250));
    }
  }

  stats(): ChunkQueueStats {
    return { ...this.counts, activeProgress: [...this.progress.values()].reduce((a, b) => a + b, 0) };
  }

  /** Resolves once Redis answers. */
  async ping(): Promise<void> {
    await this.queue.getJobCounts('wait');
  }

  /** Removes every job of the queue (waiting, active, completed, failed). */
  async obliterate(): Promise<void> {
    await this.adding;
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.adding.catch(() => undefined);
    // bounded: with Redis gone BullMQ's close and ioredis' quit would wait for it
    await within(10_000, this.worker?.close());
    await within(2_000, this.queue.close());
    await Promise.all(this.connections.map((c) => (c.status === 'ready' ? within(2_000, c.quit()) : undefined)));
    for (const c of this.connections) c.disconnect();
  }

  /** The last Redis error, URL-free (for a status line). */
  get error(): string | null {
    return this.lastError;
  }

  private connection(): IORedis {
    // BullMQ's workers need maxRetriesPerRequest null (blocking commands)
    const c = new IORedis(this.opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    c.on('error', (err) => this.noteError(err));
    this.connections.push(c);
    return c;
  }

  private noteError(err: unknown): void {
    this.lastError = redact(err instanceof Error ? err.message : String(err), this.opts.redisUrl);
  }
}

/** The default workerName: `<hostname>:<pid>` of this process. */
export function chunkWorkerName(): string {
  return `${os.hostname()}:${process.pid}`;
}

async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (work === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** BullMQ job ids may not hold ":" (its key separator); chunk ids are "<schema>.<table>#<n>". */
function jobIdOf(chunkId: string): string {
  return chunkId.replace(/%/g, '%25').replace(/:/g, '%3A');
}

function chunkIdOf(jobId: string): string {
  return jobId.replace(/%3A/g, ':').replace(/%25/g, '%');
}

function redact(message: string, url: string): string {
  try {
    const password = new URL(url).password;
    return password ? message.split(password).join('***') : message;
  } catch {
    return message;
  }
}
