/**
 * The buffer of a push-driven source task (MQTT, OPC UA: a client library delivers
 * messages by callback; the runtime pulls them with `read`). `push` appends and wakes a
 * waiting `take`; `take(max, waitMs)` answers up to `max` items at once, or waits at most
 * `waitMs` for the first one (so `read` stays prompt to stop, as the SourceTask contract
 * asks), answering [] when none came. `wake()` ends a wait early (a failure to report).
 */
export class PushedQueue<T> {
  private items: T[] = [];
  private waiter: (() => void) | null = null;

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Removes the first item matching `match` (e.g. the oldest droppable one); whether one was. */
  dropFirst(match: (item: T) => boolean): boolean {
    const i = this.items.findIndex(match);
    if (i >= 0) this.items.splice(i, 1);
    return i >= 0;
  }

  wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async take(max: number, waitMs: number): Promise<T[]> {
    if (this.items.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, waitMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.items.splice(0, max);
  }
}
