/**
 * A FIFO async mutex. `run(fn)` executes `fn` once every earlier `run` has settled; a
 * rejection of one task does not poison the queue. Used to serialise the mutating
 * operations of one log (append writes, roll, truncate, segment deletion, compaction swap).
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();
  private held = false;

  get isLocked(): boolean {
    return this.held;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.held = true;
      try {
        return await fn();
      } finally {
        this.held = false;
      }
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
