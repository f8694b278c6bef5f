import { placeReplicas, PlacementError } from '@millrace/cluster-metadata';
import { ErrorCode } from '@millrace/protocol';
import type { ClusterTopicMirror } from './cluster-topic-mirror';
import type { ClusterTopicPort, ForwardedTopicSpec } from './cluster-topic-port';
import { replicaListProblem } from './partition-assignment';
import type { TopicResult } from './topic-manager';
import type { TopicStore } from './topic-store';

/** How long a change made in etcd may take to reach this broker's mirror before the request answers anyway. */
const MIRROR_WAIT_MS = 10_000;

/**
 * The cluster-mode half of TopicManager: changes to cluster topics go to etcd through the
 * controller (ClusterTopicPort) and answer once this broker's mirror shows them. The
 * checks that do not depend on the cluster (names, configs, counts) stay in TopicManager.
 * New partitions start led by their first replica with the ISR = all replicas.
 */
export class ClusterTopics {
  static notController(name: string): TopicResult {
    return { name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.' };
  }

  constructor(
    private readonly port: ClusterTopicPort,
    private readonly store: TopicStore,
    private readonly mirror: ClusterTopicMirror,
  ) {}

  isController(): boolean {
    return this.port.isController();
  }

  liveBrokerIds(): number[] {
    return this.port.liveBrokers().map((b) => b.nodeId);
  }

  liveBrokerCount(): number {
    return this.port.liveBrokers().length;
  }

  /** CreateTopics `assignments`: partitions 0..n-1 each once, replica lists of one length naming live brokers; null when acceptable. */
  manualAssignmentProblem(assignments: ReadonlyArray<{ partitionIndex: number; brokerIds: readonly number[] }>): string | null {
    const live = this.liveBrokerIds();
    const indexes = new Set(assignments.map((a) => a.partitionIndex));
    if (indexes.size !== assignments.length || assignments.some((a) => a.partitionIndex < 0 || a.partitionIndex >= assignments.length)) {
      return `Unexpected existing replica assignment: partition indexes must be 0..${assignments.length - 1}, each assigned once.`;
    }
    for (const a of assignments) {
      const problem = replicaListProblem(a.brokerIds, live);
      if (problem) return `partition ${a.partitionIndex}: ${problem}`;
      if (a.brokerIds.length !== assignments[0].brokerIds.length) return 'All partitions should have the same number of replicas.';
    }
    return null;
  }

  /** The replica lists of a new topic: the manual assignment in partition order, else Kafka's placement over the live brokers; a string is the refusal. */
  place(assignments: ReadonlyArray<{ partitionIndex: number; brokerIds: readonly number[] }> | undefined, partitions: number, rf: number, firstPartitionId = 0): number[][] | string {
    if (assignments && assignments.length > 0) return [...assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => [...a.brokerIds]);
    try {
      return placeReplicas(this.port.liveBrokers(), partitions, rf, firstPartitionId);
    } catch (err) {
      if (err instanceof PlacementError) return err.message;
      throw err;
    }
  }

  async create(prepared: TopicResult): Promise<TopicResult> {
    const topic = prepared.topic!;
    const outcome = await this.port.createTopic(topic.name, { topicId: topic.topicId, replicas: topic.replicas!, configs: topic.configs });
    if (outcome === 'not-controller') return ClusterTopics.notController(topic.name);
    if (outcome === 'exists') return { name: topic.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${topic.name}' already exists.` };
    await this.waitMirror(() => this.store.get(topic.name)?.topicId === topic.topicId, `topic ${topic.name}`);
    return { ...prepared, topic: this.store.get(topic.name) ?? topic };
  }

  /** Auto-creation on a broker that is not the controller: the controller creates it; LEADER_NOT_AVAILABLE (retriable) while this broker has not seen it. */
  async forwardCreate(name: string, spec?: ForwardedTopicSpec): Promise<TopicResult> {
    const r = await this.port.forwardCreateTopic(name, spec).catch((err: unknown) => ({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, errorMessage: (err as Error).message }));
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      const retriable = r.errorCode === ErrorCode.NOT_CONTROLLER || r.errorCode === ErrorCode.LEADER_NOT_AVAILABLE;
      return { name, errorCode: retriable ? ErrorCode.LEADER_NOT_AVAILABLE : r.errorCode, errorMessage: r.errorMessage };
    }
    await this.waitMirror(() => this.store.get(name) !== undefined, `topic ${name}`);
    const topic = this.store.get(name);
    return topic ? { name, errorCode: ErrorCode.NONE, errorMessage: null, topic } : { name, errorCode: ErrorCode.LEADER_NOT_AVAILABLE, errorMessage: `topic ${name} is being created` };
  }

  async delete(name: string): Promise<TopicResult> {
    if (!this.isController()) return ClusterTopics.notController(name);
    const topic = this.store.get(name);
    const outcome = await this.port.deleteTopic(name);
    if (outcome === 'not-controller') return ClusterTopics.notController(name);
    if (outcome === 'missing') return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    await this.waitMirror(() => this.store.get(name)?.topicId !== topic?.topicId, `deletion of topic ${name}`);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic };
  }

  /** CreatePartitions on a cluster topic (counts and manual assignments already checked). */
  async grow(topic: { name: string; partitions: number; replicationFactor: number }, count: number, assignments: ReadonlyArray<{ brokerIds: readonly number[] }> | null): Promise<TopicResult> {
    const name = topic.name;
    const added = assignments ? assignments.map((a) => [...a.brokerIds]) : this.place(undefined, count - topic.partitions, topic.replicationFactor, topic.partitions);
    if (typeof added === 'string') return { name, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: added };
    const outcome = await this.port.addPartitions(name, added);
    if (outcome === 'not-controller') return ClusterTopics.notController(name);
    if (outcome === 'missing') return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    await this.waitMirror(() => (this.store.get(name)?.partitions ?? 0) >= count, `partitions of ${name}`);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: this.store.get(name) };
  }

  async setConfigs(name: string, configs: Record<string, string>): Promise<TopicResult> {
    const outcome = await this.port.setTopicConfigs(name, configs);
    if (outcome === 'missing') return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    await this.waitMirror(() => JSON.stringify(this.store.get(name)?.configs) === JSON.stringify(configs), `configs of ${name}`);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: this.store.get(name) };
  }

  /** The change is committed in etcd; a slow mirror only delays the answer (up to MIRROR_WAIT_MS), it does not fail it. */
  private waitMirror(done: () => boolean, what: string): Promise<void> {
    return this.mirror.waitUntil(done, MIRROR_WAIT_MS, what).catch(() => undefined);
  }
}
