import * as fs from 'node:fs';

/**
 * True when a process with this pid exists and has not ended. A zombie (ended, not yet
 * reaped — e.g. an orphan whose new parent never reaps) counts as ended: on Linux its
 * /proc/<pid>/stat state is checked.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." — comm may contain spaces or parentheses, so split after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    // ENOENT: it vanished meanwhile; anything else (no procfs): trust the signal probe
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
