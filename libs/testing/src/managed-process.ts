import { spawn, type ChildProcess } from 'node:child_process';
import { registerExitCleanup } from './exit-cleanup';
import { LogBuffer } from './log-buffer';

/** How a child ended: exit code, or the signal that ended it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Short name used in error messages ("postgres", "broker"...). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run the child with these credentials (needs root); the child is exec'd directly. */
  readonly uid?: number;
  readonly gid?: number;
  /** Where stdout/stderr go; a fresh buffer is made when omitted. */
  readonly logs?: LogBuffer;
}

/**
 * A long-running child process (a server) whose output is captured.
 *
 * Contracts:
 * - spawned directly (never through a shell), stdin closed, stdout+stderr to the LogBuffer;
 * - SIGKILLed at process exit if still running (see exit-cleanup);
 * - `stop()` and `kill()` resolve only once the child has exited, and are idempotent.
 */
export class ManagedProcess {
  readonly logs: LogBuffer;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private exit: ProcessExit | undefined;
  private spawnError: Error | undefined;

  constructor(private readonly opts: ManagedProcessOptions) {
    this.logs = opts.logs ?? new LogBuffer();
    this.child = spawn(opts.command, [...opts.args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.logs.append(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.logs.append(chunk));
    const unregister = registerExitCleanup('kill', () => {
      if (this.exit === undefined && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      this.child.once('error', (err) => {
        // spawn failures (ENOENT, EACCES) never produce 'close'
        if (this.child.pid === undefined) {
          this.spawnError = err;
          this.exit = { code: null, signal: null };
          unregister();
          resolve(this.exit);
        }
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        unregister();
        resolve(this.exit);
      });
    });
  }

  /** OS pid of the child (undefined only if spawning failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * Undefined while the child runs; otherwise an Error describing how it ended, with
   * the tail of its output. Used to abort readiness waits early.
   */
  exitError(): Error | undefined {
    if (this.exit === undefined) return undefined;
    const how = this.spawnError
      ? `could not be spawned (${this.spawnError.message})`
      : `exited (code ${this.exit.code}, signal ${this.exit.signal})`;
    return new Error(`${this.opts.name} [${this.opts.command}] ${how}; last output:\n${this.logs.tail()}`);
  }

  /**
   * Sends `signal` (default SIGTERM) and waits for exit; escalates to SIGKILL when the
   * child is still alive after `graceMs`.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ProcessExit> {
    if (this.exit !== undefined) return this.exit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, escalated]);
    clearTimeout(timer);
    return this.exited;
  }

  /** Sends SIGKILL and waits for exit. */
  async kill(): Promise<ProcessExit> {
    if (this.exit !== undefined) return this.exit;
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
