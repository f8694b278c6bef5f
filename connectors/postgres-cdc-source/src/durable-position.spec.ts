import { DurablePosition } from './durable-position';

describe('DurablePosition', () => {
  it('moves only to the end of transactions the broker committed', () => {
    const p = new DurablePosition(100n);
    p.handedOut(200n);
    p.handedOut(300n);
    expect(p.lsn).toBe(100n);
    p.committed(200n, 0);
    expect(p.lsn).toBe(200n);
    p.committed(150n, 0); // never backwards
    expect(p.lsn).toBe(200n);
  });

  it('an empty transaction waits for everything handed out or queued before it', () => {
    const p = new DurablePosition(100n);
    p.handedOut(200n);
    p.empty(250n, 0);
    expect(p.lsn).toBe(100n); // 200 is not committed yet
    p.committed(200n, 1); // a transaction is still queued (ends before 250)
    expect(p.lsn).toBe(200n);
    p.handedOut(240n);
    p.committed(240n, 0);
    expect(p.lsn).toBe(250n);
  });

  it('with nothing in flight an empty transaction moves the position at once (idle or uncaptured tables)', () => {
    const p = new DurablePosition(100n);
    p.empty(180n, 0);
    expect(p.lsn).toBe(180n);
  });
});
