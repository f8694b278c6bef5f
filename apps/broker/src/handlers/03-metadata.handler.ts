import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, MetadataApi, type MetadataRequestData, type MetadataResponseInput } from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ClusterIdentity } from '../metadata/cluster-identity';
import { TopicManager } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import type { ApiHandler } from './api-handler';

type TopicEntry = MetadataResponseInput['topics'][number];
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/**
 * Metadata (3), v0-12: the live brokers and the controller (ClusterView: this broker
 * alone for the single embedded broker), the cluster id, and the
 * requested topics (all when the list is null, or empty at v0). Unknown topics are
 * created when the request allows it (v4+; always before v4) and
 * auto.create.topics.enable is on, as in Kafka; the answer then already lists them.
 *
 * Partitions of cluster topics (cluster mode) answer from the cluster's partition
 * records: leader, leader epoch, ISR, the assigned replicas and those of them not live
 * (offline). A partition without a live leader answers LEADER_NOT_AVAILABLE with leader
 * -1, as Kafka does. Broker-local topics (the single broker's, a cluster broker's
 * internal ones) are led by this broker at epoch 0.
 */
@Injectable()
export class MetadataHandler implements ApiHandler<typeof MetadataApi> {
  readonly api = MetadataApi;
  readonly minVersion = 0;
  readonly maxVersion = 12;

  constructor(
    private readonly identity: ClusterIdentity,
    private readonly topics: TopicManager,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(CLUSTER_VIEW) private readonly cluster: ClusterView,
    private readonly states: PartitionStateTable,
  ) {}

  async handle(request: MetadataRequestData, context: { apiVersion: number }): Promise<MetadataResponseInput> {
    const all = request.topics === null || (context.apiVersion === 0 && request.topics.length === 0);
    const entries: TopicEntry[] = [];
    if (all) {
      for (const t of this.topics.all()) entries.push(this.describe(t));
    } else {
      for (const requested of request.topics ?? []) {
        let topic: TopicMetadata | undefined;
        if (requested.name === null) topic = this.topics.byId(requested.topicId);
        else topic = this.topics.get(requested.name);
        if (!topic && requested.name !== null && request.allowAutoTopicCreation && this.config.autoCreateTopicsEnable) {
          const created = await this.topics.getOrCreate(requested.name);
          if (created.errorCode !== ErrorCode.NONE) {
            entries.push(this.missing(requested.name, requested.topicId, created.errorCode));
            continue;
          }
          topic = created.topic;
        }
        entries.push(topic ? this.describe(topic) : this.missing(requested.name, requested.topicId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: this.cluster.liveBrokers().map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })),
      clusterId: this.identity.clusterId,
      controllerId: this.cluster.controllerId(),
      topics: entries,
    };
  }

  private describe(topic: TopicMetadata): TopicEntry {
    if (topic.replicas) return this.describeClustered(topic, topic.replicas);
    const nodeId = this.identity.nodeId;
    return {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: topic.internal,
      partitions: Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex,
        leaderId: nodeId,
        leaderEpoch: 0,
        replicaNodes: [nodeId],
        isrNodes: [nodeId],
        offlineReplicas: [],
      })),
    };
  }

  private describeClustered(topic: TopicMetadata, replicas: number[][]): TopicEntry {
    const live = new Set(this.cluster.liveBrokers().map((b) => b.nodeId));
    return {
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: topic.internal,
      partitions: replicas.map((replicaNodes, partitionIndex) => {
        const state = this.states.leadershipOf(topic.name, partitionIndex);
        const leaderId = state && state.leader >= 0 && live.has(state.leader) ? state.leader : -1;
        return {
          errorCode: leaderId < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
          partitionIndex,
          leaderId,
          leaderEpoch: state?.leaderEpoch ?? -1,
          replicaNodes,
          isrNodes: state ? [...state.isr] : [],
          offlineReplicas: replicaNodes.filter((r) => !live.has(r)),
        };
      }),
    };
  }

  private missing(name: string | null, topicId: string, errorCode: number): TopicEntry {
    return { errorCode, name: name ?? '', topicId: topicId || ZERO_UUID, isInternal: false, partitions: [] };
  }
}
