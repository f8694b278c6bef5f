import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { waitFor } from './wait-for';

/**
 * A long-running child (kcat -G, a python producer) whose stdout is read line by line
 * while it runs, so a test can act on its progress and then stop it.
 */
export class ChildLines {
  readonly lines: string[] = [];
  private stderrText = '';
  private partial = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(command: string, args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.end();
    this.child.stdout.on('data', (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
      if (this.stderrText.length > 200_000) this.stderrText = this.stderrText.slice(-100_000);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        if (this.partial !== '') this.lines.push(this.partial);
        this.partial = '';
        this.exit = { code, signal };
        resolve();
      });
      this.child.once('error', (err) => {
        this.stderrText += `spawn error: ${err.message}`;
        this.exit = { code: null, signal: null };
        resolve();
      });
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exit;
  }

  /** Waits until `predicate(lines)` holds; fails early if the child exits first. */
  async waitForLines(what: string, predicate: (lines: readonly string[]) => boolean, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      what,
      () => {
        if (predicate(this.lines)) return true;
        if (this.exit !== null) throw new Error(`child exited (${JSON.stringify(this.exit)}) before: ${what}; stderr: ${this.stderrText.slice(-2000)}`);
        return false;
      },
      { timeoutMs, intervalMs: 50, describe: () => `${this.lines.length} lines; stderr tail: ${this.stderrText.slice(-1000)}` },
    );
  }

  /** Resolves when the child has exited (killed with SIGKILL after timeoutMs). */
  async waitForExit(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return this.exit!;
  }

  /** Sends `signal` (default SIGTERM, which kcat handles gracefully) and waits for exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (this.exit === null) this.child.kill(signal);
    await this.waitForExit(graceMs);
  }
}
