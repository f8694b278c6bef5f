import { FetchWaiters } from './fetch-waiters';

describe('FetchWaiters', () => {
  it('wakes a waiter when one of its keys is notified, and forgets it', async () => {
    const w = new FetchWaiters();
    let woke = false;
    const p = w.wait(['a', 'b'], 10_000).then(() => (woke = true));
    expect(w.waiting).toBe(2);
    w.notify('c');
    await Promise.resolve();
    expect(woke).toBe(false);
    w.notify('b');
    await p;
    expect(woke).toBe(true);
    expect(w.waiting).toBe(0);
  });

  it('resolves on timeout and cleans up', async () => {
    const w = new FetchWaiters();
    const started = Date.now();
    await w.wait(['x'], 20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(w.waiting).toBe(0);
  });
});
