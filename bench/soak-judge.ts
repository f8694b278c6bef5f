/**
 * The soak's samples and its flatness rules (soak.ts runs the soak; these are kept apart
 * so they can be tested without loading the soak's clients and pipeline).
 */
export interface Sample {
  t: number;
  rssMiB: number;
  fds: number;
  loopLagMaxMs: number;
  groupLag: number;
  acked: number;
  consumed: number;
  /** ERP commit to warehouse row of one marked update, ms (-1 without --connect). */
  connectLagMs: number;
  /**
   * Since the previous sample: ms the broker's main thread waited in the run queue for a
   * CPU (/proc/<pid>/task/<pid>/schedstat), and the sample interval in ms. A loop-lag
   * spike while the thread waited most of the interval is the machine's, not the broker's.
   */
  cpuWaitMs: number;
  intervalMs: number;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Whether the broker's main thread waited for a CPU for more than half of the sample's interval. */
export function starved(s: Pick<Sample, 'cpuWaitMs' | 'intervalMs'>): boolean {
  return s.intervalMs > 0 && s.cpuWaitMs > s.intervalMs / 2;
}

/** Loop-lag samples >= 1 s that `judge` does not count because the machine starved the broker of CPU (see starved). */
export function starvedLagNotes(samples: Sample[]): string[] {
  return samples
    .filter((s) => s.loopLagMaxMs >= 1000 && starved(s))
    .map((s) => `event-loop lag ${s.loopLagMaxMs} ms at t=${s.t}s not counted: the broker waited ${s.cpuWaitMs} of ${s.intervalMs} ms for a CPU (machine overloaded)`);
}

/** The flatness verdicts (empty: flat). */
export function judge(samples: Sample[], rate: number, sampleSeconds: number): string[] {
  const warm = Math.max(Math.ceil(samples.length / 10), Math.ceil(60 / sampleSeconds));
  const body = samples.slice(warm);
  if (body.length < 3) return [`too few samples after warm-up (${body.length}); run longer`];
  const third = Math.max(1, Math.floor(body.length / 3));
  const first = body.slice(0, third);
  const last = body.slice(-third);
  const out: string[] = [];
  const rss0 = mean(first.map((s) => s.rssMiB));
  const rss1 = mean(last.map((s) => s.rssMiB));
  if (rss1 > rss0 * 1.25 + 32) out.push(`RSS grew: ${rss0.toFixed(0)} -> ${rss1.toFixed(0)} MiB`);
  const fd0 = mean(first.map((s) => s.fds));
  const fd1 = mean(last.map((s) => s.fds));
  if (fd1 > fd0 + 16) out.push(`open FDs grew: ${fd0.toFixed(0)} -> ${fd1.toFixed(0)}`);
  const lagMax = Math.max(0, ...body.filter((s) => !starved(s)).map((s) => s.loopLagMaxMs));
  if (lagMax >= 1000) out.push(`event-loop lag reached ${lagMax} ms`);
  const groupMax = Math.max(...body.map((s) => s.groupLag));
  if (groupMax > rate * 30) out.push(`consumer lag reached ${groupMax} records (> 30 s at ${rate.toFixed(0)}/s)`);
  if (mean(last.map((s) => s.groupLag)) > rate * 10) out.push(`consumer lag not bounded: last-third mean ${mean(last.map((s) => s.groupLag)).toFixed(0)}`);
  const connectMax = Math.max(...body.map((s) => s.connectLagMs));
  if (connectMax > 30_000) out.push(`connect (ERP -> warehouse) lag reached ${connectMax} ms`);
  return out;
}
