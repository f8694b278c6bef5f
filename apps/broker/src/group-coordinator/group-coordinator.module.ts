import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { MetadataModule } from '../metadata/metadata.module';
import { TopicManager } from '../metadata/topic-manager';
import { ReplicaManager } from '../partition/replica-manager';
import { ConsumerOffsetsLog, CONSUMER_OFFSETS_TOPIC } from './consumer-offsets-log';
import { GroupCoordinator } from './group-coordinator';

/**
 * The group coordinator, loaded from `__consumer_offsets` before the broker serves
 * clients. The topic is created (compacted, offsets.topic.num.partitions partitions) on
 * first start.
 */
@Module({
  imports: [MetadataModule],
  providers: [
    {
      provide: GroupCoordinator,
      inject: [BROKER_CONFIG, TopicManager, ReplicaManager, ROOT_LOGGER],
      useFactory: async (config: BrokerConfig, topics: TopicManager, replicas: ReplicaManager, root: Logger) => {
        const logger = root.child({ component: 'group-coordinator' });
        let numPartitions = topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions;
        if (numPartitions === undefined) {
          const [created] = await topics.createTopics(
            [{ name: CONSUMER_OFFSETS_TOPIC, numPartitions: config.offsetsTopicNumPartitions, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) } }],
            false,
            true,
          );
          if (!created.topic) throw new Error(`cannot create ${CONSUMER_OFFSETS_TOPIC}: ${created.errorMessage}`);
          numPartitions = created.topic.partitions;
        }
        const log = new ConsumerOffsetsLog(replicas, numPartitions);
        const coordinator = new GroupCoordinator(
          {
            offsetsTopicNumPartitions: numPartitions,
            groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
            groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
            groupMaxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
            offsetsRetentionMinutes: config.offsetsRetentionMinutes,
          },
          log,
          undefined,
          { error: (m: string, err: unknown) => logger.error({ err }, m) },
        );
        const summary = await coordinator.load(log.readAll());
        logger.info(`loaded ${summary.groups} groups and ${summary.offsets} committed offsets from ${CONSUMER_OFFSETS_TOPIC} (${summary.skipped} records skipped)`);
        return coordinator;
      },
    },
  ],
  exports: [GroupCoordinator, MetadataModule],
})
export class GroupCoordinatorModule implements OnModuleDestroy {
  constructor(@Inject(GroupCoordinator) private readonly coordinator: GroupCoordinator) {}

  onModuleDestroy(): void {
    this.coordinator.shutdown();
  }
}
