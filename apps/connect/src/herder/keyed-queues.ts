/**
 * One serial queue per key (per connector): jobs of one key run one at a time in the
 * order they were queued; jobs of different keys never wait for each other.
 *
 * Contracts: `run` resolves or rejects with the job's outcome; a failed job does not
 * stop the queue; `idle` resolves once every job queued so far (all keys) finished.
 * A key's queue is forgotten once it drained.
 */
export class KeyedQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(job);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every job queued so far under `key` finished. */
  async drained(key: string): Promise<void> {
    await this.tails.get(key);
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
