import * as fs from 'node:fs';

/**
 * CPU time a process has used so far, from /proc/<pid>/stat (Linux only): utime + stime
 * (fields 14 and 15, all threads), in seconds. Used around each client phase to show
 * how much of the phase the broker spent on a CPU, which tells a broker-bound phase from
 * a client-bound one on a machine where both share the cores.
 *
 * Clock ticks are taken as 100 per second (USER_HZ, fixed at 100 by Linux on every
 * mainstream architecture). Returns null when the file cannot be read or parsed.
 */
const USER_HZ = 100;

export function processCpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is parenthesised and may contain spaces: split after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) / USER_HZ;
}

/** Runs `work` and reports the CPU seconds `pid` used meanwhile (null without a pid). */
export async function measureCpu<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpuSeconds: number | null }> {
  const before = pid === undefined ? null : processCpuSeconds(pid);
  const result = await work();
  const after = pid === undefined ? null : processCpuSeconds(pid);
  return { result, cpuSeconds: before === null || after === null ? null : after - before };
}
