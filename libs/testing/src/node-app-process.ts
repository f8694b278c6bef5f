import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogBuffer } from './log-buffer';
import { ManagedProcess } from './managed-process';
import { retryUntil } from './retry';
import { makeTempDir, type TempDir } from './temp-dir';

/** Exactly what is spawned for a compiled Millrace app. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** Only the variables set on top of the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The command line of a compiled app: the current node binary, with the path-alias hook
 * scripts/register-paths.js preloaded, running `<repoRoot>/<entry>`.
 */
export function nodeAppLaunch(repoRoot: string, entry: string, env: Record<string, string>): LaunchSpec {
  return {
    command: process.execPath,
    args: ['-r', path.join(repoRoot, 'scripts', 'register-paths.js'), path.join(repoRoot, entry)],
    env,
  };
}

/** Throws a "run npm run build first" error when the compiled entry point is missing. */
export function assertBuilt(repoRoot: string, entry: string): void {
  const file = path.join(repoRoot, entry);
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: run npm run build first`);
}

export interface NodeAppOptions {
  /** Short name for messages and the temp dir prefix ("broker", "connect"). */
  readonly name: string;
  readonly repoRoot: string;
  /** Entry point relative to repoRoot, e.g. dist/apps/broker/src/main.js. */
  readonly entry: string;
  /** Builds the app's environment once the data directory is known. */
  readonly env: (dataDir: string) => Record<string, string>;
  /** Resolves once the app serves; called after every (re)start. */
  readonly ready: () => Promise<void>;
  /** Use this data directory (created if missing, never removed) instead of a temp one. */
  readonly dataDir?: string;
  /** Keep the temporary data directory after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** Also append all output to this file. */
  readonly logFile?: string;
  /** Default 30 s. */
  readonly startTimeoutMs?: number;
}

/**
 * A compiled Millrace app run as a child process.
 *
 * Contracts: `stop()` sends SIGTERM, waits for exit (SIGKILL after 15 s) and removes the
 * temporary data directory (never a caller-supplied one, nor one with `keepDataDir`);
 * `kill()` SIGKILLs, waits for exit and keeps the data directory so that `restart()` can
 * bring the app back on the same ports and data (crash recovery). `restart()` stops a
 * running app gracefully first; it fails after `stop()` if the data directory was removed.
 * Output of every run accumulates in `logs()`; `pid` is the current run's.
 */
export interface NodeApp {
  readonly dataDir: string;
  readonly pid: number | undefined;
  logs(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export async function startNodeApp(opts: NodeAppOptions): Promise<NodeApp> {
  assertBuilt(opts.repoRoot, opts.entry);
  let temp: TempDir | undefined;
  let dataDir: string;
  if (opts.dataDir !== undefined) {
    dataDir = path.resolve(opts.dataDir);
    fs.mkdirSync(dataDir, { recursive: true });
  } else {
    temp = makeTempDir(`millrace-${opts.name}-`, { keep: opts.keepDataDir });
    dataDir = temp.path;
  }
  const logs = new LogBuffer(undefined, opts.logFile);
  let current: ManagedProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const spec = nodeAppLaunch(opts.repoRoot, opts.entry, opts.env(dataDir));
    const proc = new ManagedProcess({
      name: opts.name,
      command: spec.command,
      args: spec.args,
      env: { ...process.env, ...spec.env },
      cwd: opts.repoRoot,
      logs,
    });
    current = proc;
    try {
      await retryUntil(`${opts.name} (${opts.entry})`, opts.ready, {
        timeoutMs: opts.startTimeoutMs ?? 30_000,
        intervalMs: 100,
        abort: () => proc.exitError(),
      });
    } catch (err) {
      await proc.kill();
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${message}\n--- ${opts.name} output ---\n${logs.tail(80)}`);
    }
  };

  try {
    await launch();
  } catch (err) {
    temp?.remove();
    throw err;
  }

  return {
    dataDir,
    get pid() {
      return current?.pid;
    },
    logs: () => logs.text(),
    async stop() {
      stopped = true;
      await current?.stop('SIGTERM');
      temp?.remove();
    },
    async kill() {
      await current?.kill();
    },
    async restart() {
      if (stopped && !fs.existsSync(dataDir)) throw new Error(`${opts.name} was stopped and its data directory removed; use keepDataDir to restart after stop()`);
      await current?.stop('SIGTERM');
      logs.append(`\n--- millrace-testing: restarting ${opts.name} ---\n`);
      stopped = false;
      await launch();
    },
  };
}
