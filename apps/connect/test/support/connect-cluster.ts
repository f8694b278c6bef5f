import { startConnect, type ConnectProcess } from '@millrace/testing';
import { ConnectRest, type ConnectorStatus } from './connect-rest';

/** Session and heartbeat settings of the cluster tests: a dead worker is noticed after 10 s. */
export const CLUSTER_TIMING = {
  MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '10000',
  MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000',
} as const;

/** One worker of a test cluster: its process and REST client. */
export interface ClusterWorker {
  readonly process: ConnectProcess;
  readonly rest: ConnectRest;
  /** Its worker_id in statuses (host:port). */
  readonly workerId: string;
}

/** Starts `count` connect workers of one group (in parallel) against `bootstrap`. */
export async function startConnectCluster(bootstrap: string, count: number, env: Record<string, string> = {}): Promise<ClusterWorker[]> {
  const processes = await Promise.all(
    Array.from({ length: count }, () => startConnect({ bootstrap, env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true', ...CLUSTER_TIMING, ...env } })),
  );
  return processes.map((p) => ({ process: p, rest: new ConnectRest(p.url), workerId: `${p.host}:${p.port}` }));
}

/** Task count per worker_id over the statuses of `names` (as one worker reports them). */
export async function tasksPerWorker(rest: ConnectRest, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) for (const t of (await rest.status(name)).tasks) out.set(t.worker_id, (out.get(t.worker_id) ?? 0) + 1);
  return out;
}

/** The statuses of `names` without traces (what every worker must agree on). */
export async function statusesOf(rest: ConnectRest, names: readonly string[]): Promise<ConnectorStatus[]> {
  const out: ConnectorStatus[] = [];
  for (const name of names) {
    const s = await rest.status(name);
    out.push({ ...s, connector: { state: s.connector.state, worker_id: s.connector.worker_id }, tasks: s.tasks.map((t) => ({ id: t.id, state: t.state, worker_id: t.worker_id })) });
  }
  return out;
}
