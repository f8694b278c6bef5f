/**
 * How far a KafkaBasedLog has read each partition, and who waits for it to read further.
 *
 * Contracts:
 * - A partition's position is the offset it reads next (0 before anything was read); it
 *   only moves forward.
 * - `waitPast(p, o)` resolves once position(p) > o (at once if it already is), or
 *   rejects with `onTimeout()` after `timeoutMs` (no timeout when it is Infinity).
 * - After `releaseAll()` every pending and later wait resolves at once: a stopped log
 *   has nothing left to wait for.
 */
export class ReadPositions {
  private readonly next = new Map<number, number>();
  private waiters: { partition: number; offset: number; resolve: () => void }[] = [];
  private released = false;

  of(partition: number): number {
    return this.next.get(partition) ?? 0;
  }

  advance(partition: number, position: number): void {
    if (position <= this.of(partition)) return;
    this.next.set(partition, position);
    const due = this.waiters.filter((w) => w.partition === partition && w.offset < position);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve();
  }

  waitPast(partition: number, offset: number, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (offset < this.of(partition) || this.released) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        partition,
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(onTimeout());
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  releaseAll(): void {
    this.released = true;
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
