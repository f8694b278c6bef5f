import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Task threads, started one ahead: loading a thread's modules (the Kafka clients, the
 * connect SDK, a JDBC driver) takes ~0.5-1.5 s of CPU, so once a worker has started its
 * first task thread it keeps one spare thread loading/loaded (unreferenced: it never
 * keeps the process alive) for the next task start (restart, rebalance, new
 * connector). A worker that runs no threaded task starts none. A taken thread waits
 * for its `init` message (task-thread.ts).
 */
const TASK_THREAD = path.join(__dirname, 'task-thread.js');
let spare: Worker | null = null;

function spawnSpare(): void {
  const w = new Worker(TASK_THREAD, { name: 'millrace task thread' });
  w.unref();
  w.once('exit', () => {
    if (spare === w) spare = null;
  });
  w.on('error', () => {
    if (spare === w) spare = null;
  });
  spare = w;
}

/** A task thread for a new task (the spare, when one is alive), and a new spare behind it. */
export function takeTaskThread(): Worker {
  let w = spare;
  spare = null;
  if (w === null || w.threadId < 0) w = new Worker(TASK_THREAD, { name: 'millrace task thread' });
  w.removeAllListeners('exit');
  w.removeAllListeners('error');
  w.ref();
  setImmediate(() => {
    if (spare === null) spawnSpare();
  });
  return w;
}
