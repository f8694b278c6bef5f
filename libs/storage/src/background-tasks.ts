import { errorMessage } from '@millrace/app-common';
import type { StorageLogger } from './logger';

/**
 * Named background tasks of a log directory (LogManager): each name runs at most once
 * at a time (a tick that finds it still running is skipped), failures are logged, never
 * thrown; timers are unref'd so they never keep the process alive. `stop()` clears the
 * timers and waits for whatever is running.
 */
export class BackgroundTasks {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly label: string,
    private readonly logger: StorageLogger,
  ) {}

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Runs `fn` now unless a task of that name is still running (or the tasks stopped). */
  run(name: string, fn: () => Promise<unknown>): void {
    if (this.stopped || this.running.has(name)) return;
    const p = fn()
      .catch((err: unknown) => this.logger.warn(`${this.label}: ${name} task failed: ${errorMessage(err)}`))
      .finally(() => this.running.delete(name));
    this.running.set(name, p);
  }

  /** Runs `fn` every `ms`. */
  every(ms: number, name: string, fn: () => Promise<unknown>): void {
    const t = setInterval(() => this.run(name, fn), ms);
    t.unref();
    this.timers.push(t);
  }

  /** Runs `fn` once after `ms`. */
  after(ms: number, name: string, fn: () => Promise<unknown>): void {
    const t = setTimeout(() => this.run(name, fn), ms);
    t.unref();
    this.timers.push(t);
  }

  /** Lets shutdown wait for `p` (a task started elsewhere, e.g. a directory removal). */
  track(name: string, p: Promise<unknown>): void {
    this.running.set(name, p);
    void p.finally(() => this.running.delete(name));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.running.values()]);
  }
}
