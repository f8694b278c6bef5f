import { ErrorCode } from '@millrace/protocol';
import { DEFAULT_LOG_CONFIG, InvalidConfigError, parseLogConfig, type LogConfig } from '@millrace/storage';
import { ClusterTopicMirror } from './cluster-topic-mirror';
import type { ClusterTopicPort } from './cluster-topic-port';
import { ClusterTopics } from './cluster-topics';
import { newPartitionAssignmentProblem } from './partition-assignment';
import { CLUSTER_REPLICATED_INTERNAL_TOPICS, INTERNAL_TOPICS, topicNameProblem } from './topic-name';
import { TopicStore, type TopicMetadata } from './topic-store';

/**
 * What the topic manager needs from the partition layer: logs to exist for every
 * partition in the catalogue, and go when their topic goes.
 */
export interface PartitionHost {
  /** Opens (creating when missing) the logs of these partitions. */
  openPartitions(topic: TopicMetadata, partitions: number[], config: LogConfig): Promise<void>;
  /** Closes and deletes every log of the topic. */
  deleteTopic(topic: TopicMetadata): Promise<void>;
  /** Applies a changed config to the topic's open logs. */
  reconfigure(topic: TopicMetadata, config: LogConfig): void;
  /** Deletes every log whose partition `keep` rejects; returns their names. */
  removeStrayLogs(keep: (topic: string, partition: number) => boolean): Promise<string[]>;
  /** Closes and deletes the logs of these partitions of a topic (replicas moved off this broker). */
  removePartitions(topic: string, partitions: number[]): Promise<void>;
}

export interface CreateTopicSpec {
  name: string;
  /** -1 = broker default (num.partitions). */
  numPartitions: number;
  /** -1 = broker default. */
  replicationFactor: number;
  /** Manual replica assignments are not supported on one broker beyond [[self]]. */
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  configs: Record<string, string | null>;
}

export interface TopicResult {
  name: string;
  errorCode: ErrorCode;
  errorMessage: string | null;
  topic?: TopicMetadata;
}

export interface TopicDefaults {
  nodeId: number;
  numPartitions: number;
  defaultReplicationFactor: number;
  /** Broker-wide log config (Kafka's log.* settings), the base of every topic's config. */
  logDefaults: LogConfig;
}

/**
 * Creates, deletes and reconfigures topics. The catalogue (TopicStore) is the source of
 * truth and is written before logs are created and before logs are deleted, so at start
 * `reconcile` can finish a change a crash interrupted: it opens the logs of every
 * catalogued partition.
 *
 * Cluster mode (`cluster` given): every topic but the broker-local internal ones
 * (`__consumer_offsets`, `__transaction_state`) lives in the cluster catalogue in etcd,
 * changed by the controller only (ClusterTopics); the local catalogue is its mirror
 * (`mirror`, fed by the catalogue watch) and this broker opens only the replicas it hosts.
 */
export class TopicManager {
  /** Cluster mode: the local copy of the cluster catalogue (inert on a single broker). */
  readonly mirror: ClusterTopicMirror;
  private readonly clustered: ClusterTopics | null;

  constructor(
    private readonly store: TopicStore,
    private readonly host: PartitionHost,
    private readonly defaults: TopicDefaults,
    cluster: ClusterTopicPort | null = null,
  ) {
    this.mirror = new ClusterTopicMirror(store, host, defaults.nodeId, (t) => this.configOf(t));
    this.clustered = cluster ? new ClusterTopics(cluster, store, this.mirror) : null;
  }

  /** Whether a topic of this name belongs to the cluster catalogue (cluster mode, not broker-local). */
  private inCluster(name: string): boolean {
    return this.clustered !== null && (!INTERNAL_TOPICS.has(name) || CLUSTER_REPLICATED_INTERNAL_TOPICS.has(name));
  }

  /**
   * An internal topic (`__consumer_offsets`, `__transaction_state`) as it exists, or
   * created now (Kafka creates them on first use): compacted, `partitions` partitions,
   * 100 MiB segments. In a cluster that replicates it, its replication factor is
   * min(`replicationFactor`, live brokers), its min.insync.replicas `minInsyncReplicas`
   * (capped at that) when given, and the controller creates it (another broker asks the
   * controller); LEADER_NOT_AVAILABLE (retriable) while it is being created.
   */
  async ensureInternalTopic(name: string, partitions: number, replicationFactor: number, minInsyncReplicas?: number): Promise<TopicResult> {
    const existing = this.store.get(name);
    if (existing) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: existing };
    const configs: Record<string, string> = { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) };
    const clustered = this.inCluster(name) ? this.clustered! : null;
    const rf = clustered ? Math.max(1, Math.min(replicationFactor, clustered.liveBrokerCount())) : 1;
    if (clustered && minInsyncReplicas !== undefined) configs['min.insync.replicas'] = String(Math.min(minInsyncReplicas, rf));
    if (clustered && !clustered.isController()) return clustered.forwardCreate(name, { numPartitions: partitions, replicationFactor: rf, configs });
    const [created] = await this.createTopics([{ name, numPartitions: partitions, replicationFactor: rf, configs }], false, true);
    if (created.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: this.store.get(name) };
    return created;
  }

  get(name: string): TopicMetadata | undefined {
    return this.store.get(name);
  }

  byId(topicId: string): TopicMetadata | undefined {
    return this.store.byId(topicId);
  }

  all(): TopicMetadata[] {
    return this.store.all();
  }

  /** The effective log config of a topic: broker defaults overlaid with its overrides. */
  configOf(topic: TopicMetadata): LogConfig {
    return parseLogConfig(topic.configs, this.defaults.logDefaults);
  }

  /** Broker-wide topic config defaults (Kafka's defaults overlaid with MILLRACE_LOG_*). */
  get logDefaults(): LogConfig {
    return this.defaults.logDefaults;
  }

  /**
   * Replaces the broker-wide defaults (a dynamic broker config changed) and applies the
   * resulting config to the open logs of every topic.
   */
  setLogDefaults(logDefaults: LogConfig): void {
    this.defaults.logDefaults = logDefaults;
    for (const topic of this.store.all()) this.host.reconfigure(topic, this.configOf(topic));
  }

  /** Kafka's own topic config defaults. */
  get kafkaDefaults(): LogConfig {
    return DEFAULT_LOG_CONFIG;
  }

  /**
   * Start-up: opens the logs of every catalogued partition, and deletes logs left on
   * disk for topics the catalogue no longer has (a crash between deleting a topic from
   * the catalogue and deleting its logs). Returns the names of the logs removed.
   */
  async reconcile(): Promise<string[]> {
    for (const topic of this.store.all()) {
      await this.host.openPartitions(topic, range(topic.partitions).filter((p) => this.mirror.hosts(topic, p)), this.configOf(topic));
    }
    return this.host.removeStrayLogs((topic, partition) => {
      const t = this.store.get(topic);
      return t !== undefined && partition < t.partitions && this.mirror.hosts(t, partition);
    });
  }

  /** Validates a creation request without changing anything; returns an error result or the topic to create. */
  private prepare(spec: CreateTopicSpec, internalAllowed: boolean): TopicResult {
    const fail = (errorCode: ErrorCode, errorMessage: string): TopicResult => ({ name: spec.name, errorCode, errorMessage });
    const nameProblem = topicNameProblem(spec.name);
    if (nameProblem) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (INTERNAL_TOPICS.has(spec.name) && !internalAllowed) return fail(ErrorCode.INVALID_REQUEST, `topic ${spec.name} is internal`);
    if (this.store.get(spec.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${spec.name}' already exists.`);
    let partitions = spec.numPartitions === -1 ? this.defaults.numPartitions : spec.numPartitions;
    let rf = spec.replicationFactor === -1 ? this.defaults.defaultReplicationFactor : spec.replicationFactor;
    const cluster = this.inCluster(spec.name) ? this.clustered : null;
    if (spec.assignments && spec.assignments.length > 0) {
      if (spec.numPartitions !== -1 || spec.replicationFactor !== -1) {
        return fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set.');
      }
      if (cluster) {
        const problem = cluster.manualAssignmentProblem(spec.assignments);
        if (problem) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
        rf = spec.assignments[0].brokerIds.length;
      } else {
        for (const a of spec.assignments) {
          if (a.brokerIds.length !== 1 || a.brokerIds[0] !== this.defaults.nodeId) {
            return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `partition ${a.partitionIndex}: replicas must be [${this.defaults.nodeId}] on this single-broker cluster`);
          }
        }
      }
      partitions = spec.assignments.length;
    }
    if (!Number.isInteger(partitions) || partitions < 1) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (partitions > 100000) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must not exceed 100000.');
    if (rf < 1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    const brokers = cluster ? cluster.liveBrokerCount() : 1;
    if (rf > brokers) {
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers} broker(s) are registered.`);
    }
    const configs: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.configs)) if (v !== null) configs[k] = v;
    try {
      parseLogConfig(configs, this.defaults.logDefaults);
    } catch (err) {
      if (err instanceof InvalidConfigError) return fail(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
    const topic: TopicMetadata = { name: spec.name, topicId: TopicStore.newTopicId(), partitions, replicationFactor: rf, configs, internal: INTERNAL_TOPICS.has(spec.name) };
    if (cluster) {
      const placed = cluster.place(spec.assignments, partitions, rf);
      if (typeof placed === 'string') return fail(ErrorCode.INVALID_REPLICATION_FACTOR, placed);
      topic.replicas = placed;
    }
    return { name: spec.name, errorCode: ErrorCode.NONE, errorMessage: null, topic };
  }

  /**
   * Creates topics. With `validateOnly` nothing changes but the answers are the same.
   * Each topic succeeds or fails on its own, as in Kafka.
   */
  async createTopics(specs: CreateTopicSpec[], validateOnly = false, internalAllowed = false): Promise<TopicResult[]> {
    const results: TopicResult[] = [];
    for (const spec of specs) {
      if (this.inCluster(spec.name) && !this.clustered!.isController()) {
        results.push(ClusterTopics.notController(spec.name));
        continue;
      }
      const prepared = this.prepare(spec, internalAllowed);
      if (prepared.errorCode !== ErrorCode.NONE || validateOnly) {
        results.push(prepared);
        continue;
      }
      if (this.inCluster(spec.name)) {
        results.push(await this.clustered!.create(prepared));
        continue;
      }
      const created = await this.store.update((topics) => {
        if (topics.has(spec.name)) return null;
        topics.set(spec.name, prepared.topic!);
        return prepared.topic!;
      });
      if (!created) {
        results.push({ name: spec.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${spec.name}' already exists.` });
        continue;
      }
      await this.host.openPartitions(created, range(created.partitions), this.configOf(created));
      results.push(prepared);
    }
    return results;
  }

  /** Returns the topic, creating it with broker defaults when it does not exist (concurrent callers share one creation). */
  async getOrCreate(name: string): Promise<TopicResult> {
    const existing = this.store.get(name);
    if (existing) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: existing };
    if (this.inCluster(name) && !this.clustered!.isController()) return this.clustered!.forwardCreate(name);
    const [result] = await this.createTopics([{ name, numPartitions: -1, replicationFactor: -1, configs: {} }], false, true);
    if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: this.store.get(name) };
    return result;
  }

  async deleteTopic(name: string): Promise<TopicResult> {
    if (INTERNAL_TOPICS.has(name)) return { name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Topic ${name} is internal and cannot be deleted` };
    if (this.inCluster(name)) return this.clustered!.delete(name);
    const removed = await this.store.update((topics) => {
      const t = topics.get(name);
      topics.delete(name);
      return t;
    });
    if (!removed) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    await this.host.deleteTopic(removed);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: removed };
  }

  /**
   * CreatePartitions: grows a topic to `count` partitions. `assignments` (null = let the
   * broker place them) must hold one replica list per added partition; see
   * newPartitionAssignmentProblem for the rules (INVALID_REPLICA_ASSIGNMENT otherwise).
   */
  async createPartitions(
    name: string,
    count: number,
    validateOnly = false,
    assignments: ReadonlyArray<{ brokerIds: readonly number[] }> | null = null,
  ): Promise<TopicResult> {
    if (this.inCluster(name) && !this.clustered!.isController()) return ClusterTopics.notController(name);
    const topic = this.store.get(name);
    if (!topic) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    if (count <= topic.partitions) {
      return { name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Topic currently has ${topic.partitions} partitions, which is higher than or equal to the requested ${count}.` };
    }
    if (count > 100000) return { name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions must not exceed 100000.' };
    const registered = this.inCluster(name) ? this.clustered!.liveBrokerIds() : this.defaults.nodeId;
    const assignmentProblem = newPartitionAssignmentProblem(assignments, count - topic.partitions, topic.replicationFactor, registered);
    if (assignmentProblem !== null) return { name, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: assignmentProblem };
    if (validateOnly) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic };
    if (this.inCluster(name)) return this.clustered!.grow(topic, count, assignments);
    const before = topic.partitions;
    const updated = await this.store.update((topics) => {
      const t = topics.get(name)!;
      t.partitions = Math.max(t.partitions, count);
      return t;
    });
    await this.host.openPartitions(updated, range(updated.partitions).slice(before), this.configOf(updated));
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: updated };
  }

  /**
   * Changes topic config overrides. `replace` (AlterConfigs) sets exactly the given
   * overrides; otherwise (IncrementalAlterConfigs) `changes` maps a key to its new value
   * or to null to remove the override.
   */
  async alterConfigs(name: string, changes: Record<string, string | null>, replace: boolean, validateOnly = false): Promise<TopicResult> {
    const topic = this.store.get(name);
    if (!topic) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
    const next: Record<string, string> = replace ? {} : { ...topic.configs };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    let config: LogConfig;
    try {
      config = parseLogConfig(next, this.defaults.logDefaults);
    } catch (err) {
      if (err instanceof InvalidConfigError) return { name, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: err.message };
      throw err;
    }
    if (validateOnly) return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic };
    if (this.inCluster(name)) return this.clustered!.setConfigs(name, next);
    const updated = await this.store.update((topics) => {
      const t = topics.get(name)!;
      t.configs = next;
      return t;
    });
    this.host.reconfigure(updated, config);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null, topic: updated };
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
