import { GroupConsumerError } from './group-consumer-types';

/** Kafka's request.timeout.ms default (and kafkajs's requestTimeout): how long a group consumer waits for any answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * `request`'s answer, or a GroupConsumerError (retriable) naming `what` once `timeoutMs`
 * passed without one; then `onTimeout` runs (the caller closes the connection, which
 * fails the request too, so a broker that stopped answering — a half-open connection, a
 * stopped process — is left and found again instead of holding the consumer forever).
 */
export async function withRequestTimeout<T>(request: Promise<T>, timeoutMs: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new GroupConsumerError(`${what}: no answer in ${timeoutMs} ms`));
      onTimeout();
    }, timeoutMs);
  });
  try {
    return await Promise.race([request, expired]);
  } finally {
    clearTimeout(timer);
  }
}
