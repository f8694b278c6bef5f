import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. stdin is empty when omitted. */
  readonly input?: Buffer | string;
  /** The child is SIGKILLed after this long (default 30 s); `timedOut` is then true. */
  readonly timeoutMs?: number;
  /** Added to (and overriding) the current environment. */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Exit code; null when the child was ended by a signal (including a timeout). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
}

/**
 * Runs a command to completion without a shell (arguments are passed verbatim) and
 * collects its output.
 *
 * Contract: resolves once the child has exited, whatever its exit status (check `code`);
 * rejects only when the command cannot be spawned. A timeout SIGKILLs the child and
 * resolves with `timedOut: true` and the output produced so far.
 */
export function runCommand(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdin.on('error', () => undefined); // EPIPE when the child exits without reading
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code, signal, timedOut });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Like {@link runCommand} but rejects, quoting stderr/stdout, unless the exit code is 0. */
export async function runChecked(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await runCommand(command, args, opts);
  if (result.code !== 0) {
    const why = result.timedOut ? 'timed out' : `exited with code ${result.code} signal ${result.signal}`;
    throw new Error(`${command} ${args.join(' ')} ${why}:\n${result.stderr}${result.stdout.toString('utf8')}`);
  }
  return result;
}
