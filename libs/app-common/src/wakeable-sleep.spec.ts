import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Whether `p` has settled once pending callbacks ran. */
  async function settled(p: Promise<void>): Promise<boolean> {
    let done = false;
    void p.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return done;
  }

  it('sleeps its full time when nothing wakes it', async () => {
    const s = new WakeableSleep();
    const p = s.sleep(1000);
    jest.advanceTimersByTime(999);
    expect(await settled(p)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await settled(p)).toBe(true);
  });

  it('wake() ends every sleep in progress early and clears their timers', async () => {
    const s = new WakeableSleep();
    const a = s.sleep(1000);
    const b = s.sleep(5000);
    expect(jest.getTimerCount()).toBe(2);
    s.wake();
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a wake while nobody sleeps is not remembered', async () => {
    const s = new WakeableSleep();
    s.wake();
    const p = s.sleep(100);
    expect(await settled(p)).toBe(false);
    jest.advanceTimersByTime(100);
    expect(await settled(p)).toBe(true);
  });

  it('close() ends the sleep in progress and makes every later one resolve at once', async () => {
    const s = new WakeableSleep();
    const p = s.sleep(60_000);
    expect(s.isClosed).toBe(false);
    s.close();
    expect(s.isClosed).toBe(true);
    expect(await settled(p)).toBe(true);
    expect(await settled(s.sleep(60_000))).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
