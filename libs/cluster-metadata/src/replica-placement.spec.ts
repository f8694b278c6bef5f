import { placeReplicas, PlacementError } from './replica-placement';

const ids = (...n: number[]) => n.map((nodeId) => ({ nodeId, rack: null }));
const fixed = (v: number) => () => v;

describe('placeReplicas', () => {
  it("spreads leaders and followers as Kafka's rack-unaware assignment does", () => {
    // Kafka's AdminUtils test: brokers 0-4, 10 partitions, RF 3, start index 0 and shift 0.
    expect(placeReplicas(ids(0, 1, 2, 3, 4), 10, 3, 0, fixed(0))).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 0],
      [4, 0, 1],
      [0, 2, 3],
      [1, 3, 4],
      [2, 4, 0],
      [3, 0, 1],
      [4, 1, 2],
    ]);
  });

  it('puts the replicas of a partition on different racks when it can', () => {
    const brokers = [
      { nodeId: 1, rack: 'a' },
      { nodeId: 2, rack: 'a' },
      { nodeId: 3, rack: 'b' },
      { nodeId: 4, rack: 'b' },
      { nodeId: 5, rack: 'c' },
      { nodeId: 6, rack: 'c' },
    ];
    const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const placed = placeReplicas(brokers, 12, 3, 0, fixed(seed));
      for (const replicas of placed) {
        expect(new Set(replicas).size).toBe(3);
        expect(new Set(replicas.map((r) => rackOf.get(r))).size).toBe(3);
      }
      // Every broker leads the same number of partitions.
      const leads = new Map<number, number>();
      for (const [leader] of placed) leads.set(leader, (leads.get(leader) ?? 0) + 1);
      expect([...leads.values()]).toEqual([2, 2, 2, 2, 2, 2]);
    }
  });

  it('refuses what Kafka refuses, saying why', () => {
    expect(() => placeReplicas(ids(1, 2), 3, 3)).toThrow(new PlacementError('Replication factor: 3 larger than available brokers: 2.', 'INVALID_REPLICATION_FACTOR'));
    expect(() => placeReplicas(ids(1), 1, 0)).toThrow(/Replication factor must be larger than 0/);
    expect(() => placeReplicas([{ nodeId: 1, rack: 'a' }, { nodeId: 2, rack: null }], 1, 1)).toThrow(/Not all brokers have rack information/);
  });
});
