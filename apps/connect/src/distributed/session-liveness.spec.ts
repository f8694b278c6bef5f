import { SessionLiveness } from './session-liveness';

describe('SessionLiveness', () => {
  let t = 0;
  const clock = () => t;

  test('live after a join, until the session timeout passes without an answered heartbeat', () => {
    t = 1_000;
    const s = new SessionLiveness(10_000, clock);
    expect(s.isLive()).toBe(false);
    s.joinStarted();
    s.joinEnded(t);
    t = 10_999;
    expect(s.isLive()).toBe(true);
    s.heartbeatAnswered(t);
    t = 20_998;
    expect(s.isLive()).toBe(true);
    t = 21_000;
    expect(s.isLive()).toBe(false);
  });

  test('a join started while live keeps the member live however long it takes', () => {
    t = 0;
    const s = new SessionLiveness(10_000, clock);
    s.joinStarted();
    s.joinEnded(t);
    t = 5_000;
    s.joinStarted();
    t = 60_000;
    expect(s.isLive()).toBe(true);
    s.joinEnded();
    expect(s.isLive()).toBe(false);
  });

  test('a zombie (frozen past its session) is not live while it rejoins, nor after being lost', () => {
    t = 0;
    const s = new SessionLiveness(10_000, clock);
    s.joinStarted();
    s.joinEnded(t);
    t = 15_000;
    s.joinStarted();
    expect(s.isLive()).toBe(false);
    s.joinEnded(t);
    expect(s.isLive()).toBe(true);
    s.lost();
    expect(s.isLive()).toBe(false);
  });

  test('a join sent before a freeze and completed after it does not make the member live', () => {
    t = 0;
    const s = new SessionLiveness(10_000, clock);
    s.joinStarted();
    s.joinEnded(t);
    t = 1_000;
    s.joinStarted();
    const syncSentAt = t;
    t = 12_000; // frozen in between, the answer is read now
    s.joinEnded(syncSentAt);
    expect(s.isLive()).toBe(false);
    s.heartbeatAnswered(t);
    expect(s.isLive()).toBe(true);
  });
});
