import { ConnectError, ToleranceExceededError, asError, isRetriableError } from './connect-errors';
import type { ErrorHandlingConfig, ErrorTolerance } from './error-handling-config';
import type { ErrorReporter } from './error-reporter';
import { stageToleratesAllErrors, type ErrorStage } from './error-stage';
import type { ProcessingContext } from './processing-context';

/** Initial backoff between retries (Kafka Connect's RETRIES_DELAY_MIN_MS). */
export const RETRIES_DELAY_MIN_MS = 300;

/** The outcome of an operation whose failure was tolerated: the record is skipped. */
export class ToleratedFailure {
  readonly failed = true as const;
  constructor(readonly error: Error) {}
}

export function isToleratedFailure(value: unknown): value is ToleratedFailure {
  return value instanceof ToleratedFailure;
}

export interface RetryWithToleranceOptions {
  /** `errors.retry.timeout`: 0 = no retry, -1 = retry forever. */
  readonly retryTimeoutMs: number;
  /** `errors.retry.delay.max.ms`. */
  readonly retryDelayMaxMs: number;
  readonly tolerance: ErrorTolerance;
  /** Told about every tolerated failure, in order (e.g. log, then dead letter queue). */
  readonly reporters?: readonly ErrorReporter[];
  /** Milliseconds now; injectable for tests. */
  readonly clock?: () => number;
  /** Waits `ms`; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); the jitter once the backoff reaches its cap. */
  readonly random?: () => number;
}

/**
 * Runs one pipeline operation for one record with Kafka Connect's retry and tolerance
 * semantics (RetryWithToleranceOperator, KIP-298).
 *
 * `execute(stage, operation, context)`:
 * 1. If the context already failed, the operation is not run and the earlier failure is
 *    returned (the record is being skipped).
 * 2. The operation runs; an error marked retriable (`isRetriableError`) is retried with
 *    exponential backoff — 300 ms, 600 ms, 1200 ms, ... — and once a delay would exceed
 *    `retryDelayMaxMs` a random delay below that cap, each delay cut to the retry deadline
 *    (start + `retryTimeoutMs`; none for -1; 0 means no retry). Other errors (conversion
 *    and transformation failures are `DataError`s) are not retried.
 * 3. A final failure marks the context failed. It is tolerated when the stage tolerates
 *    it (converters and transformations: any error; other stages: only retriable errors)
 *    and `tolerance` is `all`: the reporters are awaited and a `ToleratedFailure` is
 *    returned. With `tolerance=none` a `ToleranceExceededError` ("Tolerance exceeded in
 *    error handler") is thrown; an error the stage cannot tolerate throws a
 *    `ConnectError` ("Unhandled exception in error handler"). Both carry the error as
 *    `cause`; the runtime fails the task.
 */
export class RetryWithToleranceOperator {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly reporters: readonly ErrorReporter[];
  private stopping = false;
  private failures = 0;
  private retries = 0;
  private skipped = 0;

  constructor(private readonly options: RetryWithToleranceOptions) {
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.reporters = options.reporters ?? [];
  }

  /** errors.tolerance=all: failed records are skipped (reported) instead of failing the task. */
  get toleratesErrors(): boolean {
    return this.options.tolerance === 'all';
  }

  static fromConfig(config: ErrorHandlingConfig, extra: Omit<RetryWithToleranceOptions, 'retryTimeoutMs' | 'retryDelayMaxMs' | 'tolerance'> = {}): RetryWithToleranceOperator {
    return new RetryWithToleranceOperator({ ...extra, retryTimeoutMs: config.retryTimeoutMs, retryDelayMaxMs: config.retryDelayMaxMs, tolerance: config.tolerance });
  }

  /** Failed operations so far (each counted once, after its retries). */
  get totalFailures(): number {
    return this.failures;
  }

  get totalRetries(): number {
    return this.retries;
  }

  /** Records skipped because their failure was tolerated. */
  get totalSkipped(): number {
    return this.skipped;
  }

  /** Stops retrying: operations in a retry loop give up after their current wait. */
  stop(): void {
    this.stopping = true;
  }

  async execute<T>(stage: ErrorStage, operation: () => T | Promise<T>, context: ProcessingContext, executingClass: string = stage): Promise<T | ToleratedFailure> {
    const earlier = context.error;
    if (earlier !== null) return new ToleratedFailure(earlier);
    context.position(stage, executingClass);
    let error: Error;
    try {
      return await this.executeWithRetries(operation, context);
    } catch (thrown) {
      error = asError(thrown);
    }
    this.failures += 1;
    context.fail(error);
    const retriable = isRetriableError(error);
    if (!stageToleratesAllErrors(stage) && !retriable) {
      throw new ConnectError('Unhandled exception in error handler', { cause: error });
    }
    if (this.options.tolerance !== 'all') {
      throw new ToleranceExceededError('Tolerance exceeded in error handler', { cause: error });
    }
    for (const reporter of this.reporters) await reporter.report(context);
    this.skipped += 1;
    return new ToleratedFailure(error);
  }

  private async executeWithRetries<T>(operation: () => T | Promise<T>, context: ProcessingContext): Promise<T> {
    const start = this.clock();
    const timeout = this.options.retryTimeoutMs;
    const deadline = timeout < 0 ? Number.POSITIVE_INFINITY : start + timeout;
    for (let attempt = 1; ; attempt++) {
      context.recordAttempt();
      try {
        return await operation();
      } catch (thrown) {
        if (!isRetriableError(thrown) || this.stopping || this.clock() >= deadline) throw thrown;
        await this.backoff(attempt, deadline);
        this.retries += 1;
        if (this.stopping) throw thrown;
      }
    }
  }

  /** Waits before retry `attempt + 1` (see the class contract). */
  private async backoff(attempt: number, deadline: number): Promise<void> {
    const cap = this.options.retryDelayMaxMs;
    let delay = RETRIES_DELAY_MIN_MS * 2 ** Math.min(attempt - 1, 40);
    if (delay > cap) delay = Math.floor(this.random() * cap);
    const remaining = deadline - this.clock();
    if (delay > remaining) delay = Math.max(0, remaining);
    await this.sleep(delay);
  }
}
