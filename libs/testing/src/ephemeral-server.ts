import { ManagedProcess, type ManagedProcessOptions } from './managed-process';
import { retryUntil } from './retry';
import { makeTempDir, type TempDir } from './temp-dir';

/**
 * What every ephemeral database/cache server shares with the others: its process
 * controls. Each `Ephemeral*` interface extends this with its own address fields.
 *
 * Contracts: `stop()` sends the server's graceful-stop signal, waits for exit and removes
 * the temporary directory; `kill()` SIGKILLs it, waits for exit and leaves the directory
 * for a later `stop()` or process exit to remove. Both are idempotent.
 */
export interface EphemeralServerControls {
  readonly pid: number | undefined;
  logs(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** The server to run once `prepare` has laid out its directory. */
export interface PreparedServer extends ManagedProcessOptions {
  /** Resolves once the server answers (retried until `startTimeoutMs`). */
  probe(): Promise<void>;
  /** Names the server in a start-up time-out, e.g. "postgres on 127.0.0.1:5432". */
  readonly description: string;
}

export interface EphemeralServerLaunch {
  /** Prefix of the temporary directory under os.tmpdir(). */
  readonly tempPrefix: string;
  readonly keepDataDir?: boolean;
  readonly startTimeoutMs: number;
  readonly probeIntervalMs: number;
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs?: number;
  /** Runs in the fresh temporary directory (initdb, install-db, ports) and names the process. */
  prepare(dir: string): Promise<PreparedServer>;
}

class ServerControls implements EphemeralServerControls {
  constructor(
    private readonly proc: ManagedProcess,
    private readonly tmp: TempDir,
    private readonly launch: EphemeralServerLaunch,
  ) {}

  get pid(): number | undefined {
    return this.proc.pid;
  }

  logs(): string {
    return this.proc.logs.text();
  }

  async stop(): Promise<void> {
    await this.proc.stop(this.launch.stopSignal, this.launch.stopTimeoutMs);
    this.tmp.remove();
  }

  async kill(): Promise<void> {
    await this.proc.kill();
  }
}

/**
 * Makes the temporary directory, prepares and spawns the server, and waits until its
 * probe passes (failing early if the process exits). On any failure the process is killed
 * and the directory removed before the error is rethrown. Returns the controls with the
 * caller's `fields` assigned onto them (the `pid` getter stays live).
 */
export async function launchEphemeralServer<T extends object>(
  launch: EphemeralServerLaunch,
  fields: (dir: string) => T,
): Promise<EphemeralServerControls & T> {
  const tmp = makeTempDir(launch.tempPrefix, { keep: launch.keepDataDir });
  let proc: ManagedProcess | undefined;
  try {
    const prepared = await launch.prepare(tmp.path);
    const server = new ManagedProcess(prepared);
    proc = server;
    await retryUntil(prepared.description, () => prepared.probe(), {
      timeoutMs: launch.startTimeoutMs,
      intervalMs: launch.probeIntervalMs,
      abort: () => server.exitError(),
    });
    return Object.assign(new ServerControls(server, tmp, launch), fields(tmp.path));
  } catch (err) {
    await proc?.kill();
    tmp.remove();
    throw err;
  }
}
