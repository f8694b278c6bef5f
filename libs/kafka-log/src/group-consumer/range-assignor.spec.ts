import { rangeAssign } from './range-assignor';

describe('rangeAssign (Kafka RangeAssignor)', () => {
  test('contiguous ranges per topic, the first n % m members (by member id) get one more', () => {
    const a = rangeAssign(
      [
        { memberId: 'b', topics: ['t'] },
        { memberId: 'a', topics: ['t'] },
        { memberId: 'c', topics: ['t'] },
      ],
      new Map([['t', 7]]),
    );
    expect(a.get('a')).toEqual({ t: [0, 1, 2] });
    expect(a.get('b')).toEqual({ t: [3, 4] });
    expect(a.get('c')).toEqual({ t: [5, 6] });
  });

  test('each topic is split among its own subscribers only; more members than partitions leaves some empty', () => {
    const a = rangeAssign(
      [
        { memberId: 'm1', topics: ['x', 'y'] },
        { memberId: 'm2', topics: ['y'] },
        { memberId: 'm3', topics: ['y'] },
      ],
      new Map([
        ['x', 2],
        ['y', 2],
      ]),
    );
    expect(a.get('m1')).toEqual({ x: [0, 1], y: [0] });
    expect(a.get('m2')).toEqual({ y: [1] });
    expect(a.get('m3')).toEqual({});
  });

  test('a topic the cluster does not know is assigned to nobody; every partition is assigned exactly once', () => {
    const members = Array.from({ length: 4 }, (_, i) => ({ memberId: `w-${i}`, topics: ['t', 'gone'] }));
    const a = rangeAssign(members, new Map([['t', 10]]));
    const all = [...a.values()].flatMap((x) => x['t'] ?? []);
    expect(all.sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...a.values()].some((x) => 'gone' in x)).toBe(false);
  });
});
