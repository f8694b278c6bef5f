import type { PartitionState } from '@millrace/cluster-metadata';
import type { TopicManager } from '../metadata/topic-manager';
import type { ReplicaManager } from '../partition/replica-manager';
import type { ClusterView } from './cluster-view';
import { ReplicaFetcher, type FetcherLogger } from './replica-fetcher';

/**
 * The follower fetchers of this broker: one per hosted partition another live broker
 * leads (ReplicaFetcher). `update` is called whenever a partition record or its topic's
 * assignment changes; a fetcher whose leader or leader epoch is no longer the recorded
 * one is stopped and, when this broker still follows, replaced by one for the new term.
 */
export class ReplicaFetchers {
  private readonly fetchers = new Map<string, ReplicaFetcher>();

  constructor(
    private readonly nodeId: number,
    private readonly replicas: ReplicaManager,
    private readonly topics: TopicManager,
    private readonly cluster: ClusterView,
    private readonly logger: FetcherLogger,
    /** replica.fetch.wait.max.ms */
    private readonly fetchWaitMaxMs = 500,
  ) {}

  update(topic: string, partition: number, state: PartitionState | undefined): void {
    const key = `${topic}\0${partition}`;
    const assigned = this.topics.get(topic)?.replicas?.[partition] ?? [];
    const follow = state !== undefined && state.leader >= 0 && state.leader !== this.nodeId && assigned.includes(this.nodeId);
    const current = this.fetchers.get(key);
    if (current && (!follow || current.leader !== state.leader || current.leaderEpoch !== state.leaderEpoch)) {
      this.fetchers.delete(key);
      void current.stop();
    }
    if (!follow || this.fetchers.has(key)) return;
    const leader = state.leader;
    this.fetchers.set(
      key,
      new ReplicaFetcher(topic, partition, leader, state.leaderEpoch, {
        nodeId: this.nodeId,
        fetchWaitMaxMs: this.fetchWaitMaxMs,
        partition: () => this.replicas.getPartition(topic, partition),
        leaderEndpoint: () => this.cluster.liveBrokers().find((b) => b.nodeId === leader),
        logger: this.logger,
      }),
    );
  }

  async stopAll(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(all.map((f) => f.stop()));
  }
}
