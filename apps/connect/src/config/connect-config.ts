import * as path from 'node:path';
import { ConfigError, parseEnv } from '@millrace/app-common';
import { z } from 'zod';
import { CONFIG_PROVIDER_NAMES, type ConfigProviderName } from '../secrets/config-providers';
import { parseSecretsKey } from '../secrets/secret-cipher';

export { ConfigError };

/**
 * Connect worker configuration, read once from the environment at start-up and
 * validated. Every setting has a default that works on one machine; a bad value stops
 * start-up (exit code 2) with a message naming the variable.
 */
export interface ConnectConfig {
  host: string;
  /**
   * Kafka Connect's access.control.allow.origin: origins allowed to call the REST API
   * from a browser (the web console on the broker's port), or ["*"]; empty = no
   * cross-origin access (the default, as Kafka's).
   */
  corsOrigins: string[];
  /** Kafka Connect's access.control.allow.methods (default GET,POST,HEAD). */
  corsMethods: string[];
  /** In-process alert evaluation (libs/alerts): webhook, interval, and a `for` overriding every rule's. */
  alerts: { webhookUrl: string | null; evaluationIntervalMs: number; forMs: number | null; windowMs: number | null };
  port: number;
  /** Kafka bootstrap servers, comma-separated host:port. */
  bootstrap: string[];
  /**
   * Default `schema.registry.url` of the avro converters (MILLRACE_REGISTRY_URL): one URL,
   * or a comma-separated list (e.g. every broker of a cluster) the converters fail over along.
   */
  registryUrl: string;
  dataDir: string;
  /** group.id of the worker cluster; prefixes nothing, identifies the storage topics' owner. */
  groupId: string;
  /** Shown as worker_id in every status; default `<host>:<port>`. */
  workerId: string;
  /**
   * MILLRACE_CONNECT_TEST_PLUGINS=true: the worker runs the tests' plugins. They come from
   * a plugin module, so `pluginModules` must name one (libs/testing's startConnect sets both).
   */
  testPlugins: boolean;
  /**
   * MILLRACE_CONNECT_PLUGIN_MODULES: comma-separated paths (absolute, or relative to the
   * working directory) of compiled plugin modules whose plugins are registered next to the
   * built-in ones (plugins/plugin-modules.ts); each must exist. Held resolved, absolute.
   */
  pluginModules: string[];
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
  offsetTopicPartitions: number;
  statusTopicPartitions: number;
  /**
   * Kafka Connect's `config.storage.replication.factor`, `offset.storage.replication.factor`
   * and `status.storage.replication.factor` (MILLRACE_CONNECT_CONFIG_REPLICATION_FACTOR,
   * ..._OFFSET_..., ..._STATUS_...; unset = min(3, live brokers), silently, so one broker
   * just works; a number set is capped at the live broker count with a warning; -1 = the
   * broker's default.replication.factor): the replication of a storage
   * topic the worker creates. One with more than one replica gets min.insync.replicas =
   * min(2, RF), so an acknowledged write survives one broker's death.
   */
  storageReplicationFactors: { config: number | undefined; offset: number | undefined; status: number | undefined };
  /**
   * MILLRACE_CONNECT_CONFIG_PROVIDERS (Kafka's worker `config.providers`): the providers
   * whose `${name:...}` placeholders are resolved at connector and task start;
   * comma-separated from env, file, directory; default all three, `none` for none.
   */
  configProviders: ConfigProviderName[];
  /** MILLRACE_CONNECT_SECRETS_KEY: 32-byte AES key encrypting secret config values at rest; null = stored as given. */
  secretsKey: Buffer | null;
  /**
   * MILLRACE_CONNECT_ADVERTISED_URL: the REST URL other workers of the group use to reach
   * this one (writes are forwarded to the leader's); default `http://<host>:<port>`.
   */
  advertisedUrl: string;
  /** session.timeout.ms (MILLRACE_CONNECT_SESSION_TIMEOUT_MS, default 10000): a silent worker leaves the group after it. */
  sessionTimeoutMs: number;
  /** heartbeat.interval.ms (MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS, default 3000); below the session timeout. */
  heartbeatIntervalMs: number;
  /** rebalance.timeout.ms (MILLRACE_CONNECT_REBALANCE_TIMEOUT_MS, default 60000): how long a rebalance waits for every worker to rejoin. */
  rebalanceTimeoutMs: number;
  /**
   * MILLRACE_CONNECT_TASK_THREADS (default true): each task of a plugin with
   * `threadSafeTasks` (the JDBC source and sink) runs in its own worker thread
   * (worker/threads/), so tasks use every core and the REST API and herder stay
   * responsive while they are busy; `false` runs every task on the main event loop.
   */
  taskThreads: boolean;
  /**
   * Kafka Connect's `exactly.once.source.support` (MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE):
   * `enabled` (start-up fails unless the Kafka cluster serves transactions), `disabled`,
   * or `auto` (default: enabled when the cluster serves transactions). Enabled: every
   * source task commits its records and offsets in one transaction (KIP-618).
   */
  exactlyOnceSource: 'enabled' | 'disabled' | 'auto';
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const hostPort = /^[^\s:,]+:\d{1,5}$/;
const replicationFactor = int(-1, 32767)
  .refine((v) => v !== 0, 'expected a replication factor >= 1, or -1 for the broker default')
  .optional();

const schema = z.object({
  MILLRACE_HOST: z.string().min(1).default('127.0.0.1'),
  MILLRACE_CONNECT_PORT: int(1, 65535).default(8083),
  MILLRACE_BOOTSTRAP: z
    .string()
    .default('127.0.0.1:9092')
    .refine((v) => v.split(',').every((s) => hostPort.test(s.trim())), 'expected comma-separated host:port pairs'),
  MILLRACE_REGISTRY_URL: z
    .string()
    .default('http://127.0.0.1:8081')
    .transform((v) => v.split(',').map((u) => u.trim()).filter((u) => u !== ''))
    .refine((urls) => urls.length > 0 && urls.every((u) => z.url({ protocol: /^https?$/ }).safeParse(u).success), 'expected an http(s) URL, or a comma-separated list of them')
    .transform((urls) => urls.join(',')),
  MILLRACE_DATA_DIR: z.string().min(1).default('./data'),
  MILLRACE_CONNECT_GROUP_ID: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"').default('connect-cluster'),
  MILLRACE_CONNECT_WORKER_ID: z.string().min(1).optional(),
  MILLRACE_CONNECT_TEST_PLUGINS: z.enum(['true', 'false']).default('false'),
  MILLRACE_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  MILLRACE_ALERT_EVALUATION_INTERVAL_MS: int(100, 3_600_000).default(15000),
  MILLRACE_ALERT_FOR_MS: int(0, 86_400_000).optional(),
  MILLRACE_ALERT_WINDOW_MS: int(1000, 86_400_000).optional(),
  MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN: z
    .string()
    .default('')
    .refine((v) => v.trim() === '' || v.trim() === '*' || v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o.trim())), 'expected *, or comma-separated origins like http://127.0.0.1:8081'),
  MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_METHODS: z
    .string()
    .default('GET,POST,HEAD')
    .refine((v) => v.split(',').every((m) => /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(m.trim())), 'expected comma-separated HTTP methods (GET,POST,PUT,PATCH,DELETE,HEAD)'),
  MILLRACE_CONNECT_PLUGIN_MODULES: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const files: string[] = [];
      for (const item of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        const file = resolveModule(item);
        if (file === null) ctx.addIssue({ code: 'custom', input: value, message: `cannot find module ${item} (expected comma-separated paths of compiled plugin modules)` });
        else files.push(file);
      }
      return files;
    }),
  MILLRACE_CONNECT_CONFIG_TOPIC: z.string().min(1).default('connect-configs'),
  MILLRACE_CONNECT_OFFSET_TOPIC: z.string().min(1).default('connect-offsets'),
  MILLRACE_CONNECT_STATUS_TOPIC: z.string().min(1).default('connect-status'),
  MILLRACE_CONNECT_OFFSET_PARTITIONS: int(1, 1000).default(5),
  MILLRACE_CONNECT_STATUS_PARTITIONS: int(1, 1000).default(5),
  MILLRACE_CONNECT_CONFIG_REPLICATION_FACTOR: replicationFactor,
  MILLRACE_CONNECT_OFFSET_REPLICATION_FACTOR: replicationFactor,
  MILLRACE_CONNECT_STATUS_REPLICATION_FACTOR: replicationFactor,
  MILLRACE_CONNECT_CONFIG_PROVIDERS: z
    .string()
    .default(CONFIG_PROVIDER_NAMES.join(','))
    .transform((value, ctx) => {
      const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (names.length === 1 && names[0] === 'none') return [];
      const known: readonly string[] = CONFIG_PROVIDER_NAMES;
      const bad = names.filter((n) => !known.includes(n));
      if (bad.length > 0) ctx.addIssue({ code: 'custom', input: value, message: `unknown config provider(s) ${bad.join(', ')}: expected a comma-separated list of ${CONFIG_PROVIDER_NAMES.join(', ')}, or none` });
      return [...new Set(names)] as ConfigProviderName[];
    }),
  MILLRACE_CONNECT_SECRETS_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const key = parseSecretsKey(value);
      if (typeof key === 'string') ctx.addIssue({ code: 'custom', input: '(hidden)', message: key });
      return typeof key === 'string' ? null : key;
    }),
  MILLRACE_CONNECT_ADVERTISED_URL: z.url({ protocol: /^https?$/ }).optional(),
  MILLRACE_CONNECT_SESSION_TIMEOUT_MS: int(1000, 3_600_000).default(10_000),
  MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: int(100, 3_600_000).default(3_000),
  MILLRACE_CONNECT_REBALANCE_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  MILLRACE_CONNECT_TASK_THREADS: z.enum(['true', 'false']).default('true'),
  MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: z.enum(['enabled', 'disabled', 'auto']).default('auto'),
});

/** The file a module path names (resolved against the working directory), or null when there is none. */
function resolveModule(modulePath: string): string | null {
  try {
    return require.resolve(path.resolve(modulePath));
  } catch {
    return null;
  }
}

/** Parses and validates the worker's environment; throws ConfigError listing every bad variable. */
export function loadConnectConfig(env: NodeJS.ProcessEnv = process.env): ConnectConfig {
  const e = parseEnv(schema, env);
  const topics = [e.MILLRACE_CONNECT_CONFIG_TOPIC, e.MILLRACE_CONNECT_OFFSET_TOPIC, e.MILLRACE_CONNECT_STATUS_TOPIC];
  if (new Set(topics).size !== topics.length) {
    throw new ConfigError([`MILLRACE_CONNECT_CONFIG_TOPIC, MILLRACE_CONNECT_OFFSET_TOPIC and MILLRACE_CONNECT_STATUS_TOPIC must differ (${topics.join(', ')})`]);
  }
  if (e.MILLRACE_CONNECT_TEST_PLUGINS === 'true' && e.MILLRACE_CONNECT_PLUGIN_MODULES.length === 0) {
    throw new ConfigError(['MILLRACE_CONNECT_TEST_PLUGINS=true needs MILLRACE_CONNECT_PLUGIN_MODULES naming the test plugin module (dist/apps/connect/test/support/test-plugin-module.js)']);
  }
  if (e.MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS >= e.MILLRACE_CONNECT_SESSION_TIMEOUT_MS) {
    throw new ConfigError(['MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS must be below MILLRACE_CONNECT_SESSION_TIMEOUT_MS']);
  }
  return {
    host: e.MILLRACE_HOST,
    port: e.MILLRACE_CONNECT_PORT,
    bootstrap: e.MILLRACE_BOOTSTRAP.split(',').map((s) => s.trim()),
    registryUrl: e.MILLRACE_REGISTRY_URL,
    dataDir: e.MILLRACE_DATA_DIR,
    groupId: e.MILLRACE_CONNECT_GROUP_ID,
    workerId: e.MILLRACE_CONNECT_WORKER_ID ?? `${e.MILLRACE_HOST}:${e.MILLRACE_CONNECT_PORT}`,
    testPlugins: e.MILLRACE_CONNECT_TEST_PLUGINS === 'true',
    corsOrigins: e.MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    corsMethods: e.MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_METHODS.split(',').map((s) => s.trim()),
    alerts: { webhookUrl: e.MILLRACE_ALERT_WEBHOOK_URL ?? null, evaluationIntervalMs: e.MILLRACE_ALERT_EVALUATION_INTERVAL_MS, forMs: e.MILLRACE_ALERT_FOR_MS ?? null, windowMs: e.MILLRACE_ALERT_WINDOW_MS ?? null },
    pluginModules: e.MILLRACE_CONNECT_PLUGIN_MODULES,
    configTopic: e.MILLRACE_CONNECT_CONFIG_TOPIC,
    offsetTopic: e.MILLRACE_CONNECT_OFFSET_TOPIC,
    statusTopic: e.MILLRACE_CONNECT_STATUS_TOPIC,
    offsetTopicPartitions: e.MILLRACE_CONNECT_OFFSET_PARTITIONS,
    statusTopicPartitions: e.MILLRACE_CONNECT_STATUS_PARTITIONS,
    storageReplicationFactors: {
      config: e.MILLRACE_CONNECT_CONFIG_REPLICATION_FACTOR,
      offset: e.MILLRACE_CONNECT_OFFSET_REPLICATION_FACTOR,
      status: e.MILLRACE_CONNECT_STATUS_REPLICATION_FACTOR,
    },
    configProviders: e.MILLRACE_CONNECT_CONFIG_PROVIDERS,
    secretsKey: e.MILLRACE_CONNECT_SECRETS_KEY,
    advertisedUrl: (e.MILLRACE_CONNECT_ADVERTISED_URL ?? `http://${e.MILLRACE_HOST}:${e.MILLRACE_CONNECT_PORT}`).replace(/\/+$/, ''),
    sessionTimeoutMs: e.MILLRACE_CONNECT_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: e.MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS,
    rebalanceTimeoutMs: e.MILLRACE_CONNECT_REBALANCE_TIMEOUT_MS,
    taskThreads: e.MILLRACE_CONNECT_TASK_THREADS === 'true',
    exactlyOnceSource: e.MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE,
  };
}

/** Nest injection token for the validated ConnectConfig. */
export const CONNECT_CONFIG = Symbol('CONNECT_CONFIG');
