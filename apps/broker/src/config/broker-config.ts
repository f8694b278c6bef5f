import { InvalidConfigError, parseLogConfig } from '@millrace/storage';
import { ConfigError, parseEnv } from '@millrace/app-common';
import { z } from 'zod';
import type { RegistryConfig } from '../schema-registry/registry-config';

export { ConfigError };

/**
 * Broker configuration, read once from the environment at start-up and validated.
 * Every setting has a default that works on one machine. A bad value stops start-up
 * with a message naming the variable and what it expects.
 *
 * Kafka-style broker settings use Kafka's names upper-cased with dots as underscores
 * and the MILLRACE_ prefix, e.g. `num.partitions` -> MILLRACE_NUM_PARTITIONS.
 */
export interface BrokerConfig {
  dataDir: string;
  host: string;
  kafkaPort: number;
  httpPort: number;
  nodeId: number;
  /** socket.request.max.bytes: largest request frame accepted; larger closes the connection. */
  socketRequestMaxBytes: number;
  autoCreateTopicsEnable: boolean;
  numPartitions: number;
  defaultReplicationFactor: number;
  offsetsTopicNumPartitions: number;
  /** offsets.topic.replication.factor: a cluster's `__consumer_offsets` gets min(this, live brokers) replicas. */
  offsetsTopicReplicationFactor: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  offsetsRetentionMinutes: number;
  /** log.retention.check.interval.ms: how often retention runs. */
  logRetentionCheckIntervalMs: number;
  /** log.cleaner.backoff.ms: how often the compaction cleaner looks for work. */
  logCleanerBackoffMs: number;
  /** How often the background scrubber verifies not yet verified stored batches. */
  logScrubIntervalMs: number;
  /** Kafka Connect's REST URL as the web console should call it; null = this host, port 8083. */
  consoleConnectUrl: string | null;
  /** In-process alert evaluation (libs/alerts): webhook, interval, and a `for` overriding every rule's. */
  alerts: { webhookUrl: string | null; evaluationIntervalMs: number; forMs: number | null; windowMs: number | null };
  /** How often every sealed segment is verified again (0 = never). */
  logRescrubIntervalMs: number;
  /** Broker-wide defaults for topic configs (log.segment.bytes etc.), as topic-config key -> value. */
  logDefaults: Record<string, string>;
  /** Largest number of requests one connection may have in flight before reading pauses. */
  maxInFlightRequestsPerConnection: number;
  /** The schema registry's settings (MILLRACE_REGISTRY_*; see RegistryConfig). */
  registry: RegistryConfig;
  /** Host and port clients are told to connect to (MILLRACE_ADVERTISED_HOST/PORT; default: host and Kafka port). */
  advertisedHost: string;
  advertisedPort: number;
  /** HTTP port other brokers forward REST calls to, at the advertised host (MILLRACE_ADVERTISED_HTTP_PORT; default the HTTP port). */
  advertisedHttpPort: number;
  /** broker.rack (MILLRACE_RACK), null when unset. */
  rack: string | null;
  /** Cluster mode (MILLRACE_ETCD_ENDPOINTS set); null: the single embedded broker. */
  cluster: ClusterModeConfig | null;
}

/** Where a clustered broker keeps the cluster's metadata, and how long it may go silent. */
export interface ClusterModeConfig {
  /** MILLRACE_ETCD_ENDPOINTS, comma-separated http(s) URLs. */
  etcdEndpoints: string[];
  /** MILLRACE_CLUSTER_ID: the etcd key prefix shared by the cluster's brokers. */
  clusterName: string;
  /** broker.session.timeout.ms (MILLRACE_BROKER_SESSION_TIMEOUT_MS): the etcd lease TTL of the broker's registration. */
  sessionTimeoutMs: number;
  /** replica.lag.time.max.ms (MILLRACE_REPLICA_LAG_TIME_MAX_MS): a follower not caught up for this long leaves the ISR. */
  replicaLagTimeMaxMs: number;
  /**
   * replica.fetch.wait.max.ms (MILLRACE_REPLICA_FETCH_WAIT_MAX_MS): how long a follower's
   * fetch may park at the leader when there is nothing new. Only the idle round trip: an
   * append answers a parked fetch at once. Must not exceed replica.lag.time.max.ms.
   */
  replicaFetchWaitMaxMs: number;
  /**
   * num.replica.fetchers (MILLRACE_NUM_REPLICA_FETCHERS): follower fetchers (connections)
   * per leader broker; a leader's partitions are spread over them (ReplicaFetchers).
   * Default 8: in the 3-broker bench (1,000 acks=all records/s) e2e p50 was 6-10 ms
   * (100 B) and 1.8-3.1 ms (1 KiB) with 4, 2.6-4.3 and 1.1-1.4 ms with 8 or 16, 2.1-2.9
   * and 0.8-0.9 ms with one fetch per partition; throughput the same.
   */
  numReplicaFetchers: number;
  /**
   * leader.imbalance.check.interval (MILLRACE_LEADER_IMBALANCE_CHECK_INTERVAL_MS): how
   * often the controller gives partitions back to their preferred replica; 0 turns
   * auto.leader.rebalance off.
   */
  leaderImbalanceCheckIntervalMs: number;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const schema = z.object({
  MILLRACE_DATA_DIR: z.string().min(1).default('./data'),
  MILLRACE_HOST: z.string().min(1).default('127.0.0.1'),
  MILLRACE_KAFKA_PORT: int(1, 65535).default(9092),
  MILLRACE_HTTP_PORT: int(1, 65535).default(8081),
  MILLRACE_NODE_ID: int(0, 2 ** 31 - 1).default(1),
  MILLRACE_SOCKET_REQUEST_MAX_BYTES: int(1024, 2 ** 31 - 1).default(100 * 1024 * 1024),
  MILLRACE_AUTO_CREATE_TOPICS_ENABLE: bool.default(true),
  MILLRACE_NUM_PARTITIONS: int(1, 10000).default(1),
  MILLRACE_DEFAULT_REPLICATION_FACTOR: int(1, 32767).default(1),
  MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: int(1, 1000).default(50),
  MILLRACE_OFFSETS_TOPIC_REPLICATION_FACTOR: int(1, 32767).default(3),
  MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: int(0).default(3000),
  MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: int(1).default(6000),
  MILLRACE_GROUP_MAX_SESSION_TIMEOUT_MS: int(1).default(1800000),
  MILLRACE_OFFSETS_RETENTION_MINUTES: int(1).default(10080),
  MILLRACE_LOG_RETENTION_CHECK_INTERVAL_MS: int(10).default(300000),
  MILLRACE_LOG_CLEANER_BACKOFF_MS: int(10).default(15000),
  MILLRACE_LOG_SCRUB_INTERVAL_MS: int(100).default(30000),
  MILLRACE_CONSOLE_CONNECT_URL: z.url({ protocol: /^https?$/ }).optional(),
  MILLRACE_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  MILLRACE_ALERT_EVALUATION_INTERVAL_MS: int(100).default(15000),
  MILLRACE_ALERT_FOR_MS: int(0).optional(),
  MILLRACE_ALERT_WINDOW_MS: int(1000).optional(),
  MILLRACE_LOG_RESCRUB_INTERVAL_MS: int(0).default(7 * 24 * 3600 * 1000),
  MILLRACE_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION: int(1, 100000).default(256),
  MILLRACE_ADVERTISED_HOST: z.string().min(1).optional(),
  MILLRACE_ADVERTISED_PORT: int(1, 65535).optional(),
  MILLRACE_ADVERTISED_HTTP_PORT: int(1, 65535).optional(),
  MILLRACE_RACK: z.string().min(1).optional(),
  MILLRACE_ETCD_ENDPOINTS: z
    .string()
    .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .refine((list) => list.length > 0 && list.every((u) => /^https?:\/\/[^/\s]+\/?$/.test(u)), 'expected comma-separated etcd client URLs like http://127.0.0.1:2379')
    .optional(),
  MILLRACE_CLUSTER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, dots, underscores or dashes')
    .default('millrace'),
  MILLRACE_BROKER_SESSION_TIMEOUT_MS: int(2000, 600_000).default(9000),
  MILLRACE_REPLICA_LAG_TIME_MAX_MS: int(500, 3_600_000).default(30000),
  MILLRACE_REPLICA_FETCH_WAIT_MAX_MS: int(1, 3_600_000).default(500),
  MILLRACE_NUM_REPLICA_FETCHERS: int(1, 64).default(8),
  MILLRACE_LEADER_IMBALANCE_CHECK_INTERVAL_MS: int(0, 86_400_000).default(300000),
  MILLRACE_REGISTRY_BOOTSTRAP: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'expected host:port[,host:port...]')
    .optional(),
  MILLRACE_REGISTRY_TOPIC: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name')
    .default('_schemas'),
  MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR: int(1, 32767).default(3),
  MILLRACE_REGISTRY_WRITE_TIMEOUT_MS: int(100).default(10_000),
  MILLRACE_REGISTRY_READY_TIMEOUT_MS: int(100).default(30_000),
});

/** Topic-config keys whose broker-wide default may be set as MILLRACE_LOG_<KEY>. */
const LOG_DEFAULT_KEYS = [
  'segment.bytes',
  'segment.ms',
  'retention.ms',
  'retention.bytes',
  'cleanup.policy',
  'delete.retention.ms',
  'min.compaction.lag.ms',
  'min.cleanable.dirty.ratio',
  'flush.messages',
  'flush.ms',
  'index.interval.bytes',
  'max.message.bytes',
  'message.timestamp.type',
];

export function logDefaultEnvName(key: string): string {
  return 'MILLRACE_LOG_' + key.toUpperCase().replace(/\./g, '_');
}

/** Parses and validates the broker's environment. Throws ConfigError listing every bad variable. */
export function loadBrokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const e = parseEnv(schema, env);
  if (e.MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS > e.MILLRACE_GROUP_MAX_SESSION_TIMEOUT_MS) {
    throw new ConfigError(['MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS must not exceed MILLRACE_GROUP_MAX_SESSION_TIMEOUT_MS']);
  }
  if (e.MILLRACE_REPLICA_FETCH_WAIT_MAX_MS > e.MILLRACE_REPLICA_LAG_TIME_MAX_MS) {
    // Kafka's rule too: an idle follower's parked fetch must come back before it counts as lagging.
    throw new ConfigError([
      `MILLRACE_REPLICA_FETCH_WAIT_MAX_MS (${e.MILLRACE_REPLICA_FETCH_WAIT_MAX_MS}) must not exceed MILLRACE_REPLICA_LAG_TIME_MAX_MS (${e.MILLRACE_REPLICA_LAG_TIME_MAX_MS})`,
    ]);
  }
  if (e.MILLRACE_KAFKA_PORT === e.MILLRACE_HTTP_PORT) {
    throw new ConfigError([`MILLRACE_KAFKA_PORT and MILLRACE_HTTP_PORT are both ${e.MILLRACE_KAFKA_PORT}: give them different ports`]);
  }
  const logDefaults: Record<string, string> = {};
  for (const key of LOG_DEFAULT_KEYS) {
    const value = env[logDefaultEnvName(key)];
    if (value !== undefined && value !== '') logDefaults[key] = value;
  }
  const logProblems: string[] = [];
  for (const [key, value] of Object.entries(logDefaults)) {
    try {
      parseLogConfig({ [key]: value });
    } catch (err) {
      if (!(err instanceof InvalidConfigError)) throw err;
      logProblems.push(`${logDefaultEnvName(key)}=${JSON.stringify(value)}: ${err.message}`);
    }
  }
  if (logProblems.length > 0) throw new ConfigError(logProblems);
  return {
    dataDir: e.MILLRACE_DATA_DIR,
    host: e.MILLRACE_HOST,
    kafkaPort: e.MILLRACE_KAFKA_PORT,
    httpPort: e.MILLRACE_HTTP_PORT,
    nodeId: e.MILLRACE_NODE_ID,
    socketRequestMaxBytes: e.MILLRACE_SOCKET_REQUEST_MAX_BYTES,
    autoCreateTopicsEnable: e.MILLRACE_AUTO_CREATE_TOPICS_ENABLE,
    numPartitions: e.MILLRACE_NUM_PARTITIONS,
    defaultReplicationFactor: e.MILLRACE_DEFAULT_REPLICATION_FACTOR,
    offsetsTopicNumPartitions: e.MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS,
    offsetsTopicReplicationFactor: e.MILLRACE_OFFSETS_TOPIC_REPLICATION_FACTOR,
    groupInitialRebalanceDelayMs: e.MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS,
    groupMinSessionTimeoutMs: e.MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS,
    groupMaxSessionTimeoutMs: e.MILLRACE_GROUP_MAX_SESSION_TIMEOUT_MS,
    offsetsRetentionMinutes: e.MILLRACE_OFFSETS_RETENTION_MINUTES,
    logRetentionCheckIntervalMs: e.MILLRACE_LOG_RETENTION_CHECK_INTERVAL_MS,
    logCleanerBackoffMs: e.MILLRACE_LOG_CLEANER_BACKOFF_MS,
    logScrubIntervalMs: e.MILLRACE_LOG_SCRUB_INTERVAL_MS,
    consoleConnectUrl: e.MILLRACE_CONSOLE_CONNECT_URL?.replace(/\/+$/, '') ?? null,
    alerts: { webhookUrl: e.MILLRACE_ALERT_WEBHOOK_URL ?? null, evaluationIntervalMs: e.MILLRACE_ALERT_EVALUATION_INTERVAL_MS, forMs: e.MILLRACE_ALERT_FOR_MS ?? null, windowMs: e.MILLRACE_ALERT_WINDOW_MS ?? null },
    logRescrubIntervalMs: e.MILLRACE_LOG_RESCRUB_INTERVAL_MS,
    logDefaults,
    maxInFlightRequestsPerConnection: e.MILLRACE_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
    registry: {
      bootstrap: e.MILLRACE_REGISTRY_BOOTSTRAP,
      topic: e.MILLRACE_REGISTRY_TOPIC,
      topicReplicationFactor: e.MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR,
      awaitBrokersMs: e.MILLRACE_ETCD_ENDPOINTS ? 2 * e.MILLRACE_BROKER_SESSION_TIMEOUT_MS : 0,
      writeTimeoutMs: e.MILLRACE_REGISTRY_WRITE_TIMEOUT_MS,
      readyTimeoutMs: e.MILLRACE_REGISTRY_READY_TIMEOUT_MS,
    },
    advertisedHost: e.MILLRACE_ADVERTISED_HOST ?? e.MILLRACE_HOST,
    advertisedPort: e.MILLRACE_ADVERTISED_PORT ?? e.MILLRACE_KAFKA_PORT,
    advertisedHttpPort: e.MILLRACE_ADVERTISED_HTTP_PORT ?? e.MILLRACE_HTTP_PORT,
    rack: e.MILLRACE_RACK ?? null,
    cluster: e.MILLRACE_ETCD_ENDPOINTS
      ? {
          etcdEndpoints: e.MILLRACE_ETCD_ENDPOINTS,
          clusterName: e.MILLRACE_CLUSTER_ID,
          sessionTimeoutMs: e.MILLRACE_BROKER_SESSION_TIMEOUT_MS,
          replicaLagTimeMaxMs: e.MILLRACE_REPLICA_LAG_TIME_MAX_MS,
          replicaFetchWaitMaxMs: e.MILLRACE_REPLICA_FETCH_WAIT_MAX_MS,
          numReplicaFetchers: e.MILLRACE_NUM_REPLICA_FETCHERS,
          leaderImbalanceCheckIntervalMs: e.MILLRACE_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
        }
      : null,
  };
}

/** Nest injection token for the validated BrokerConfig. */
export const BROKER_CONFIG = Symbol('BROKER_CONFIG');
