import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

/**
 * Preloaded into a child process (`NODE_OPTIONS=--require .../cpu-profile-hook.js`, since
 * Node 20 refuses --cpu-prof in NODE_OPTIONS) to profile one phase of it like --cpu-prof.
 * Driven by files in `$MILLRACE_CPU_PROFILE_DIR` (signals are no good: NestJS's shutdown
 * hooks take SIGUSR2 as a stop request): once `start` exists the V8 CPU profiler runs;
 * once `stop` exists it stops and the profile is written to `<pid>.cpuprofile` there
 * (Chrome DevTools reads it). Preloads run in worker threads too (connect's task
 * threads): each thread profiles itself into `<pid>-thread<threadId>.cpuprofile`.
 * Bench-only: nothing in the apps loads it.
 */
const dir = process.env['MILLRACE_CPU_PROFILE_DIR'];
if (dir) {
  const session = new inspector.Session();
  session.connect();
  let state: 'idle' | 'running' | 'done' = 'idle';
  const timer = setInterval(() => {
    if (state === 'idle' && fs.existsSync(path.join(dir, 'start'))) {
      state = 'running';
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    } else if (state === 'running' && fs.existsSync(path.join(dir, 'stop'))) {
      state = 'done';
      clearInterval(timer);
      session.post('Profiler.stop', (err, result) => {
        if (err) return;
        const file = path.join(dir, isMainThread ? `${process.pid}.cpuprofile` : `${process.pid}-thread${threadId}.cpuprofile`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
        fs.renameSync(`${file}.tmp`, file);
      });
    }
  }, 50);
  timer.unref();
}
