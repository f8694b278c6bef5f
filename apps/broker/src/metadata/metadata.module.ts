import { Module } from '@nestjs/common';
import { parseLogConfig } from '@millrace/storage';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ClusterIdentity } from './cluster-identity';
import { TopicManager } from './topic-manager';
import { TopicManagerLifecycle } from './topic-manager.lifecycle';
import { TopicStore } from './topic-store';
import { TopicStoreModule } from './topic-store.module';

/**
 * The cluster's identity and topic catalogue. TopicManagerLifecycle opens the log of
 * every catalogued partition (start-up reconciliation) before any client is served.
 * ClusterIdentity is an immutable value read (or created) once: its factory is its
 * construction, not start-up work that could wait for a lifecycle hook.
 */
@Module({
  imports: [TopicStoreModule, PartitionModule],
  providers: [
    {
      provide: ClusterIdentity,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ClusterIdentity.load(path.resolve(config.dataDir), config.nodeId, config.host, config.kafkaPort),
    },
    {
      provide: TopicManager,
      inject: [BROKER_CONFIG, ReplicaManager, TopicStore],
      useFactory: (config: BrokerConfig, replicas: ReplicaManager, store: TopicStore) =>
        new TopicManager(store, replicas, {
          nodeId: config.nodeId,
          numPartitions: config.numPartitions,
          defaultReplicationFactor: config.defaultReplicationFactor,
          logDefaults: parseLogConfig(config.logDefaults),
        }),
    },
    TopicManagerLifecycle,
  ],
  exports: [ClusterIdentity, TopicManager],
})
export class MetadataModule {}
