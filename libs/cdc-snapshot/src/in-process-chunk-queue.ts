import type { ChunkJob, ChunkJobContext, ChunkProcessor, ChunkQueue, ChunkQueueOptions, ChunkQueueStats } from './chunk-queue';

/**
 * The embedded ChunkQueue: jobs in memory, `concurrency` async workers in this process
 * (contracts in chunk-queue.ts). Used when REDIS_URL is unset.
 */
export class InProcessChunkQueue<T> implements ChunkQueue<T> {
  private readonly waiting: ChunkJob<T>[] = [];
  private readonly progress = new Map<string, number>();
  private completed = 0;
  private failed = 0;
  private added = 0;
  private processor: ChunkProcessor<T> | null = null;
  private options: Required<Omit<ChunkQueueOptions, 'onAttemptFailed'>> & Pick<ChunkQueueOptions, 'onAttemptFailed'> = { concurrency: 1, attempts: 3, backoffMs: 500 };
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private wake: (() => void)[] = [];
  private error: unknown = null;
  private drainWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  add(jobs: readonly ChunkJob<T>[]): void {
    this.waiting.push(...jobs);
    this.added += jobs.length;
    for (const w of this.wake.splice(0)) w();
    this.settleDrain();
  }

  process(processor: ChunkProcessor<T>, options: ChunkQueueOptions = {}): void {
    if (this.processor) throw new Error('process() was already called');
    this.processor = processor;
    this.options = { concurrency: options.concurrency ?? 1, attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 500, onAttemptFailed: options.onAttemptFailed };
    for (let i = 0; i < Math.max(1, this.options.concurrency); i++) this.workers.push(this.work());
  }

  drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.drainWaiters.push({ resolve, reject });
      this.settleDrain();
    });
  }

  stats(): ChunkQueueStats {
    return { waiting: this.waiting.length, active: this.progress.size, completed: this.completed, failed: this.failed, activeProgress: [...this.progress.values()].reduce((a, b) => a + b, 0) };
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const w of this.wake.splice(0)) w();
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (!this.abort.signal.aborted && this.error === null) {
      const job = this.waiting.shift();
      if (!job) {
        await new Promise<void>((resolve) => this.wake.push(resolve));
        continue;
      }
      this.progress.set(job.id, 0);
      try {
        await this.runJob(job);
        // a processor that returned because the queue closes has not finished its job
        if (this.abort.signal.aborted) return;
        this.completed++;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.failed++;
        this.error = err;
      } finally {
        this.progress.delete(job.id);
        this.settleDrain();
      }
    }
  }

  private async runJob(job: ChunkJob<T>): Promise<void> {
    const processor = this.processor as ChunkProcessor<T>;
    for (let attempt = 1; ; attempt++) {
      const context: ChunkJobContext = { attempt, signal: this.abort.signal, updateProgress: (v) => this.progress.set(job.id, v) };
      try {
        await processor(job, context);
        return;
      } catch (err) {
        this.options.onAttemptFailed?.(job, attempt, err);
        if (attempt >= this.options.attempts || this.abort.signal.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  private settleDrain(): void {
    if (this.error !== null) {
      for (const w of this.drainWaiters.splice(0)) w.reject(this.error);
      return;
    }
    if (this.completed === this.added && this.waiting.length === 0 && this.progress.size === 0) {
      for (const w of this.drainWaiters.splice(0)) w.resolve();
    }
  }
}
