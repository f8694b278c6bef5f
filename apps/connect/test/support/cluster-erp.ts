import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import {
  retryUntil,
  startBrokerCluster,
  startConnect,
  startMariaDb,
  startPostgres,
  type BrokerCluster,
  type BrokerProcess,
  type ConnectProcess,
} from '@millrace/testing';
import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import { ConnectRest } from './connect-rest';
import type { ErpPipeline } from './erp-fixture';

/**
 * The ERP -> warehouse pipeline of erp-fixture.ts on a 3-broker cluster (etcd, RF 3):
 * MariaDB and Postgres, three brokers, then one connect worker bootstrapped from all
 * three brokers whose Avro converters use the registry of `registryBroker` (chosen by the
 * caller once `_schemas` exists) and fail over to the other brokers' registries. Every
 * process logs to CLUSTER_ERP_LOG_DIR.
 */
export interface ClusterErpPipeline extends ErpPipeline {
  readonly cluster: BrokerCluster;
  /** The broker whose registry (HTTP port) connect's converters call first; also `broker`. */
  readonly registryBroker: BrokerProcess;
}

/** Where each process of the pipeline logs (replaced every run), for a failure's post-mortem. */
export const CLUSTER_ERP_LOG_DIR = path.join(os.tmpdir(), 'millrace-cluster-erp-logs');

function logFile(name: string): string {
  fs.mkdirSync(CLUSTER_ERP_LOG_DIR, { recursive: true });
  const file = path.join(CLUSTER_ERP_LOG_DIR, `${name}.log`);
  fs.rmSync(file, { force: true });
  return file;
}

/** Broker settings of the cluster: quick failover, topics the source auto-creates replicated 3 times. */
export const CLUSTER_ENV: Readonly<Record<string, string>> = {
  MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200',
  MILLRACE_DEFAULT_REPLICATION_FACTOR: '3',
  MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000',
};

/** A kafkajs admin on every broker of the cluster (retries quietly while one is down). */
export function clusterAdmin(cluster: BrokerCluster): Admin {
  return new Kafka({ clientId: 'cluster-erp-test', brokers: cluster.brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
}

/** Waits until `count` brokers are live and `topic` has a leader; answers its replicas and leader. */
export async function topicPlacement(admin: Admin, topic: string, timeoutMs = 60_000): Promise<{ replicas: number[]; leader: number }> {
  return retryUntil(
    `${topic} with a leader`,
    async () => {
      const m = await admin.fetchTopicMetadata({ topics: [topic] });
      const p = m.topics[0]?.partitions[0];
      if (!p || p.leader < 0) throw new Error(`${topic}: no leader yet`);
      return { replicas: p.replicas, leader: p.leader };
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** min.insync.replicas of a topic as the cluster describes it. */
export async function minInsyncReplicas(admin: Admin, topic: string): Promise<string | undefined> {
  const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }] });
  return r.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue;
}

/** Partitions led per broker id, over every topic (internal ones included). */
export async function leadersPerBroker(admin: Admin): Promise<Map<number, number>> {
  const m = await admin.fetchTopicMetadata();
  const counts = new Map<number, number>();
  for (const t of m.topics) for (const p of t.partitions) if (p.leader >= 0) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  return counts;
}

/** Starts cluster, MariaDB and Postgres in parallel; the caller then calls `attachConnect`. */
export async function startClusterAndDatabases(sessionTimeoutMs: number): Promise<{ cluster: BrokerCluster; stopAll: () => Promise<void>; rest: Omit<ErpPipeline, 'broker' | 'connect' | 'workers' | 'rest' | 'stop'> }> {
  const started = await Promise.allSettled([
    startBrokerCluster({ brokers: 3, clusterId: 'erp-cluster', sessionTimeoutMs, env: { ...CLUSTER_ENV }, perBroker: (id) => ({ logFile: logFile(`broker-${id}`) }) }),
    startMariaDb({ database: 'erp', extraArgs: ['--innodb-buffer-pool-size=128M'] }),
    startPostgres({ database: 'warehouse' }),
  ]);
  const [c, m, p] = started;
  if (c.status === 'rejected' || m.status === 'rejected' || p.status === 'rejected') {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop().catch(() => undefined) : undefined)));
    throw started.find((s): s is PromiseRejectedResult => s.status === 'rejected')?.reason;
  }
  const cluster = c.value;
  const maria = m.value;
  const pg = p.value;
  let erp: Connection | undefined;
  let warehouse: Client | undefined;
  const stopAll = async (): Promise<void> => {
    await erp?.end().catch(() => undefined);
    await warehouse?.end().catch(() => undefined);
    await Promise.all([cluster.stop(), maria.stop(), pg.stop()].map((s) => s.catch(() => undefined)));
  };
  try {
    erp = await createConnection({ host: maria.host, port: maria.port, user: maria.user, password: maria.password, database: maria.database, dateStrings: true });
    await erp.query("SET time_zone = '+00:00'");
    warehouse = new Client({ connectionString: pg.connectionString });
    await warehouse.connect();
    await warehouse.query("SET TIME ZONE 'UTC'");
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { cluster, stopAll, rest: { maria, pg, erp, warehouse } };
}

/**
 * Starts one connect worker bootstrapped from every broker, exactly-once source support
 * enabled, converters on `registryBroker`'s registry (then the others'); answers the whole pipeline, whose
 * `stop` stops the worker, then the databases and the cluster (if the worker does not
 * start, stopping `base` is the caller's).
 */
export async function attachConnect(
  base: Awaited<ReturnType<typeof startClusterAndDatabases>>,
  registryBroker: BrokerProcess,
): Promise<ClusterErpPipeline> {
  const connect: ConnectProcess = await startConnect({
    bootstrap: base.cluster.bootstrap,
    // the chosen registry first, then the other brokers' (the converters fail over along the list)
    registryUrl: [registryBroker, ...base.cluster.brokers.filter((b) => b !== registryBroker)].map((b) => `http://127.0.0.1:${b.httpPort}`).join(','),
    env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' },
    startTimeoutMs: 90_000,
    logFile: logFile('connect'),
  });
  const stop = async (): Promise<void> => {
    await connect.stop().catch(() => undefined);
    await base.stopAll();
  };
  return { ...base.rest, cluster: base.cluster, registryBroker, broker: registryBroker, connect, workers: [connect], rest: new ConnectRest(connect.url), stop };
}

/** GET on a broker's registry; answers status and parsed body (status 0 when it does not answer). */
export async function registryGet(broker: BrokerProcess, path: string): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(`http://127.0.0.1:${broker.httpPort}${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** POST a schema to a broker's registry under `subject`; answers its id. */
export async function registerSchema(broker: BrokerProcess, subject: string, schema: object): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${broker.httpPort}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  const body = (await res.json()) as { id?: number };
  if (res.status !== 200 || typeof body.id !== 'number') throw new Error(`registering ${subject} on broker ${broker.nodeId}: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}
