import { RetriableError } from '@millrace/connect-sdk';
import { errorMessage } from '@millrace/app-common';

export { RetriableError };

/**
 * Errors the JDBC sink raises to the runtime (RetriableError is the SDK's).
 *
 * Contract: a RetriableError means "nothing was applied that is not also recorded in
 * millrace_sink_offsets; calling write/flush again (or restarting the task) is safe". The
 * task raises it for lost connections, timeouts, deadlocks and serialization failures;
 * every other error (bad data, DDL refused, constraint violations) is raised as is.
 */
const RETRIABLE_CODES = new Set([
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // mysql2
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  // PostgreSQL SQLSTATEs: serialization failure, deadlock, shutdown, too many connections
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

const RETRIABLE_MESSAGES = [/Connection terminated/i, /connection.*(closed|lost|ended)/i, /Cannot enqueue/i, /not connected/i, /timeout/i];

/** Whether an error (or its driverError/cause chain) is a transient database condition. */
export function isRetriableDbError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && (RETRIABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && RETRIABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
    current = e.driverError ?? e.cause;
  }
  return false;
}

/** Wraps transient database errors in RetriableError; returns other errors unchanged. */
export function classifyDbError(err: unknown, what: string): unknown {
  if (err instanceof RetriableError) return err;
  if (isRetriableDbError(err)) return new RetriableError(`${what}: ${errorMessage(err)}`, { cause: err });
  return err;
}
