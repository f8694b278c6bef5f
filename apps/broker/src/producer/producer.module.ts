import { Module } from '@nestjs/common';
import * as path from 'path';
import type { ClusterMetadataStore } from '@millrace/cluster-metadata';
import { CLUSTER_METADATA_STORE } from '../cluster/cluster.module';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ProducerIdManager } from './producer-id-manager';
import { ProducerIdManagerLifecycle } from './producer-id-manager.lifecycle';

/**
 * Producer id allocation for InitProducerId; ProducerIdManagerLifecycle loads it at start.
 * In a cluster the blocks come from etcd, shared by every broker.
 */
@Module({
  providers: [
    {
      provide: ProducerIdManager,
      inject: [BROKER_CONFIG, CLUSTER_METADATA_STORE],
      useFactory: (config: BrokerConfig, store: ClusterMetadataStore | null) =>
        new ProducerIdManager(path.resolve(config.dataDir), 1000, store ? (size, atLeast) => store.allocateProducerIdBlock(size, atLeast) : null),
    },
    ProducerIdManagerLifecycle,
  ],
  exports: [ProducerIdManager],
})
export class ProducerModule {}
