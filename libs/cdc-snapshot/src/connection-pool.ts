/**
 * A fixed set of database connections lent out one at a time — the connections of a
 * snapshot, each holding its own long transaction (so they are never opened on demand
 * nor shared by two readers at once). `withConnection` waits for a free one, in FIFO
 * order; `close` ends them all, ignoring errors (a connection may already be dead).
 */
export interface PooledConnection {
  end(): Promise<unknown>;
}

export class ConnectionLoan<C extends PooledConnection> {
  private readonly free: C[];
  private readonly waiters: ((c: C) => void)[] = [];

  protected constructor(protected readonly all: readonly C[]) {
    this.free = [...all];
  }

  async withConnection<T>(work: (c: C) => Promise<T>): Promise<T> {
    const client = this.free.pop() ?? (await new Promise<C>((resolve) => this.waiters.push(resolve)));
    try {
      return await work(client);
    } finally {
      const next = this.waiters.shift();
      if (next) next(client);
      else this.free.push(client);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((c) => c.end().catch(() => undefined)));
  }
}
