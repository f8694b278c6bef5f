import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import type { ClusterMetadataStore } from '@millrace/cluster-metadata';
import { KafkaConnection } from '@millrace/kafka-log';
import { MetadataModule } from '../metadata/metadata.module';
import { TopicManager } from '../metadata/topic-manager';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ClusterCatalogueSync } from './cluster-catalogue-sync';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { CLUSTER_METADATA_STORE } from './cluster.module';
import { ClusterMembership } from './cluster-membership';
import { CLUSTER_VIEW, type ClusterView } from './cluster-view';
import { PartitionStateTable } from './partition-state-table';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { IsrManager } from './isr-manager';
import { ReplicationMetrics } from './replication-metrics';
import { ReplicaFetchers } from './replica-fetchers';
import { followerReplicaOf } from './follower-replica';

/**
 * Cluster mode: starts following the cluster catalogue (ClusterCatalogueSync, with the
 * follower fetchers) and the leader's ISR changes (IsrManager) once the broker is up,
 * and stops both on shutdown. Inert on the single broker.
 */
@Injectable()
export class ClusterCatalogueLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private sync: ClusterCatalogueSync | null = null;
  private isr: IsrManager | null = null;

  constructor(
    @Inject(CLUSTER_METADATA_STORE) private readonly store: ClusterMetadataStore | null,
    private readonly topics: TopicManager,
    private readonly replicas: ReplicaManager,
    private readonly table: PartitionStateTable,
    @Inject(CLUSTER_VIEW) private readonly view: ClusterView,
    @Inject(ROOT_LOGGER) private readonly root: Logger,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly metrics: BrokerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.store || !this.config.cluster) return;
    const logger = this.root.child({ component: 'cluster-catalogue' });
    const log = { info: (m: string) => logger.info(m), warn: (m: string) => logger.warn(m) };
    const fetchers = new ReplicaFetchers({
      nodeId: this.table.nodeId,
      fetchWaitMaxMs: this.config.cluster.replicaFetchWaitMaxMs,
      fetchersPerLeader: this.config.cluster.numReplicaFetchers,
      assignedReplicas: (topic, partition) => this.topics.get(topic)?.replicas?.[partition] ?? [],
      replica: (topic, partition) => {
        const p = this.replicas.getPartition(topic, partition);
        return p && followerReplicaOf(p);
      },
      connect: async (leader) => {
        const b = this.view.liveBrokers().find((x) => x.nodeId === leader);
        return b ? KafkaConnection.open(b.host, b.port, `millrace-replica-${this.table.nodeId}`, 5000) : null;
      },
      logger: log,
    });
    this.sync = new ClusterCatalogueSync(this.store, this.topics, this.replicas, this.table, fetchers, log);
    await this.sync.start();
    const replication = new ReplicationMetrics(this.metrics.registry, this.replicas, this.topics, this.view);
    this.isr = new IsrManager(this.store, this.replicas, this.topics, this.table.nodeId, this.config.cluster.replicaLagTimeMaxMs, log, replication, (id) =>
      this.view.liveBrokers().some((b) => b.nodeId === id),
    );
    this.isr.start();
  }

  /**
   * Controlled shutdown: once this broker left the cluster (its lease revoked on
   * SIGTERM), the controller moves its partitions' leadership to in-sync followers (or
   * marks them offline); the catalogue is followed until no partition record names this
   * broker leader any more (at most the session timeout), so the process exits after
   * the hand-over, not before it.
   */
  async onModuleDestroy(): Promise<void> {
    this.isr?.stop();
    if (this.sync && this.view instanceof ClusterMembership && this.view.isLeaving) await this.awaitHandOver(this.config.cluster?.sessionTimeoutMs ?? 0);
    await this.sync?.stop();
  }

  private async awaitHandOver(timeoutMs: number): Promise<void> {
    const logger = this.root.child({ component: 'cluster-catalogue' });
    const started = Date.now();
    const before = this.table.ledBy(this.table.nodeId);
    while (this.table.ledBy(this.table.nodeId) > 0 && Date.now() - started < timeoutMs) await new Promise((resolve) => setTimeout(resolve, 50));
    const left = this.table.ledBy(this.table.nodeId);
    if (left === 0) logger.info(`controlled shutdown: leadership of ${before} partition(s) handed over in ${Date.now() - started} ms`);
    else logger.warn(`controlled shutdown: ${left} partition(s) still name this broker leader after ${timeoutMs} ms`);
  }
}

/** The cluster catalogue's mirror on this broker (topics, replicas hosted, partition leadership). */
@Module({
  imports: [MetadataModule, PartitionModule],
  providers: [ClusterCatalogueLifecycle],
})
export class ClusterCatalogueModule {}
