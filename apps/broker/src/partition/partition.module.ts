import { Module } from '@nestjs/common';
import { LogManager } from '@millrace/storage';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { StorageModule } from '../storage/storage.module';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ReplicaManager } from './replica-manager';

/** The partitions this broker hosts, over the storage layer's logs. */
@Module({
  imports: [StorageModule],
  providers: [
    {
      provide: ReplicaManager,
      inject: [LogManager, BrokerMetrics, BROKER_CONFIG, PartitionStateTable],
      // Cluster mode: leadership from the cluster's partition records; the single broker leads all it hosts.
      useFactory: (logs: LogManager, metrics: BrokerMetrics, config: BrokerConfig, table: PartitionStateTable) => new ReplicaManager(logs, metrics, config.cluster ? table : null),
    },
  ],
  exports: [ReplicaManager],
})
export class PartitionModule {}
