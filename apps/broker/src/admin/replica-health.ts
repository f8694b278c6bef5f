import type { PartitionState } from '@millrace/cluster-metadata';
import type { TopicMetadata } from '../metadata/topic-store';

/**
 * Leader, replicas and ISR of every partition as this broker knows them, and what is
 * wrong with them — the facts of Kafka's `kafka-topics --describe` (Leader, Replicas,
 * Isr, Offline) and of its `--under-replicated-partitions` / `--unavailable-partitions`
 * filters, for the admin API, the console and /metrics.
 *
 * Definitions (Kafka's):
 * - offline: no live leader (the partition record names none, or names a broker that
 *   is not live) — produce and fetch fail; Kafka's OfflinePartitionsCount;
 * - under-replicated: a live leader, but fewer live in-sync replicas than assigned
 *   replicas — Kafka's UnderReplicatedPartitions (a dead follower counts at once, not
 *   only after the leader shrank the ISR after replica.lag.time.max.ms).
 *
 * Pure functions of the topic catalogue, the partition records and the live brokers;
 * the single broker (no replica assignment) leads every partition alone.
 */
export interface PartitionReplicas {
  readonly topic: string;
  readonly partition: number;
  /** Node id of the leader, -1 when none is live. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Assigned replicas on brokers that are not live. */
  readonly offlineReplicas: readonly number[];
  readonly underReplicated: boolean;
  readonly offline: boolean;
}

export interface LeadershipLookup {
  leadershipOf(topic: string, partition: number): PartitionState | undefined;
}

export function partitionReplicas(topic: TopicMetadata, states: LeadershipLookup, live: ReadonlySet<number>, selfId: number): PartitionReplicas[] {
  return Array.from({ length: topic.partitions }, (_, partition) => {
    const assigned = topic.replicas?.[partition];
    if (!assigned) {
      return { topic: topic.name, partition, leader: selfId, leaderEpoch: 0, replicas: [selfId], isr: [selfId], offlineReplicas: [], underReplicated: false, offline: false };
    }
    const state = states.leadershipOf(topic.name, partition);
    const leader = state && state.leader >= 0 && live.has(state.leader) ? state.leader : -1;
    const isr = state ? [...state.isr] : [];
    const liveIsr = isr.filter((r) => live.has(r)).length;
    return {
      topic: topic.name,
      partition,
      leader,
      leaderEpoch: state?.leaderEpoch ?? -1,
      replicas: [...assigned],
      isr,
      offlineReplicas: assigned.filter((r) => !live.has(r)),
      underReplicated: leader >= 0 && liveIsr < assigned.length,
      offline: leader < 0,
    };
  });
}

export interface BrokerLiveness {
  readonly nodeId: number;
  readonly host: string | null;
  readonly port: number | null;
  readonly rack: string | null;
  readonly alive: boolean;
  /** Partitions whose live leader it is. */
  readonly leaderOf: number;
  /** Partitions with a replica on it. */
  readonly replicaOf: number;
}

export interface ClusterReplicaHealth {
  readonly brokers: BrokerLiveness[];
  readonly partitions: number;
  readonly underReplicatedPartitions: number;
  readonly offlinePartitions: number;
  /** The partitions counted above ("topic-partition" lists), for the operator to act on. */
  readonly underReplicated: Array<{ topic: string; partition: number; replicas: readonly number[]; isr: readonly number[]; offlineReplicas: readonly number[] }>;
  readonly offline: Array<{ topic: string; partition: number; replicas: readonly number[]; offlineReplicas: readonly number[] }>;
}

/** Endpoints of live brokers, and of brokers seen live earlier (a dead broker keeps its last address). */
export interface KnownBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

/**
 * The cluster summary: every broker that is live, was seen live, or holds an assigned
 * replica (with liveness and counts), and the under-replicated and offline partitions.
 */
export function clusterReplicaHealth(all: readonly PartitionReplicas[], known: readonly KnownBroker[], live: ReadonlySet<number>): ClusterReplicaHealth {
  const brokers = new Map<number, { nodeId: number; host: string | null; port: number | null; rack: string | null; leaderOf: number; replicaOf: number }>();
  for (const b of known) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack, leaderOf: 0, replicaOf: 0 });
  const entry = (id: number) => {
    let b = brokers.get(id);
    if (!b) brokers.set(id, (b = { nodeId: id, host: null, port: null, rack: null, leaderOf: 0, replicaOf: 0 }));
    return b;
  };
  for (const p of all) {
    for (const r of p.replicas) entry(r).replicaOf++;
    if (p.leader >= 0) entry(p.leader).leaderOf++;
  }
  const underReplicated = all.filter((p) => p.underReplicated).map(({ topic, partition, replicas, isr, offlineReplicas }) => ({ topic, partition, replicas, isr, offlineReplicas }));
  const offline = all.filter((p) => p.offline).map(({ topic, partition, replicas, offlineReplicas }) => ({ topic, partition, replicas, offlineReplicas }));
  return {
    brokers: [...brokers.values()].sort((a, b) => a.nodeId - b.nodeId).map((b) => ({ ...b, alive: live.has(b.nodeId) })),
    partitions: all.length,
    underReplicatedPartitions: underReplicated.length,
    offlinePartitions: offline.length,
    underReplicated,
    offline,
  };
}
