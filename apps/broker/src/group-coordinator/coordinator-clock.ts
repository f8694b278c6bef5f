/**
 * Time source and timer scheduler for the group coordinator. Injected so that unit
 * tests can drive session timeouts, rebalance timeouts and the initial rebalance delay
 * deterministically (see ManualClock).
 *
 * Contract: `schedule(delayMs, task)` runs `task` once, no earlier than `now() + delayMs`,
 * on a later macrotask (never synchronously inside `schedule`). `cancel()` on the returned
 * handle guarantees the task will not run afterwards; cancelling twice or after it ran
 * is a no-op. Tasks must not throw (the coordinator catches its own errors).
 */
export interface ScheduledTask {
  cancel(): void;
}

export interface CoordinatorClock {
  /** Milliseconds since the epoch. */
  now(): number;
  schedule(delayMs: number, task: () => void): ScheduledTask;
}

/** Wall clock backed by Node timers. Timers are unref'd: they never keep the process alive. */
export const systemClock: CoordinatorClock = {
  now: () => Date.now(),
  schedule(delayMs, task) {
    const t = setTimeout(task, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Schedules `task` on `clock` so that an exception thrown by it goes to `onError`
 * instead of escaping into the timer (and crashing the process).
 */
export function scheduleGuarded(clock: CoordinatorClock, delayMs: number, task: () => void, onError: (err: unknown) => void): ScheduledTask {
  return clock.schedule(delayMs, () => {
    try {
      task();
    } catch (err) {
      onError(err);
    }
  });
}
