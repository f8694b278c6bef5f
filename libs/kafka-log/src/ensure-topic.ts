import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';

/** The topic `ensureTopic` creates when it is missing. */
export interface TopicSpec {
  readonly topic: string;
  /** Partition count of a topic created here. */
  readonly partitions: number;
  /**
   * Replication factor of a topic created here, capped at the cluster's broker count (a
   * single-node Millrace would otherwise refuse Kafka's default of 3; the cap is logged
   * as a warning). Absent or <= 0 means min(3, brokers).
   */
  readonly replicationFactor?: number;
  /** Topic configs of a topic created here, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * Creates a topic unless it exists, through the Kafka admin protocol, and resolves with
 * the partition count the topic has.
 *
 * Contracts:
 * - An existing topic is left as it is: its partitions, replication and configs are
 *   not compared with the spec (callers that need a count check the result).
 * - A creation that loses a race with another client ("already exists") is a success.
 * - A created topic has leaders for all its partitions before this resolves.
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec, logger: Logger): Promise<number> {
  const { topic, partitions } = spec;
  if (!(await admin.listTopics()).includes(topic)) {
    const brokers = Math.max(1, (await admin.describeCluster()).brokers.length);
    const wanted = spec.replicationFactor ?? 0;
    const replicationFactor = wanted > 0 ? Math.min(wanted, brokers) : Math.min(3, brokers);
    if (wanted > 0 && replicationFactor !== wanted) logger.warn({ topic, replicationFactor: wanted, brokers }, 'replication factor capped at the broker count');
    const configEntries = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value }));
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }] }).catch((err: unknown) => {
      if (!String(err instanceof Error ? err.message : err).includes('already exists')) throw err;
      return false;
    });
    if (created) logger.info({ topic, partitions, replicationFactor, configs: spec.configs ?? {} }, 'created topic');
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]?.partitions.length ?? 0;
}
