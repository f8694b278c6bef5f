import { PushedQueue } from './pushed-queue';

describe('PushedQueue', () => {
  it('answers what is there at once, up to max, in order', async () => {
    const q = new PushedQueue<number>();
    for (let i = 0; i < 5; i++) q.push(i);
    expect(await q.take(3, 1000)).toEqual([0, 1, 2]);
    expect(await q.take(10, 1000)).toEqual([3, 4]);
  });

  it('waits for the first push, or answers [] after waitMs', async () => {
    const q = new PushedQueue<string>();
    const started = Date.now();
    setTimeout(() => q.push('late'), 30);
    expect(await q.take(10, 5000)).toEqual(['late']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await q.take(10, 20)).toEqual([]);
  });

  it('wake() ends a wait early; dropFirst removes the first match', async () => {
    const q = new PushedQueue<number>();
    const waiting = q.take(10, 60_000);
    q.wake();
    expect(await waiting).toEqual([]);
    [1, 2, 3].forEach((n) => q.push(n));
    expect(q.dropFirst((n) => n % 2 === 0)).toBe(true);
    expect(q.dropFirst((n) => n > 9)).toBe(false);
    expect(await q.take(10, 10)).toEqual([1, 3]);
  });
});
