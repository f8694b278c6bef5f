import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { ConsumerOffsetsLog, CONSUMER_OFFSETS_TOPIC } from './consumer-offsets-log';
import { GroupCoordinator } from './group-coordinator';

/**
 * Starts and stops the group coordinator with the application.
 *
 * Start (onModuleInit, after MetadataModule's reconciliation opened every partition):
 * creates `__consumer_offsets` on first start (compacted, offsets.topic.num.partitions
 * partitions), then loads the coordinator from all its partitions; an existing topic's
 * partition count wins over the configured one. The Kafka listener opens only after this
 * (onApplicationBootstrap), so no client sees a half-loaded coordinator.
 * Stop (onModuleDestroy): pending JoinGroup/SyncGroup are answered NOT_COORDINATOR and
 * every timer is cancelled.
 */
@Injectable()
export class GroupCoordinatorLifecycle implements OnModuleInit, OnModuleDestroy {
  private readonly logger: Logger;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly topics: TopicManager,
    private readonly log: ConsumerOffsetsLog,
    private readonly coordinator: GroupCoordinator,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'group-coordinator' });
  }

  async onModuleInit(): Promise<void> {
    const numPartitions = await this.ensureTopic();
    const summary = await this.coordinator.load(this.log.readAll(numPartitions), numPartitions);
    this.logger.info(`loaded ${summary.groups} groups and ${summary.offsets} committed offsets from ${CONSUMER_OFFSETS_TOPIC} (${summary.skipped} records skipped)`);
  }

  onModuleDestroy(): void {
    this.coordinator.shutdown();
  }

  /** The partition count of `__consumer_offsets`, creating the topic if it does not exist. */
  private async ensureTopic(): Promise<number> {
    const existing = this.topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions;
    if (existing !== undefined) return existing;
    const [created] = await this.topics.createTopics(
      [{ name: CONSUMER_OFFSETS_TOPIC, numPartitions: this.config.offsetsTopicNumPartitions, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) } }],
      false,
      true,
    );
    if (!created.topic) throw new Error(`cannot create ${CONSUMER_OFFSETS_TOPIC}: ${created.errorMessage}`);
    return created.topic.partitions;
  }
}
