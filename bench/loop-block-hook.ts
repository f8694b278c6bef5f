import * as fs from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Preloaded (`NODE_OPTIONS=--require .../loop-block-hook.js`) to find what blocks a
 * process's event loop. With `$MILLRACE_LOOP_BLOCK_LOG` set, and only in processes whose
 * entry script path contains `$MILLRACE_LOOP_BLOCK_MATCH` (default `apps/broker`), it
 * appends one line per event to that file:
 *
 *   sync <fn> <ms> <stack>   a synchronous fs call that took >= 20 ms
 *   gc <kind> <ms>           a garbage collection pause >= 20 ms
 *   block <ms> ran <ms> waited <ms>   the loop was late by >= 100 ms (whatever the
 *                           cause); meanwhile the main thread ran on a CPU / waited in
 *                           the run queue for one that long (/proc/self/task/<pid>/schedstat):
 *                           ran ~ block means work on the thread (JS, GC, a blocking
 *                           call), waited ~ block means the machine had no CPU for it
 *
 * Times are ms since the process started. Diagnosis-only: nothing in the apps loads it.
 */
const out = process.env['MILLRACE_LOOP_BLOCK_LOG'];
const match = process.env['MILLRACE_LOOP_BLOCK_MATCH'] ?? 'apps/broker';
if (out && (process.argv[1] ?? '').includes(match)) {
  const t0 = performance.now();
  const write = (line: string): void => fs.appendFileSync(out, `${process.pid} ${(performance.now() - t0).toFixed(0)} ${line}\n`);
  // The module object itself (an `import *` namespace only has getters).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mutable = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['readSync', 'writeSync', 'writevSync', 'fsyncSync', 'fdatasyncSync', 'openSync', 'closeSync', 'renameSync', 'readFileSync', 'writeFileSync', 'statSync', 'ftruncateSync', 'readdirSync', 'unlinkSync']) {
    const original = mutable[name];
    if (typeof original !== 'function') continue;
    mutable[name] = function (this: unknown, ...args: unknown[]): unknown {
      const start = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - start;
        if (ms >= 20) {
          const stack = (new Error().stack ?? '').split('\n').slice(2, 6).map((l) => l.trim()).join(' < ');
          write(`sync ${name} ${ms.toFixed(1)} ${stack}`);
        }
      }
    };
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration >= 20) write(`gc ${(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? '?'} ${e.duration.toFixed(1)}`);
  }).observe({ entryTypes: ['gc'] });
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const sched = (): number[] => {
    try {
      return fs.readFileSync(schedstat, 'utf8').split(' ').slice(0, 2).map((n) => Number(n) / 1e6);
    } catch {
      return [0, 0];
    }
  };
  let expected = performance.now() + 10;
  let last = sched();
  const timer = setInterval(() => {
    const now = performance.now();
    const cur = sched();
    if (now - expected >= 100) write(`block ${(now - expected).toFixed(0)} ran ${(cur[0] - last[0]).toFixed(0)} waited ${(cur[1] - last[1]).toFixed(0)}`);
    last = cur;
    expected = now + 10;
  }, 10);
  timer.unref();
}
