import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { ReplicaManager } from '../partition/replica-manager';
import { ConsumerOffsetsLog, CONSUMER_OFFSETS_TOPIC, type OpenTransactionalRecords } from './consumer-offsets-log';
import { GroupCoordinator } from './group-coordinator';

/**
 * Starts and stops the group coordinator with the application.
 *
 * Single broker — start (onModuleInit, after MetadataModule's reconciliation opened every
 * partition): creates `__consumer_offsets` on first start (compacted,
 * offsets.topic.num.partitions partitions), then loads the coordinator from all its
 * partitions; an existing topic's partition count wins over the configured one. The
 * Kafka listener opens only after this (onApplicationBootstrap), so no client sees a
 * half-loaded coordinator.
 *
 * Cluster — `__consumer_offsets` is a replicated cluster topic created on first
 * FindCoordinator; the coordinator serves a group only while this broker leads the
 * group's partition: elected → that partition's groups and offsets are loaded from its
 * log (COORDINATOR_LOAD_IN_PROGRESS meanwhile); resigned → they are unloaded
 * (NOT_COORDINATOR from then on).
 *
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
    private readonly replicas: ReplicaManager,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'group-coordinator' });
  }

  async onModuleInit(): Promise<void> {
    if (this.config.cluster) return this.followLeadership();
    const numPartitions = await this.ensureTopic();
    const summary = await this.coordinator.load(this.log.readAll(numPartitions), numPartitions);
    this.logger.info(`loaded ${summary.groups} groups and ${summary.offsets} committed offsets from ${CONSUMER_OFFSETS_TOPIC} (${summary.skipped} records skipped)`);
  }

  onModuleDestroy(): void {
    this.coordinator.shutdown();
  }

  private followLeadership(): void {
    this.coordinator.startPartitioned(this.topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions ?? this.config.offsetsTopicNumPartitions);
    this.replicas.onLeadershipChange((topic, partition, { elected, leaderEpoch }) => {
      if (topic !== CONSUMER_OFFSETS_TOPIC) return;
      if (elected) void this.loadPartition(partition, leaderEpoch);
      else this.unloadPartition(partition);
    });
  }

  private async loadPartition(partition: number, leaderEpoch: number): Promise<void> {
    const numPartitions = this.topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions ?? this.config.offsetsTopicNumPartitions;
    const open: OpenTransactionalRecords[] = [];
    const started = Date.now();
    try {
      const summary = await this.coordinator.loadPartition(partition, this.log.readPartition(partition, open), numPartitions);
      if (!summary) return;
      for (const l of this.log.partitionListeners) l.loaded(partition, open);
      this.logger.info(
        `coordinator for ${CONSUMER_OFFSETS_TOPIC}-${partition} (leader epoch ${leaderEpoch}): loaded ${summary.groups} groups and ${summary.offsets} committed offsets in ${Date.now() - started} ms`,
      );
    } catch (err) {
      // The groups stay COORDINATOR_LOAD_IN_PROGRESS until the next election reloads them.
      this.logger.error({ err }, `loading ${CONSUMER_OFFSETS_TOPIC}-${partition} failed`);
    }
  }

  private unloadPartition(partition: number): void {
    const groups = this.coordinator.unloadPartition(partition);
    for (const l of this.log.partitionListeners) l.unloaded(partition);
    this.logger.info(`no longer coordinator for ${CONSUMER_OFFSETS_TOPIC}-${partition}: ${groups} groups unloaded`);
  }

  /** The partition count of `__consumer_offsets`, creating the topic if it does not exist. */
  private async ensureTopic(): Promise<number> {
    const created = await this.topics.ensureInternalTopic(CONSUMER_OFFSETS_TOPIC, this.config.offsetsTopicNumPartitions, 1);
    if (!created.topic) throw new Error(`cannot create ${CONSUMER_OFFSETS_TOPIC}: ${created.errorMessage}`);
    return created.topic.partitions;
  }
}
