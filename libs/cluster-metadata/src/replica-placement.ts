/**
 * Where the replicas of new partitions go (Kafka's AdminUtils.assignReplicasToBrokers),
 * for CreateTopics and CreatePartitions without a manual assignment:
 *
 * - Rack-unaware (no broker has a rack): partition p's first replica (its preferred
 *   leader) is broker (p + start) mod n in id order; the others follow at a shift that
 *   grows by one after every n partitions, so leaders and followers both spread evenly.
 * - Rack-aware (every broker has a rack): the same walk over the brokers listed rack by
 *   rack in turn (rack-alternated list), skipping a broker whose rack already holds a
 *   replica while some rack holds none, and a broker already chosen while some broker
 *   is not: a partition's replicas span as many racks as possible.
 * - Some brokers with a rack and some without is refused, as Kafka refuses it.
 *
 * `random(n)` picks the start index and shift (0..n-1); tests fix it.
 */
export interface PlacementBroker {
  readonly nodeId: number;
  readonly rack: string | null;
}

export class PlacementError extends Error {
  constructor(
    message: string,
    readonly reason: 'INVALID_REPLICATION_FACTOR' | 'INVALID_PARTITIONS' | 'MIXED_RACKS',
  ) {
    super(message);
    this.name = 'PlacementError';
  }
}

export function placeReplicas(
  brokers: readonly PlacementBroker[],
  partitions: number,
  replicationFactor: number,
  firstPartitionId = 0,
  random: (n: number) => number = (n) => Math.floor(Math.random() * n),
): number[][] {
  if (partitions <= 0) throw new PlacementError(`Number of partitions must be larger than 0.`, 'INVALID_PARTITIONS');
  if (replicationFactor <= 0) throw new PlacementError('Replication factor must be larger than 0.', 'INVALID_REPLICATION_FACTOR');
  if (replicationFactor > brokers.length) {
    throw new PlacementError(`Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`, 'INVALID_REPLICATION_FACTOR');
  }
  const withRack = brokers.filter((b) => b.rack !== null).length;
  if (withRack === 0) return rackUnaware(brokers.map((b) => b.nodeId).sort((a, b) => a - b), partitions, replicationFactor, firstPartitionId, random);
  if (withRack < brokers.length) throw new PlacementError('Not all brokers have rack information for replica rack aware assignment.', 'MIXED_RACKS');
  return rackAware(brokers, partitions, replicationFactor, firstPartitionId, random);
}

function replicaIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

function rackUnaware(ids: number[], partitions: number, rf: number, firstPartitionId: number, random: (n: number) => number): number[][] {
  const n = ids.length;
  const start = random(n);
  let shift = random(n);
  const out: number[][] = [];
  for (let i = 0, p = Math.max(0, firstPartitionId); i < partitions; i++, p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const replicas = [ids[first]];
    for (let j = 0; j < rf - 1; j++) replicas.push(ids[replicaIndex(first, shift, j, n)]);
    out.push(replicas);
  }
  return out;
}

/** Brokers ordered rack by rack in turn (racks and their brokers sorted): r1b1, r2b1, r1b2, ... */
function rackAlternated(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of [...brokers].sort((x, y) => x.nodeId - y.nodeId)) {
    const list = byRack.get(b.rack!) ?? [];
    list.push(b);
    byRack.set(b.rack!, list);
  }
  const racks = [...byRack.keys()].sort();
  const out: PlacementBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const r of racks) {
      const b = byRack.get(r)![i];
      if (b) out.push(b);
    }
  }
  return out;
}

function rackAware(brokers: readonly PlacementBroker[], partitions: number, rf: number, firstPartitionId: number, random: (n: number) => number): number[][] {
  const list = rackAlternated(brokers);
  const n = list.length;
  const numRacks = new Set(list.map((b) => b.rack)).size;
  const start = random(n);
  let shift = random(n);
  const out: number[][] = [];
  for (let i = 0, p = Math.max(0, firstPartitionId); i < partitions; i++, p++) {
    if (p > 0 && p % n === 0) shift++;
    const first = (p + start) % n;
    const leader = list[first];
    const replicas = [leader.nodeId];
    const racks = new Set([leader.rack]);
    const chosen = new Set([leader.nodeId]);
    let k = 0;
    for (let j = 0; j < rf - 1; j++) {
      for (;;) {
        const b = list[replicaIndex(first, shift * numRacks, k++, n)];
        if ((!racks.has(b.rack) || racks.size === numRacks) && (!chosen.has(b.nodeId) || chosen.size === n)) {
          replicas.push(b.nodeId);
          racks.add(b.rack);
          chosen.add(b.nodeId);
          break;
        }
      }
    }
    out.push(replicas);
  }
  return out;
}
