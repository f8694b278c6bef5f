import type { PartitionState } from '@millrace/cluster-metadata';
import type { TopicMetadata } from '../metadata/topic-store';
import { clusterReplicaHealth, partitionReplicas } from './replica-health';

const topic = (name: string, replicas?: number[][]): TopicMetadata => ({ name, partitions: replicas?.length ?? 2, replicas, replicationFactor: replicas?.[0]?.length ?? 1 }) as unknown as TopicMetadata;
const table = (states: Record<string, PartitionState>) => ({ leadershipOf: (t: string, p: number) => states[`${t}-${p}`] });
const state = (leader: number, isr: number[]): PartitionState => ({ leader, leaderEpoch: 3, isr, partitionEpoch: 1 });

describe('replica health', () => {
  it('the single broker leads every partition alone', () => {
    const ps = partitionReplicas(topic('t'), table({}), new Set([1]), 1);
    expect(ps.map((p) => [p.leader, p.replicas, p.isr, p.underReplicated, p.offline])).toEqual([
      [1, [1], [1], false, false],
      [1, [1], [1], false, false],
    ]);
  });

  it('a dead follower makes a partition under-replicated at once; a dead leader makes it offline', () => {
    const t = topic('orders', [[1, 2, 3], [2, 3, 1], [3, 1, 2]]);
    const states = table({ 'orders-0': state(1, [1, 2, 3]), 'orders-1': state(2, [2, 1]), 'orders-2': state(3, [3, 1, 2]) });
    const live = new Set([1, 2]);
    const ps = partitionReplicas(t, states, live, 1);
    expect(ps.map((p) => ({ leader: p.leader, under: p.underReplicated, offline: p.offline, down: p.offlineReplicas }))).toEqual([
      { leader: 1, under: true, offline: false, down: [3] },
      { leader: 2, under: true, offline: false, down: [3] },
      { leader: -1, under: false, offline: true, down: [3] },
    ]);
    const h = clusterReplicaHealth(ps, [{ nodeId: 1, host: 'a', port: 9092, rack: null }, { nodeId: 3, host: 'c', port: 9094, rack: null }], live);
    expect(h).toMatchObject({ partitions: 3, underReplicatedPartitions: 2, offlinePartitions: 1 });
    expect(h.underReplicated.map((p) => `${p.topic}-${p.partition}`)).toEqual(['orders-0', 'orders-1']);
    expect(h.offline.map((p) => `${p.topic}-${p.partition}`)).toEqual(['orders-2']);
    // broker 2 was never "seen" with an address but holds replicas; 3 is dead with its last address
    expect(h.brokers).toEqual([
      { nodeId: 1, host: 'a', port: 9092, rack: null, alive: true, leaderOf: 1, replicaOf: 3 },
      { nodeId: 2, host: null, port: null, rack: null, alive: true, leaderOf: 1, replicaOf: 3 },
      { nodeId: 3, host: 'c', port: 9094, rack: null, alive: false, leaderOf: 0, replicaOf: 3 },
    ]);
  });

  it('a partition without a record yet has no leader', () => {
    const [p] = partitionReplicas(topic('new', [[1, 2]]), table({}), new Set([1, 2]), 1);
    expect(p).toMatchObject({ leader: -1, leaderEpoch: -1, isr: [], offline: true, underReplicated: false });
  });
});
