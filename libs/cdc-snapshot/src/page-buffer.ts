/** What PageBuffer needs of a page: its rows (counted against the cap). */
export interface PageRows {
  readonly rows: readonly unknown[];
}

/**
 * The bounded read-ahead of the chunk readers that fill one buffer of rows (ChunkedSnapshot,
 * SharedChunkWorker): it counts the rows in memory and holds each reader back while they
 * are at the cap.
 *
 * Contracts:
 * - `readAhead` holds each page a reader reads until the next one arrives: the page before
 *   goes to `emit` (the owner buffers it), the last one is what `readAhead` resolves to, so
 *   the owner can buffer it together with its chunk's "done" marker.
 * - A held page counts in `bufferedRows` from when it is held, an emitted one until the
 *   owner `release`s it (takes it out of its buffer): the rows in memory stay bounded.
 * - A reader hands out its held page before it waits for space (never waits while holding
 *   one: the buffer could stay empty), then waits while `bufferedRows >= maxRows` and its
 *   signal is not aborted; `release` and `wake` let waiting readers check again.
 * - A read that throws, or ends with its signal aborted, gives back the rows of its held
 *   page (resolving to null on abort; the error is rethrown).
 */
export class PageBuffer {
  private rows = 0;
  private spaceWaiters: (() => void)[] = [];

  constructor(private readonly maxRows: number) {
    if (!(maxRows > 0)) throw new Error(`PageBuffer: maxRows must be positive, got ${maxRows}`);
  }

  /** Rows held or emitted and not yet released. */
  get bufferedRows(): number {
    return this.rows;
  }

  /** The owner took `rows` rows out of its buffer: readers waiting for space check again. */
  release(rows: number): void {
    this.rows -= rows;
    this.wake();
  }

  /** Readers waiting for space check again (e.g. before their signals are aborted on stop). */
  wake(): void {
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  /**
   * Runs `read`, which calls its `onPage` once per page (and awaits it: back-pressure).
   * Resolves to the last page, still held and counted, or null (no page, or aborted).
   */
  async readAhead<P extends PageRows>(read: (onPage: (page: P) => Promise<void>) => Promise<void>, signal: AbortSignal, emit: (page: P) => void): Promise<P | null> {
    let held: P | null = null;
    const giveBack = (): void => {
      if (held !== null) this.rows -= held.rows.length;
      held = null;
    };
    try {
      await read(async (page) => {
        if (held !== null) emit(held);
        held = null;
        while (!signal.aborted && this.rows >= this.maxRows) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
        if (signal.aborted) return;
        held = page;
        this.rows += page.rows.length;
      });
    } catch (err) {
      giveBack();
      throw err;
    }
    if (signal.aborted) giveBack();
    return held;
  }
}
