import { Module } from '@nestjs/common';
import { LogManager } from '@millrace/storage';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { StorageModule } from '../storage/storage.module';
import { ReplicaManager } from './replica-manager';

/** The partitions this broker leads, over the storage layer's logs. */
@Module({
  imports: [StorageModule],
  providers: [{ provide: ReplicaManager, inject: [LogManager, BrokerMetrics], useFactory: (logs: LogManager, metrics: BrokerMetrics) => new ReplicaManager(logs, metrics) }],
  exports: [ReplicaManager],
})
export class PartitionModule {}
