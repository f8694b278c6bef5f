import { AppendsInFlight } from './appends-in-flight';

describe('AppendsInFlight', () => {
  const deferred = () => {
    let resolve: () => void = () => undefined;
    let reject: (e: Error) => void = () => undefined;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };

  it('settled is null when nothing is in flight on the keys asked', () => {
    const a = new AppendsInFlight();
    const d = deferred();
    a.track('x', d.promise);
    expect(a.settled(['y', 'z'], 1000)).toBeNull();
    expect(a.settled(['x'], 1000)).not.toBeNull();
  });

  it('waits for the appends in flight at the call (a rejected one counts as done), not for later ones, and forgets settled ones', async () => {
    const a = new AppendsInFlight();
    const first = deferred();
    const second = deferred();
    a.track('x', first.promise);
    a.track('y', second.promise);
    let done = false;
    const settled = a.settled(['x', 'y'], 10_000)!.then(() => (done = true));
    const later = deferred();
    a.track('x', later.promise);
    first.resolve();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    second.reject(new Error('append failed'));
    await settled;
    expect(done).toBe(true);
    expect(a.size).toBe(1); // only the later one
    later.resolve();
    await new Promise((r) => setImmediate(r));
    expect(a.size).toBe(0);
  });

  it('gives up after maxWaitMs', async () => {
    const a = new AppendsInFlight();
    a.track('x', new Promise(() => undefined));
    const started = Date.now();
    await a.settled(['x'], 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});
