import type { ErrorCode } from '@millrace/protocol';
import type { PlacementBroker, TopicAssignment } from '@millrace/cluster-metadata';

/**
 * Client id prefix of a broker's own requests to another broker (`millrace-broker-<id>`):
 * the controller accepts an internal topic's creation only from a broker.
 */
export const BROKER_CLIENT_ID_PREFIX = 'millrace-broker-';

/** Partitions, replication factor and configs of a topic another broker asks the controller to create. */
export interface ForwardedTopicSpec {
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/**
 * What the topic manager needs from the cluster in cluster mode (implemented over etcd
 * by apps/broker/src/cluster/cluster-topic-writer.ts). Topics other than the
 * broker-local internal ones live in the cluster catalogue; only the controller changes
 * their assignment (Kafka's rule: other brokers answer NOT_CONTROLLER), and every broker
 * learns the outcome from the catalogue it mirrors (ClusterTopicMirror).
 */
export interface ClusterTopicPort {
  /** Live brokers (replica placement; manual assignments must name them). */
  liveBrokers(): readonly PlacementBroker[];
  /** Whether this broker holds the controller claim now. */
  isController(): boolean;
  /** Writes a new topic with its partition records (leader = first replica, ISR = replicas). Controller only. */
  createTopic(name: string, assignment: TopicAssignment): Promise<'created' | 'exists' | 'not-controller'>;
  /** Deletes a topic and its partition records. Controller only. */
  deleteTopic(name: string): Promise<'deleted' | 'missing' | 'not-controller'>;
  /** Appends partitions (their replica lists) to a topic. Controller only. */
  addPartitions(name: string, added: readonly (readonly number[])[]): Promise<'ok' | 'missing' | 'not-controller'>;
  /** Replaces a topic's config overrides (compare-and-swap on the topic record; any broker). */
  setTopicConfigs(name: string, configs: Record<string, string>): Promise<'ok' | 'missing'>;
  /**
   * Asks the controller, over the Kafka protocol, to create a topic with the defaults
   * (auto-creation on a broker that is not the controller, as Kafka forwards it), or with
   * `spec` (an internal topic created on first use).
   */
  forwardCreateTopic(name: string, spec?: ForwardedTopicSpec): Promise<{ errorCode: ErrorCode; errorMessage: string | null }>;
}
