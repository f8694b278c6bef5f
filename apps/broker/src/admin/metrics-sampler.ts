import { Injectable, type OnModuleInit } from '@nestjs/common';
import { GroupCoordinator } from '../group-coordinator';
import { BrokerMetrics, type MetricsSampler } from '../metrics/broker-metrics';
import { ReplicaManager } from '../partition/replica-manager';
import { groupLag } from './group-lag';

/** Feeds the scrape-time gauges (log sizes, group lag) from the partition layer and the coordinator. */
@Injectable()
export class BrokerMetricsSampler implements MetricsSampler, OnModuleInit {
  constructor(
    private readonly metrics: BrokerMetrics,
    private readonly replicas: ReplicaManager,
    private readonly groups: GroupCoordinator,
  ) {}

  onModuleInit(): void {
    this.metrics.setSampler(this);
  }

  logSizes(): { topic: string; partition: number; bytes: number }[] {
    return this.replicas.allPartitions().map((p) => ({ topic: p.topic, partition: p.index, bytes: p.log.size }));
  }

  async groupLags(): Promise<{ group: string; topic: string; partition: number; lag: number }[]> {
    const out: { group: string; topic: string; partition: number; lag: number }[] = [];
    for (const g of this.groups.listGroups().groups) {
      for (const l of groupLag(this.groups, this.replicas, g.groupId)) {
        if (l.lag !== null) out.push({ group: g.groupId, topic: l.topic, partition: l.partition, lag: l.lag });
      }
    }
    return out;
  }
}
