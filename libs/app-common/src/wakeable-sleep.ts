/**
 * An interruptible sleep for polling loops: `sleep(ms)` resolves after `ms`, or earlier
 * at `wake()` (something for the loop to do now) or `close()` (the loop stops).
 *
 * Contracts:
 * - `wake()` ends every sleep in progress; a wake while nobody sleeps is not remembered
 *   (the next sleep waits its full time: the loop checks its work before sleeping).
 * - After `close()` every sleep, in progress or later, resolves at once.
 * - A sleep ended early clears its timer (nothing keeps the process alive).
 */
export class WakeableSleep {
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  /** Resolves after `ms` milliseconds, or at the next `wake()` / `close()`. */
  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Ends the sleeps in progress. */
  wake(): void {
    for (const done of [...this.sleepers]) done();
  }

  /** Ends the sleeps in progress, and every later one at once. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
