import type { CoordinatorClock, ScheduledTask } from '../coordinator-clock';

/**
 * A CoordinatorClock for tests: time only moves when `advance` is called. Due tasks run in
 * deadline order (ties in scheduling order), each with `now()` equal to its deadline, and
 * pending promise callbacks are flushed after each task so async continuations (log
 * appends, resolved JoinGroup/SyncGroup promises) settle before the next timer fires.
 */
export class ManualClock implements CoordinatorClock {
  private current: number;
  private seq = 0;
  private readonly tasks: { at: number; seq: number; run: () => void; cancelled: boolean }[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, run: () => void): ScheduledTask {
    const task = { at: this.current + Math.max(0, delayMs), seq: this.seq++, run, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => void (task.cancelled = true) };
  }

  /** Number of live (not cancelled, not yet run) tasks. */
  get pendingTasks(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running every task that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushPromises();
    while (true) {
      let next: (typeof this.tasks)[number] | undefined;
      for (const t of this.tasks) {
        if (t.cancelled || t.at > target) continue;
        if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      this.tasks.splice(this.tasks.indexOf(next), 1);
      this.current = Math.max(this.current, next.at);
      next.run();
      await flushPromises();
    }
    this.current = target;
    for (let i = this.tasks.length - 1; i >= 0; i--) if (this.tasks[i].cancelled) this.tasks.splice(i, 1);
    await flushPromises();
  }
}

/** Lets all queued promise continuations run (a few macrotask turns). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
