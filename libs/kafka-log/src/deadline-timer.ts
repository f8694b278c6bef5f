/**
 * Calls `fire` once the wall clock (Date.now) has reached the earliest deadline asked
 * for. A plain setTimeout can run a little before `Date.now() + delay` (the event loop
 * measures delays from its cached time, which lags under load), so a caller that then
 * compares Date.now() with its deadline would skip its work and never be called again;
 * this timer checks the clock when it runs and waits out the rest instead.
 *
 * Contracts: `at(t)` keeps the earlier of `t` and a deadline already set; `fire` runs
 * once per deadline reached, never before it; `cancel` drops the deadline.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private deadline = Infinity;

  constructor(private readonly fire: () => void) {}

  at(deadline: number): void {
    if (this.timer !== null && this.deadline <= deadline) return;
    this.cancel();
    this.deadline = deadline;
    this.arm();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.deadline = Infinity;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      const early = this.deadline - Date.now();
      if (early > 0) {
        this.arm();
        return;
      }
      this.timer = null;
      this.deadline = Infinity;
      this.fire();
    }, Math.max(1, this.deadline - Date.now()));
  }
}
