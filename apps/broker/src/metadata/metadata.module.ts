import { Module } from '@nestjs/common';
import { parseLogConfig } from '@millrace/storage';
import * as path from 'path';
import type { Logger } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ClusterIdentity } from './cluster-identity';
import { TopicManager } from './topic-manager';
import { TopicStore } from './topic-store';

/**
 * The cluster's identity and topic catalogue. Creating TopicManager opens the log of
 * every catalogued partition (start-up reconciliation) before any client is served.
 */
@Module({
  imports: [PartitionModule],
  providers: [
    {
      provide: ClusterIdentity,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => ClusterIdentity.load(path.resolve(config.dataDir), config.nodeId, config.host, config.kafkaPort),
    },
    {
      provide: TopicManager,
      inject: [BROKER_CONFIG, ReplicaManager, TopicStore, ROOT_LOGGER],
      useFactory: async (config: BrokerConfig, replicas: ReplicaManager, store: TopicStore, logger: Logger) => {
        const manager = new TopicManager(store, replicas, {
          nodeId: config.nodeId,
          numPartitions: config.numPartitions,
          defaultReplicationFactor: config.defaultReplicationFactor,
          logDefaults: parseLogConfig(config.logDefaults),
        });
        const stray = await manager.reconcile();
        if (stray.length > 0) logger.warn(`deleted ${stray.length} partition logs of topics no longer in the catalogue: ${stray.join(', ')}`);
        return manager;
      },
    },
  ],
  exports: [ClusterIdentity, TopicManager, PartitionModule],
})
export class MetadataModule {}
