/**
 * Error classes shared by transforms, converters and the error-handling operator, after
 * Kafka Connect's exception hierarchy:
 * - `ConnectError` (ConnectException): any failure of the Connect machinery.
 * - `DataError` (DataException): a record cannot be converted or transformed; never retried.
 * - `RetriableError` (RetriableException): a transient failure; the operator retries it
 *   within `errors.retry.timeout`.
 * - `ToleranceExceededError`: thrown by the operator when a failure is not tolerated
 *   (`errors.tolerance=none`, or the stage does not tolerate that error); the task fails.
 *
 * Every class sets `name` to its class name, which the dead letter queue reports as
 * `__connect.errors.exception.class.name`.
 */
export class ConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class DataError extends ConnectError {}

export class RetriableError extends ConnectError {
  /** Marker read by `isRetriableError`, the same property kafkajs errors carry. */
  readonly retriable = true;
}

export class ToleranceExceededError extends ConnectError {}

/**
 * Whether an error is marked retriable: a `RetriableError`, or any error whose
 * `retriable` property is `true` (kafkajs errors, e.g. a leader election during produce).
 */
export function isRetriableError(error: unknown): boolean {
  if (error instanceof RetriableError) return true;
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** Normalises anything thrown into an Error (strings and other values are wrapped). */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new ConnectError(typeof thrown === 'string' ? thrown : `Non-error value thrown: ${String(thrown)}`);
}
