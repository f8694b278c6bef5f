import { ErrorCode } from '@millrace/protocol';
import { partitionForGroup } from '../group-coordinator/group-partitioner';
import type { TopicManager } from '../metadata/topic-manager';
import type { LeadershipSource } from '../partition/partition-leadership';
import type { BrokerEndpoint, ClusterView } from './cluster-view';

/** Where a coordinator key's state lives: an internal topic, with the settings it is created with on first use. */
export interface CoordinatorTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly minInsyncReplicas?: number;
}

export type CoordinatorLocation =
  | { errorCode: ErrorCode.NONE; errorMessage: null; node: BrokerEndpoint }
  | { errorCode: ErrorCode; errorMessage: string; node?: undefined };

/**
 * FindCoordinator in a cluster (Kafka's rule): the coordinator of a group id (or
 * transactional id) is the leader of partition `abs(hashCode(key)) % partitions` of its
 * internal topic, which is created on first use. COORDINATOR_NOT_AVAILABLE (retriable)
 * while the topic is being created or that partition has no live leader.
 */
export class CoordinatorLocator {
  constructor(
    private readonly topics: TopicManager,
    private readonly leadership: LeadershipSource,
    private readonly view: ClusterView,
  ) {}

  async locate(topic: CoordinatorTopic, key: string): Promise<CoordinatorLocation> {
    const unavailable = (why: string): CoordinatorLocation => ({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: why });
    const t = await this.topics.ensureInternalTopic(topic.name, topic.numPartitions, topic.replicationFactor, topic.minInsyncReplicas);
    if (!t.topic) return unavailable(`${topic.name} is not available yet: ${t.errorMessage ?? ErrorCode[t.errorCode]}`);
    const partition = partitionForGroup(key, t.topic.partitions);
    const state = this.leadership.leadershipOf(topic.name, partition);
    const node = state && state.leader >= 0 ? this.view.liveBrokers().find((b) => b.nodeId === state.leader) : undefined;
    if (!node) return unavailable(`${topic.name}-${partition} has no live leader right now`);
    return { errorCode: ErrorCode.NONE, errorMessage: null, node };
  }
}
