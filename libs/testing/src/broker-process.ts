import { canConnect, getFreePorts } from './free-port';
import { httpGetStatus } from './http-probe';
import { nodeAppLaunch, startNodeApp, type LaunchSpec, type NodeApp } from './node-app-process';
import { findRepoRoot } from './repo-root';

/** Compiled broker entry point, relative to the repository root. */
export const BROKER_ENTRY = 'dist/apps/broker/src/main.js';

export interface BrokerOptions {
  /** Extra environment for the broker; overrides the MILLRACE_* variables set here. */
  readonly env?: Record<string, string>;
  /** Use this data directory (created if missing, never removed) instead of a temp one. */
  readonly dataDir?: string;
  /** MILLRACE_NODE_ID (default 1). */
  readonly nodeId?: number;
  /** Fixed ports; free ones are picked when omitted. */
  readonly kafkaPort?: number;
  readonly httpPort?: number;
  /** Keep the temporary data directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** Also append the broker's output to this file. */
  readonly logFile?: string;
  /** How long to wait for readiness (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Repository whose dist/ is run (default: this one). */
  readonly repoRoot?: string;
}

/**
 * A broker running as a child process: `npm run build` output, on 127.0.0.1.
 * Ready means the Kafka port accepts TCP connections and GET /health on the HTTP port
 * answers 200. Lifecycle contracts are those of {@link NodeApp}: `stop()` is final (SIGTERM,
 * data dir removed unless kept/supplied), `kill()` simulates a crash and keeps the data,
 * `restart()` comes back on the same ports and data directory.
 */
export interface BrokerProcess extends NodeApp {
  readonly host: string;
  readonly kafkaPort: number;
  readonly httpPort: number;
  readonly nodeId: number;
  /** "127.0.0.1:<kafkaPort>" */
  readonly bootstrap: string;
}

/** The environment the broker gets (on top of the inherited one). */
export function brokerEnv(p: { dataDir: string; host: string; kafkaPort: number; httpPort: number; nodeId: number; env?: Record<string, string> }): Record<string, string> {
  return {
    MILLRACE_DATA_DIR: p.dataDir,
    MILLRACE_HOST: p.host,
    MILLRACE_KAFKA_PORT: String(p.kafkaPort),
    MILLRACE_HTTP_PORT: String(p.httpPort),
    MILLRACE_NODE_ID: String(p.nodeId),
    // Kafka's 3 s default makes every test consumer group wait 3 s before its first
    // assignment; tests that need another value set it.
    MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200',
    ...p.env,
  };
}

/** Exactly what startBroker spawns, for inspection. */
export function brokerLaunch(repoRoot: string, p: Parameters<typeof brokerEnv>[0]): LaunchSpec {
  return nodeAppLaunch(repoRoot, BROKER_ENTRY, brokerEnv(p));
}

/** Starts the compiled broker and waits until it is ready. */
export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerProcess> {
  const host = '127.0.0.1';
  const nodeId = opts.nodeId ?? 1;
  const [freeA, freeB] = await getFreePorts(2, host);
  const kafkaPort = opts.kafkaPort ?? freeA;
  const httpPort = opts.httpPort ?? (freeB === kafkaPort ? freeA : freeB);
  const app = await startNodeApp({
    name: 'broker',
    repoRoot: opts.repoRoot ?? findRepoRoot(),
    entry: BROKER_ENTRY,
    env: (dataDir) => brokerEnv({ dataDir, host, kafkaPort, httpPort, nodeId, env: opts.env }),
    ready: async () => {
      if (!(await canConnect(host, kafkaPort))) throw new Error(`Kafka port ${kafkaPort} refuses connections`);
      const status = await httpGetStatus(`http://${host}:${httpPort}/health`);
      if (status !== 200) throw new Error(`GET /health answered ${status}`);
    },
    dataDir: opts.dataDir,
    keepDataDir: opts.keepDataDir,
    logFile: opts.logFile,
    startTimeoutMs: opts.startTimeoutMs,
  });
  // Object.assign keeps app's `pid` getter (a spread would freeze its first value).
  return Object.assign(app, { host, kafkaPort, httpPort, nodeId, bootstrap: `${host}:${kafkaPort}` });
}
