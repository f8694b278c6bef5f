/**
 * Runs the operations given for one key one after another, in call order (those of
 * different keys run freely). The replica fetchers use it per partition: when a
 * partition moves from one leader's fetcher to another's, the new fetcher's truncation
 * waits for an append the old one had already started. A failing operation rejects its
 * own caller only; the next one still runs. Memory: one entry per key with work queued.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(op);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get busy(): number {
    return this.tails.size;
  }
}
