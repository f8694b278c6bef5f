/**
 * Kafka's "delayed fetch purgatory": fetches that found less than minBytes wait here
 * until one of their partitions receives data or their maxWait passes.
 *
 * Contract: `wait` resolves (never rejects) on the first `notify` of one of its keys or
 * on timeout, and removes itself everywhere on resolution, so memory is bounded by the
 * number of waiting fetches.
 */
export class FetchWaiters {
  private readonly byKey = new Map<string, Set<() => void>>();

  wait(keys: readonly string[], timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const k of keys) {
          const set = this.byKey.get(k);
          if (!set) continue;
          set.delete(finish);
          if (set.size === 0) this.byKey.delete(k);
        }
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      for (const k of keys) {
        let set = this.byKey.get(k);
        if (!set) this.byKey.set(k, (set = new Set()));
        set.add(finish);
      }
    });
  }

  notify(key: string): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const finish of [...set]) finish();
  }

  get waiting(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }
}
