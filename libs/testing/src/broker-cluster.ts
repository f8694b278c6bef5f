import { startBroker, type BrokerOptions, type BrokerProcess } from './broker-process';
import { startEtcd, type EphemeralEtcd } from './ephemeral-etcd';

export interface BrokerClusterOptions {
  /** Number of brokers, node ids 1..n (default 3). */
  readonly brokers?: number;
  /** MILLRACE_CLUSTER_ID (default "test-cluster"). */
  readonly clusterId?: string;
  /** MILLRACE_BROKER_SESSION_TIMEOUT_MS (default 6000). */
  readonly sessionTimeoutMs?: number;
  /** Extra environment for every broker. */
  readonly env?: Record<string, string>;
  /** How long each broker may take to start (default 60 s: n brokers start at once, on a shared machine). */
  readonly startTimeoutMs?: number;
  /** Per-broker options (by node id), e.g. a rack. */
  readonly perBroker?: (nodeId: number) => Partial<BrokerOptions>;
}

/**
 * An ephemeral etcd and `n` brokers in cluster mode on free ports (node ids 1..n),
 * started in parallel. `stop()` stops the brokers, then etcd (data removed).
 */
export interface BrokerCluster {
  readonly etcd: EphemeralEtcd;
  readonly brokers: BrokerProcess[];
  readonly clusterId: string;
  /** The environment a further broker needs to join this cluster. */
  readonly clusterEnv: Record<string, string>;
  /** "host:port,host:port,..." of every broker. */
  readonly bootstrap: string;
  stop(): Promise<void>;
}

export async function startBrokerCluster(opts: BrokerClusterOptions = {}): Promise<BrokerCluster> {
  const etcd = await startEtcd();
  const clusterId = opts.clusterId ?? 'test-cluster';
  const clusterEnv = {
    MILLRACE_ETCD_ENDPOINTS: etcd.endpoint,
    MILLRACE_CLUSTER_ID: clusterId,
    MILLRACE_BROKER_SESSION_TIMEOUT_MS: String(opts.sessionTimeoutMs ?? 6000),
  };
  const ids = Array.from({ length: opts.brokers ?? 3 }, (_, i) => i + 1);
  const started = await Promise.allSettled(
    ids.map((nodeId) => {
      const extra = opts.perBroker?.(nodeId) ?? {};
      return startBroker({ startTimeoutMs: opts.startTimeoutMs ?? 60_000, ...extra, nodeId, env: { ...clusterEnv, ...opts.env, ...extra.env } });
    }),
  );
  const brokers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const stop = async (): Promise<void> => {
    for (const b of brokers) await b.stop().catch(() => undefined);
    await etcd.stop();
  };
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { etcd, brokers, clusterId, clusterEnv, bootstrap: brokers.map((b) => b.bootstrap).join(','), stop };
}
