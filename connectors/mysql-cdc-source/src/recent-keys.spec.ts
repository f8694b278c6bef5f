import { RecentKeys } from './recent-keys';

describe('RecentKeys (keys handed out before a window opens)', () => {
  it('answers the keys handed out within the asked time, by table, and lets older ones go', () => {
    let now = 1_000;
    const recent = new RecentKeys(10_000, () => now);
    recent.add('db.a', [['1']]);
    now += 4_000;
    recent.add('db.a', [['2'], ['3']]);
    recent.add('db.b', [['x', 'y']]);
    now += 7_000; // key 1 is 11 s old now: past keepMs
    recent.add('db.a', [['4']]);
    expect(recent.since(10_000)).toEqual(new Map([['db.a', [['2'], ['3'], ['4']]], ['db.b', [['x', 'y']]]]));
    expect(recent.since(1_000)).toEqual(new Map([['db.a', [['4']]]]));
    expect(recent.since(60_000).get('db.a')).toEqual([['2'], ['3'], ['4']]); // never more than keepMs back
    recent.clear();
    expect(recent.since(10_000).size).toBe(0);
  });

  it('stays bounded under a steady stream (old entries are dropped from memory, not only skipped)', () => {
    let now = 0;
    const recent = new RecentKeys(100, () => now);
    for (let i = 0; i < 50_000; i++) {
      now += 1;
      recent.add('db.t', [[String(i)]]);
    }
    const keys = recent.since(100).get('db.t')!;
    expect(keys.length).toBe(101);
    expect(keys[keys.length - 1]).toEqual(['49999']);
    expect((recent as unknown as { entries: unknown[] }).entries.length).toBeLessThan(2_500);
  });
});
