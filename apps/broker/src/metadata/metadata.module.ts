import { Module } from '@nestjs/common';
import * as path from 'path';
import type { ClusterMetadataStore } from '@millrace/cluster-metadata';
import { CLUSTER_METADATA_STORE, CLUSTER_TOPIC_PORT } from '../cluster/cluster.module';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ClusterIdentity } from './cluster-identity';
import type { ClusterTopicPort } from './cluster-topic-port';
import { TopicManager } from './topic-manager';
import { TopicManagerLifecycle } from './topic-manager.lifecycle';
import { TopicStore } from './topic-store';
import { TopicStoreModule } from './topic-store.module';

/**
 * The cluster's identity and topic catalogue. TopicManagerLifecycle opens the log of
 * every catalogued partition (start-up reconciliation) before any client is served.
 * ClusterIdentity is an immutable value read (or created) once: its factory is its
 * construction, not start-up work that could wait for a lifecycle hook. In cluster mode
 * its cluster id is the one the cluster keeps in etcd.
 */
@Module({
  imports: [TopicStoreModule, PartitionModule],
  providers: [
    {
      provide: ClusterIdentity,
      inject: [BROKER_CONFIG, CLUSTER_METADATA_STORE],
      useFactory: (config: BrokerConfig, cluster: ClusterMetadataStore | null) =>
        ClusterIdentity.load(
          path.resolve(config.dataDir),
          config.nodeId,
          config.advertisedHost,
          config.advertisedPort,
          cluster
            ? (localId) =>
                cluster.ensureKafkaClusterId(localId).catch((err: unknown) => {
                  throw new Error(
                    `cannot reach etcd at ${config.cluster?.etcdEndpoints.join(',')} (MILLRACE_ETCD_ENDPOINTS): ${(err as Error).message.split('\n')[0]} — start etcd there, or fix the setting (unset it for a single broker)`,
                  );
                })
            : undefined,
        ),
    },
    {
      provide: TopicManager,
      inject: [BROKER_CONFIG, ReplicaManager, TopicStore, DynamicBrokerConfig, CLUSTER_TOPIC_PORT],
      useFactory: (config: BrokerConfig, replicas: ReplicaManager, store: TopicStore, dyn: DynamicBrokerConfig, cluster: ClusterTopicPort | null) => {
        const manager = new TopicManager(
          store,
          replicas,
          {
            nodeId: config.nodeId,
            numPartitions: config.numPartitions,
            defaultReplicationFactor: config.defaultReplicationFactor,
            logDefaults: dyn.logDefaults,
          },
          cluster,
        );
        // Dynamic broker configs (log.retention.ms, ...) reach every topic without an override at once.
        dyn.onLogDefaultsChange((logDefaults) => manager.setLogDefaults(logDefaults));
        return manager;
      },
    },
    TopicManagerLifecycle,
  ],
  exports: [ClusterIdentity, TopicManager],
})
export class MetadataModule {}
