/**
 * Calls `attempt` until it resolves, waiting `intervalMs` between failures, and returns
 * its value. Rejects when `timeoutMs` elapses (the message names `what` and carries the
 * last failure) or as soon as `abort()` returns an Error (e.g. the server process exited),
 * in which case that error is thrown as is.
 */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; abort?: () => Error | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  while (true) {
    const aborted = opts.abort?.();
    if (aborted) throw aborted;
    try {
      return await attempt();
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`${what} not ready within ${opts.timeoutMs} ms (last error: ${reason})`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}
