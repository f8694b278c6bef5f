import { Global, Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { ClusterMetadataStore } from '@millrace/cluster-metadata';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ClusterMembership } from './cluster-membership';
import { ClusterTopicWriter } from './cluster-topic-writer';
import { CLUSTER_VIEW, SingleBrokerView, type BrokerEndpoint, type ClusterView } from './cluster-view';
import { PartitionStateTable } from './partition-state-table';

/** Nest injection token: the ClusterMetadataStore in cluster mode, null for the single broker. */
export const CLUSTER_METADATA_STORE = Symbol('CLUSTER_METADATA_STORE');

/** Nest injection token: the topic manager's ClusterTopicPort in cluster mode, null for the single broker. */
export const CLUSTER_TOPIC_PORT = Symbol('CLUSTER_TOPIC_PORT');

/**
 * Joins the cluster once the broker is up (onApplicationBootstrap, after the Kafka
 * listener opened) and leaves it first on shutdown (controlled shutdown: the
 * registration and any controller claim go at once instead of after the lease TTL).
 * Leaving starts on SIGTERM/SIGINT before Nest's own shutdown hooks run (a listener
 * prepended to theirs), so other modules' slower teardown does not delay it; the etcd
 * client is closed only after the leave finished.
 */
@Injectable()
export class ClusterLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private leaving: Promise<void> | null = null;

  constructor(
    @Inject(CLUSTER_VIEW) private readonly view: ClusterView,
    @Inject(CLUSTER_METADATA_STORE) private readonly store: ClusterMetadataStore | null,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(this.view instanceof ClusterMembership)) return;
    try {
      await this.view.join();
    } catch (err) {
      throw new Error(`cannot join cluster '${this.config.cluster?.clusterName}' through etcd ${this.config.cluster?.etcdEndpoints.join(',')}: ${(err as Error).message}`);
    }
    const leaveNow = (): void => void this.leave();
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependOnceListener(signal, leaveNow);
  }

  async onModuleDestroy(): Promise<void> {
    await this.leave();
    this.store?.close();
  }

  private leave(): Promise<void> {
    if (!(this.view instanceof ClusterMembership)) return Promise.resolve();
    this.leaving ??= this.view.leave();
    return this.leaving;
  }
}

/**
 * Cluster mode (MILLRACE_ETCD_ENDPOINTS set): the etcd-backed metadata store, this
 * broker's membership, the topic manager's catalogue writer and the partition records'
 * in-memory table; otherwise the single broker's view of itself (no writer, an empty
 * table that nothing reads). Global: Metadata, DescribeCluster, the topic manager, the
 * replica manager and the cluster identity read it.
 */
@Global()
@Module({
  providers: [
    {
      provide: CLUSTER_METADATA_STORE,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => (config.cluster ? ClusterMetadataStore.connect(config.cluster.etcdEndpoints, config.cluster.clusterName) : null),
    },
    {
      provide: CLUSTER_VIEW,
      inject: [BROKER_CONFIG, CLUSTER_METADATA_STORE, ROOT_LOGGER],
      useFactory: (config: BrokerConfig, store: ClusterMetadataStore | null, root: Logger): ClusterView => {
        const self: BrokerEndpoint = { nodeId: config.nodeId, host: config.advertisedHost, port: config.advertisedPort, rack: config.rack };
        if (!store || !config.cluster) return new SingleBrokerView(self);
        const logger = root.child({ component: 'cluster' });
        return new ClusterMembership(store, self, config.cluster.sessionTimeoutMs, { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }, config.cluster.leaderImbalanceCheckIntervalMs, config.advertisedHttpPort);
      },
    },
    {
      provide: CLUSTER_TOPIC_PORT,
      inject: [CLUSTER_METADATA_STORE, CLUSTER_VIEW],
      useFactory: (store: ClusterMetadataStore | null, view: ClusterView) => (store && view instanceof ClusterMembership ? new ClusterTopicWriter(store, view) : null),
    },
    { provide: PartitionStateTable, inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => new PartitionStateTable(config.nodeId) },
    ClusterLifecycle,
  ],
  exports: [CLUSTER_VIEW, CLUSTER_METADATA_STORE, CLUSTER_TOPIC_PORT, PartitionStateTable],
})
export class ClusterModule {}
