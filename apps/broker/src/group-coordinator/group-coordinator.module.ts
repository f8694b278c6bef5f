import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { MetadataModule } from '../metadata/metadata.module';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ConsumerOffsetsLog } from './consumer-offsets-log';
import { GroupCoordinator } from './group-coordinator';
import { GroupCoordinatorLifecycle } from './group-coordinator.lifecycle';

/**
 * The group coordinator over the broker's `__consumer_offsets` partitions. Exports
 * GroupCoordinator; GroupCoordinatorLifecycle creates the topic on first start and loads
 * the coordinator from it before the broker serves clients.
 */
@Module({
  imports: [MetadataModule, PartitionModule],
  providers: [
    { provide: ConsumerOffsetsLog, inject: [ReplicaManager], useFactory: (replicas: ReplicaManager) => new ConsumerOffsetsLog(replicas) },
    {
      provide: GroupCoordinator,
      inject: [BROKER_CONFIG, ConsumerOffsetsLog, ROOT_LOGGER],
      useFactory: (config: BrokerConfig, log: ConsumerOffsetsLog, root: Logger) => {
        const logger = root.child({ component: 'group-coordinator' });
        return new GroupCoordinator(
          {
            offsetsTopicNumPartitions: config.offsetsTopicNumPartitions,
            groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
            groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
            groupMaxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
            offsetsRetentionMinutes: config.offsetsRetentionMinutes,
          },
          log,
          undefined,
          { error: (m: string, err: unknown) => logger.error({ err }, m) },
        );
      },
    },
    GroupCoordinatorLifecycle,
  ],
  exports: [GroupCoordinator, ConsumerOffsetsLog],
})
export class GroupCoordinatorModule {}
