import { errorMessage } from '@millrace/app-common';

/**
 * Opening a database connection the way Confluent's JDBC connectors do: up to
 * `connection.attempts` tries, `connection.backoff.ms` apart.
 *
 * Contract of {@link connectWithRetry}:
 * - `connect(attempt)` is called with attempt = 1, 2, ...; its first result is returned.
 * - After a failed try that is not the last, a warning naming the target, the attempt
 *   ("attempt 1/3") and the error is logged, then the backoff is waited.
 * - After the last failed try, or a failed try after which `aborted()` answers true, a
 *   {@link JdbcConnectError} is thrown; its `cause` is that try's error. Cleaning up what
 *   a failed try left open is the caller's business.
 * - Messages name the target as given (never credentials: see describeJdbcTarget).
 */
export interface ConnectRetryOptions {
  /** Tries in all, at least 1 (connection.attempts). */
  readonly attempts: number;
  /** Wait between two tries in milliseconds (connection.backoff.ms). */
  readonly backoffMs: number;
  /** The database as messages name it, e.g. "postgresql://db:5432/erp". */
  readonly target: string;
  readonly logger?: { warn(message: string): void };
  /** Asked after each failed try; true stops retrying (e.g. the task is being torn down). */
  readonly aborted?: () => boolean;
}

/** Every try failed: `attempts` tries were made; `cause` is the last try's error. */
export class JdbcConnectError extends Error {
  override readonly name = 'JdbcConnectError';

  constructor(
    readonly target: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`cannot connect to ${target} after ${attempts} attempt(s): ${errorMessage(cause)}`, { cause });
  }
}

export async function connectWithRetry<T>(connect: (attempt: number) => Promise<T>, options: ConnectRetryOptions): Promise<T> {
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(attempt);
    } catch (err) {
      if (attempt >= attempts || options.aborted?.() === true) throw new JdbcConnectError(options.target, attempt, err);
      options.logger?.warn(`connecting to ${options.target} failed (attempt ${attempt}/${attempts}): ${errorMessage(err)}; retrying in ${options.backoffMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, options.backoffMs));
    }
  }
}
