import { DeadlineTimer } from './deadline-timer';

describe('DeadlineTimer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('does not fire while the wall clock is before the deadline, even when its timeout ran early', async () => {
    const fired: number[] = [];
    const t = new DeadlineTimer(() => fired.push(Date.now()));
    t.at(1_000_400);
    // The loop's timeout elapses while the wall clock lags 5 ms behind (a stale loop time).
    jest.setSystemTime(1_000_395 - 400);
    await jest.advanceTimersByTimeAsync(400);
    expect(Date.now()).toBe(1_000_395);
    expect(fired).toEqual([]);
    await jest.advanceTimersByTimeAsync(5);
    expect(fired).toEqual([1_000_400]);
  });

  it('keeps the earliest deadline and fires once per deadline', async () => {
    let fired = 0;
    const t = new DeadlineTimer(() => fired++);
    t.at(1_000_300);
    t.at(1_000_100);
    t.at(1_000_200);
    await jest.advanceTimersByTimeAsync(100);
    expect(fired).toBe(1);
    await jest.advanceTimersByTimeAsync(300);
    expect(fired).toBe(1);
    t.at(1_000_500);
    t.cancel();
    await jest.advanceTimersByTimeAsync(500);
    expect(fired).toBe(1);
  });
});
