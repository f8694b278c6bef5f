import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { ClusterIdentity } from '../metadata/cluster-identity';
import { TopicManager } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { clusterReplicaHealth, partitionReplicas, type ClusterReplicaHealth, type KnownBroker, type PartitionReplicas } from './replica-health';

/**
 * The admin layer's reading of replica health (replica-health.ts) from the catalogue,
 * the partition records (PartitionStateTable) and the live brokers (ClusterView); it
 * remembers the address of every broker it saw live, so a dead one is listed by name.
 *
 * /metrics gauges (sampled at scrape time; reported by the controller only, 0 on other
 * brokers, as Kafka's controller-level counts, so a sum over brokers is the cluster's):
 *   millrace_cluster_offline_partitions            partitions without a live leader
 *   millrace_cluster_under_replicated_partitions   partitions whose live ISR is smaller than their replicas
 * (millrace_under_replicated_partitions stays the per-leader count of cluster/replication-metrics.ts.)
 */
@Injectable()
export class ReplicaHealthService implements OnModuleInit {
  private readonly seen = new Map<number, KnownBroker>();

  constructor(
    private readonly topics: TopicManager,
    private readonly states: PartitionStateTable,
    @Inject(CLUSTER_VIEW) private readonly view: ClusterView,
    private readonly identity: ClusterIdentity,
    private readonly metrics: BrokerMetrics,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const asController = (pick: (h: ClusterReplicaHealth) => number) => (): number => (this.view.controllerId() === this.identity.nodeId ? pick(this.cluster()) : 0);
    const offline = asController((h) => h.offlinePartitions);
    const under = asController((h) => h.underReplicatedPartitions);
    new Gauge({ name: 'millrace_cluster_offline_partitions', help: 'Partitions without a live leader (reported by the controller; 0 elsewhere)', registers, collect() { this.set(offline()); } });
    new Gauge({ name: 'millrace_cluster_under_replicated_partitions', help: 'Partitions whose live in-sync replicas are fewer than their replicas (reported by the controller; 0 elsewhere)', registers, collect() { this.set(under()); } });
  }

  /** Live node ids now (and remembers their addresses). */
  private live(): Set<number> {
    const live = new Set<number>();
    for (const b of this.view.liveBrokers()) {
      live.add(b.nodeId);
      this.seen.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    }
    return live;
  }

  ofTopic(topic: TopicMetadata): PartitionReplicas[] {
    return partitionReplicas(topic, this.states, this.live(), this.identity.nodeId);
  }

  cluster(): ClusterReplicaHealth {
    const live = this.live();
    const all = this.topics.all().flatMap((t) => partitionReplicas(t, this.states, live, this.identity.nodeId));
    return clusterReplicaHealth(all, [...this.seen.values()], live);
  }
}
