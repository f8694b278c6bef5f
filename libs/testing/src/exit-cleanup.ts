/**
 * Last-resort cleanup when the process (typically a jest worker) exits while servers
 * started by this library are still running.
 *
 * Contract: actions run synchronously inside the process 'exit' event, so they must be
 * synchronous themselves (signal a pid, remove a directory). All 'kill' actions run
 * before all 'remove' actions, so a directory is removed after its server was signalled.
 * Errors thrown by an action are swallowed; the remaining actions still run. Helpers
 * unregister their actions once they have cleaned up normally.
 *
 * SIGTERM, SIGINT and SIGHUP end a process without an 'exit' event (jest-worker force-exits
 * a stuck worker with SIGTERM), so the same actions also run on those signals; the signal
 * is then re-raised with its default action, unless other listeners for it exist, which
 * stay in charge. SIGKILL cannot be covered.
 */
export type ExitCleanupKind = 'kill' | 'remove';

interface Entry {
  readonly kind: ExitCleanupKind;
  readonly action: () => void;
}

const entries = new Set<Entry>();
let installed = false;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

function runAll(): void {
  for (const kind of ['kill', 'remove'] as const) {
    for (const entry of [...entries]) {
      if (entry.kind !== kind) continue;
      entries.delete(entry);
      try {
        entry.action();
      } catch {
        // best effort: the process is exiting anyway
      }
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

function uninstall(): void {
  installed = false;
  process.removeListener('exit', runAll);
  for (const sig of SIGNALS) process.removeListener(sig, onSignal);
}

/** Registers `action` to run at process exit; returns a function that unregisters it. */
export function registerExitCleanup(kind: ExitCleanupKind, action: () => void): () => void {
  install();
  const entry: Entry = { kind, action };
  entries.add(entry);
  return () => {
    entries.delete(entry);
  };
}
