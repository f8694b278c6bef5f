import { BadRequestException, Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, UseFilters } from '@nestjs/common';
import { ErrorCode } from '@millrace/protocol';
import { describeTopicConfigs } from '../handlers/topic-config-view';
import { TopicManager } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import { ReplicaManager } from '../partition/replica-manager';
import { AdminErrorFilter } from './admin-error.filter';
import { CreateTopicDto, describeIssues } from './create-topic.dto';
import { ReplicaHealthService } from './replica-health.service';

/**
 * /admin/topics: list, create, describe (partitions with log start/end offsets, high
 * watermark and bytes on disk; leader node id, replicas, ISR, offline replicas and
 * whether it is under-replicated — replica-health.ts; configs with their source) and
 * delete topics. A partition's `offline` is true when its log is offline on this broker
 * (storage) or it has no live leader.
 */
@Controller('admin/topics')
@UseFilters(AdminErrorFilter)
export class TopicsController {
  constructor(
    private readonly topics: TopicManager,
    private readonly replicas: ReplicaManager,
    private readonly replicaHealth: ReplicaHealthService,
  ) {}

  @Get()
  list(): { name: string; partitions: number; internal: boolean }[] {
    return this.topics
      .all()
      .map((t) => ({ name: t.name, partitions: t.partitions, internal: t.internal }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  @Post()
  async create(@Body() body: unknown): Promise<object> {
    const parsed = CreateTopicDto.safeParse(body);
    if (!parsed.success) throw new BadRequestException(describeIssues(parsed.error));
    const { name, partitions, replicationFactor, configs } = parsed.data;
    const [result] = await this.topics.createTopics([{ name, numPartitions: partitions ?? -1, replicationFactor: replicationFactor ?? -1, configs: configs ?? {} }]);
    if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) throw new ConflictException(result.errorMessage);
    if (result.errorCode !== ErrorCode.NONE) throw new BadRequestException(result.errorMessage);
    return this.describeTopic(result.topic!);
  }

  @Get(':name')
  describe(@Param('name') name: string): object {
    const topic = this.topics.get(name);
    if (!topic) throw new NotFoundException(`topic ${name} does not exist`);
    return this.describeTopic(topic);
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Param('name') name: string): Promise<void> {
    const result = await this.topics.deleteTopic(name);
    if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new NotFoundException(`topic ${name} does not exist`);
    if (result.errorCode !== ErrorCode.NONE) throw new BadRequestException(result.errorMessage);
  }

  private describeTopic(topic: TopicMetadata): object {
    const replication = this.replicaHealth.ofTopic(topic);
    const partitions = Array.from({ length: topic.partitions }, (_, i) => {
      const p = this.replicas.getPartition(topic.name, i);
      const r = replication[i];
      return {
        partition: i,
        // 'local': this broker leads it; 'follower': it hosts a replica another broker leads (cluster).
        leader: p ? (p.isLeader ? 'local' : 'follower') : 'not hosted',
        leaderId: r.leader,
        leaderEpoch: r.leaderEpoch,
        replicas: r.replicas,
        isr: r.isr,
        offlineReplicas: r.offlineReplicas,
        underReplicated: r.underReplicated,
        logStartOffset: p?.logStartOffset ?? -1,
        logEndOffset: p?.logEndOffset ?? -1,
        highWatermark: p?.highWatermark ?? -1,
        sizeBytes: p?.log.size ?? 0,
        offline: (p?.log.isOffline ?? false) || r.offline,
        corruptRanges: p && p.log.corruptRanges.count > 0 ? p.log.corruptRanges.list() : [],
      };
    });
    const configs = Object.fromEntries(describeTopicConfigs(this.topics, topic, null).map((c) => [c.name, { value: c.value, source: c.isDefault ? 'default' : c.configSource === 1 ? 'topic' : 'broker' }]));
    return {
      name: topic.name,
      topicId: topic.topicId,
      internal: topic.internal,
      replicationFactor: topic.replicationFactor,
      partitions,
      sizeBytes: partitions.reduce((n, p) => n + p.sizeBytes, 0),
      configs,
    };
  }
}
