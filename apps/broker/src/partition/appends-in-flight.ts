/**
 * The local appends a leader has started and not finished, per partition key.
 *
 * A follower fetches all the partitions it follows on a leader in one request, and a
 * parked one is woken by the first append to any of them. One produce request usually
 * carries batches for several of those partitions, appended concurrently: read at once,
 * the woken fetch would carry only the first append, and each other partition would
 * cost the follower one more round trip before the produce can be acknowledged. Kafka
 * avoids this by completing a produce request's appends before the fetches they wake;
 * here a multi-partition follower fetch waits (`settled`) for the appends already under
 * way on its partitions — a snapshot, never the ones started after — before it reads.
 *
 * Contract: `track` takes a promise that settles (it may reject: that counts as done);
 * an entry is removed when its promise settles, so memory is bounded by the appends in
 * flight.
 */
export class AppendsInFlight {
  private readonly byKey = new Map<string, Set<Promise<unknown>>>();

  track(key: string, append: Promise<unknown>): void {
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(append);
    const done = (): void => {
      const s = this.byKey.get(key);
      if (!s) return;
      s.delete(append);
      if (s.size === 0) this.byKey.delete(key);
    };
    append.then(done, done);
  }

  /**
   * Resolves once every append in flight now on one of `keys` has finished, or after
   * `maxWaitMs`; null when none is in flight (nothing to wait for).
   */
  settled(keys: readonly string[], maxWaitMs: number): Promise<void> | null {
    const pending: Promise<unknown>[] = [];
    for (const k of keys) {
      const set = this.byKey.get(k);
      if (set) pending.push(...set);
    }
    if (pending.length === 0) return null;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, maxWaitMs));
      const finish = (): void => {
        clearTimeout(timer);
        resolve();
      };
      Promise.allSettled(pending).then(finish, finish);
    });
  }

  /** Appends in flight over every key. */
  get size(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }
}
