/**
 * A queue of snapshot chunk jobs, in BullMQ's shape (a queue you add jobs to, workers
 * that run a processor with a concurrency, per-job progress and retries), so that the
 * in-process implementation used by the embedded default and a BullMQ-on-Redis one
 * (REDIS_URL; the workers of a connect cluster share the chunks) are interchangeable.
 *
 * Contracts:
 * - `process` starts the workers once; each job runs the processor at most
 *   `attempts` times (`backoffMs` apart, doubling); a job that fails its last attempt is
 *   reported through `onFailed` and the queue stops taking new jobs (`failure` rejects).
 * - `add` may be called before or after `process`; jobs start in the order added.
 * - `drained()` resolves once every added job has succeeded (rejects on a failed job).
 * - `close()` stops taking jobs and waits for the running ones (their processors see
 *   `signal.aborted`); jobs not started stay unfinished. Completion that must survive a
 *   crash is NOT the queue's business: it is recorded in the source offsets.
 */
export interface ChunkJob<T> {
  readonly id: string;
  readonly data: T;
}

export interface ChunkJobContext {
  /** 1 on the first attempt. */
  readonly attempt: number;
  /** Set once the queue is closing: the processor should return soon. */
  readonly signal: AbortSignal;
  /** Reports the job's progress (e.g. rows read); shown in stats. */
  updateProgress(value: number): void;
}

export type ChunkProcessor<T> = (job: ChunkJob<T>, context: ChunkJobContext) => Promise<void>;

export interface ChunkQueueOptions {
  /** Jobs run at once (default 1). */
  readonly concurrency?: number;
  /** Attempts per job (default 3). */
  readonly attempts?: number;
  /** Wait before the 2nd attempt; doubles for each further one (default 500 ms). */
  readonly backoffMs?: number;
  /** Called when an attempt fails (attempt number, error), whether or not it is retried. */
  readonly onAttemptFailed?: (job: ChunkJob<unknown>, attempt: number, error: unknown) => void;
}

export interface ChunkQueueStats {
  readonly waiting: number;
  readonly active: number;
  readonly completed: number;
  readonly failed: number;
  /** Sum of the progress values of the active jobs. */
  readonly activeProgress: number;
}

export interface ChunkQueue<T> {
  add(jobs: readonly ChunkJob<T>[]): void;
  process(processor: ChunkProcessor<T>, options?: ChunkQueueOptions): void;
  drained(): Promise<void>;
  stats(): ChunkQueueStats;
  close(): Promise<void>;
}
