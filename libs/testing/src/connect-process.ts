import * as path from 'node:path';
import { getFreePort } from './free-port';
import { httpGetStatus } from './http-probe';
import { nodeAppLaunch, startNodeApp, type LaunchSpec, type NodeApp } from './node-app-process';
import { findRepoRoot } from './repo-root';

/** Compiled Kafka Connect runtime entry point, relative to the repository root. */
export const CONNECT_ENTRY = 'dist/apps/connect/src/main.js';

/** Compiled plugin module of the runtime's integration tests (FakeSource, InMemorySink, ...), relative to the repository root. */
export const CONNECT_TEST_PLUGIN_MODULE = 'dist/apps/connect/test/support/test-plugin-module.js';

export interface ConnectOptions {
  /** Broker bootstrap address, e.g. broker.bootstrap. */
  readonly bootstrap: string;
  /** Schema registry base URL (MILLRACE_REGISTRY_URL), if any. */
  readonly registryUrl?: string;
  /** Extra environment; overrides the MILLRACE_* variables set here. */
  readonly env?: Record<string, string>;
  readonly dataDir?: string;
  /** Fixed REST port; a free one is picked when omitted. */
  readonly port?: number;
  readonly keepDataDir?: boolean;
  readonly logFile?: string;
  readonly startTimeoutMs?: number;
  readonly repoRoot?: string;
}

/**
 * The Connect runtime running as a child process. Ready means GET / on its REST port
 * answers 2xx. Lifecycle contracts are those of {@link NodeApp}.
 */
export interface ConnectProcess extends NodeApp {
  readonly host: string;
  readonly port: number;
  /** "http://127.0.0.1:<port>" */
  readonly url: string;
}

/**
 * The environment the Connect runtime gets (on top of the inherited one). With
 * `MILLRACE_CONNECT_TEST_PLUGINS: 'true'` in `env` (and no MILLRACE_CONNECT_PLUGIN_MODULES
 * of its own), the worker is also given the tests' plugin module under `repoRoot`.
 */
export function connectEnv(p: { dataDir: string; port: number; bootstrap: string; registryUrl?: string; env?: Record<string, string>; repoRoot?: string }): Record<string, string> {
  const env: Record<string, string> = {
    MILLRACE_DATA_DIR: p.dataDir,
    MILLRACE_CONNECT_PORT: String(p.port),
    MILLRACE_BOOTSTRAP: p.bootstrap,
    ...(p.registryUrl !== undefined ? { MILLRACE_REGISTRY_URL: p.registryUrl } : {}),
    ...p.env,
  };
  if (env.MILLRACE_CONNECT_TEST_PLUGINS === 'true' && env.MILLRACE_CONNECT_PLUGIN_MODULES === undefined && p.repoRoot !== undefined) {
    env.MILLRACE_CONNECT_PLUGIN_MODULES = path.join(p.repoRoot, CONNECT_TEST_PLUGIN_MODULE);
  }
  return env;
}

/** Exactly what startConnect spawns, for inspection. */
export function connectLaunch(repoRoot: string, p: Parameters<typeof connectEnv>[0]): LaunchSpec {
  return nodeAppLaunch(repoRoot, CONNECT_ENTRY, connectEnv({ ...p, repoRoot }));
}

/** Starts the compiled Connect runtime and waits until its REST API answers. */
export async function startConnect(opts: ConnectOptions): Promise<ConnectProcess> {
  const host = '127.0.0.1';
  const port = opts.port ?? (await getFreePort(host));
  const url = `http://${host}:${port}`;
  const repoRoot = opts.repoRoot ?? findRepoRoot();
  const app = await startNodeApp({
    name: 'connect',
    repoRoot,
    entry: CONNECT_ENTRY,
    env: (dataDir) => connectEnv({ dataDir, port, bootstrap: opts.bootstrap, registryUrl: opts.registryUrl, env: opts.env, repoRoot }),
    ready: async () => {
      const status = await httpGetStatus(`${url}/`);
      if (status < 200 || status >= 300) throw new Error(`GET / answered ${status}`);
    },
    dataDir: opts.dataDir,
    keepDataDir: opts.keepDataDir,
    logFile: opts.logFile,
    startTimeoutMs: opts.startTimeoutMs,
  });
  // Object.assign keeps app's `pid` getter (a spread would freeze its first value).
  return Object.assign(app, { host, port, url });
}
