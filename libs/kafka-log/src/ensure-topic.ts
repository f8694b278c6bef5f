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
   * as a warning). Absent or 0 means min(3, brokers); -1 leaves it to the broker
   * (`default.replication.factor`), as Kafka Connect's `*.storage.replication.factor=-1`.
   */
  readonly replicationFactor?: number;
  /**
   * Set `min.insync.replicas` = min(this, replication factor) on a topic created here
   * with more than one replica (unless `configs` sets it), as a cluster's internal
   * topics need so that an acknowledged write survives one broker's death. Absent: not set.
   */
  readonly minInsyncReplicas?: number;
  /**
   * While fewer brokers than the wanted replication factor are live, ask again every
   * 500 ms for up to this long before capping (a cluster whose brokers are still
   * starting). Default 0: cap at once.
   */
  readonly awaitBrokersMs?: number;
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
 * - Replication: see TopicSpec (`replicationFactor`, `minInsyncReplicas`, `awaitBrokersMs`).
 */
export async function ensureTopic(admin: Admin, spec: TopicSpec, logger: Logger): Promise<number> {
  const { topic, partitions } = spec;
  if (!(await admin.listTopics()).includes(topic)) {
    const wanted = spec.replicationFactor ?? 0;
    const replicationFactor = wanted === -1 ? -1 : await cappedReplicationFactor(admin, topic, wanted > 0 ? wanted : 3, wanted > 0, spec.awaitBrokersMs ?? 0, logger);
    const configs: Record<string, string> = { ...spec.configs };
    if (spec.minInsyncReplicas !== undefined && replicationFactor > 1 && configs['min.insync.replicas'] === undefined) {
      configs['min.insync.replicas'] = String(Math.max(1, Math.min(spec.minInsyncReplicas, replicationFactor)));
    }
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
    const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }] }).catch((err: unknown) => {
      if (!String(err instanceof Error ? err.message : err).includes('already exists')) throw err;
      return false;
    });
    if (created) logger.info({ topic, partitions, replicationFactor, configs }, 'created topic');
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]?.partitions.length ?? 0;
}

/** min(wanted, live brokers), after waiting up to `awaitMs` for `wanted` brokers; warns about an explicit `wanted` capped. */
async function cappedReplicationFactor(admin: Admin, topic: string, wanted: number, explicit: boolean, awaitMs: number, logger: Logger): Promise<number> {
  const deadline = Date.now() + awaitMs;
  let brokers = Math.max(1, (await admin.describeCluster()).brokers.length);
  while (brokers < wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    brokers = Math.max(1, (await admin.describeCluster()).brokers.length);
  }
  const replicationFactor = Math.min(wanted, brokers);
  if ((explicit || awaitMs > 0) && replicationFactor !== wanted) logger.warn({ topic, replicationFactor: wanted, brokers }, 'replication factor capped at the broker count');
  return replicationFactor;
}
