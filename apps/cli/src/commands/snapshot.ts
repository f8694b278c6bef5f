import type { Command } from 'commander';
import { CliError, EXIT, type CliContext } from '../cli-context';
import { bar, json } from '../output';
import { connectCall, type ConnectorStatus } from './connector';

/**
 * `millrace snapshot status <connector> [--watch]`: the snapshot progress CDC source
 * tasks report in their status trace (libs/cdc-snapshot's line: "snapshot 41%
 * (12345/30000 rows, 4/10 chunks, 5210 rows/s, ETA 3 s): public.orders 12345/30000"),
 * drawn as a bar per task followed by its tables' rows.
 *
 * `--watch` redraws every second (in place on a terminal, one frame after the other
 * otherwise) while a task reports progress or, for up to a minute, the connector's
 * tasks are still starting (none yet, UNASSIGNED, RESTARTING). Exit codes: 0 once no
 * task reports progress any more (the snapshot is over, or there was none) or on
 * Ctrl-C; 1 when the connector or a task is FAILED (its trace's first line on stderr);
 * 3 unknown connector; 4 connect unreachable. `--json` prints one document (no watch).
 */
export interface SnapshotProgress {
  task: number;
  state: string;
  rowsDone: number | null;
  rowsTotal: number | null;
  chunksDone: number | null;
  chunks: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
  /** The per-table part of the progress line ("public.orders 12345/30000, …"), or null. */
  tables: string | null;
  /** The trace as the task reported it (or null). */
  message: string | null;
}

const LINE = /snapshot (\d+)% \((\d+)\/(\d+) rows, (\d+)\/(\d+) chunks, (\d+) rows\/s, ETA (?:(\d+) s|unknown)\)(?:: ([^\n]*))?/;

export function parseProgress(status: ConnectorStatus): SnapshotProgress[] {
  return status.tasks.map((t) => {
    const m = LINE.exec(t.trace ?? '');
    return {
      task: t.id,
      state: t.state,
      rowsDone: m ? Number(m[2]) : null,
      rowsTotal: m ? Number(m[3]) : null,
      chunksDone: m ? Number(m[4]) : null,
      chunks: m ? Number(m[5]) : null,
      rowsPerSecond: m ? Number(m[6]) : null,
      etaSeconds: m && m[7] !== undefined ? Number(m[7]) : null,
      tables: m && m[8] ? m[8] : null,
      message: t.trace ?? null,
    };
  });
}

export function formatProgress(name: string, tasks: readonly SnapshotProgress[]): string {
  const lines = tasks.map((t) => {
    if (t.rowsDone === null) return `${name} task ${t.task} ${t.state}: ${t.message ? t.message.split('\n')[0] : 'no snapshot in progress'}`;
    const eta = t.etaSeconds === null ? 'ETA ?' : `ETA ${t.etaSeconds} s`;
    return `${name} task ${t.task} ${bar(t.rowsTotal ? t.rowsDone / t.rowsTotal : 1)}  ${t.rowsDone}/${t.rowsTotal} rows  ${t.chunksDone}/${t.chunks} chunks  ${t.rowsPerSecond} rows/s  ${eta}${t.tables ? `  ${t.tables}` : ''}`;
  });
  return lines.join('\n') + '\n';
}

export function registerSnapshotCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  program
    .command('snapshot')
    .description('CDC snapshot progress')
    .command('status <connector>')
    .description('rows and chunks done, rows/s and ETA of a running snapshot')
    .option('--watch', 'redraw every second until the snapshot is over (Ctrl-C stops)')
    .action(async (name: string, opts: { watch?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      const read = async (): Promise<Watched> => {
        const status = await connectCall<ConnectorStatus>(c, 'GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, `snapshot status ${name}`);
        return { connectorState: status.connector.state, tasks: parseProgress(status) };
      };
      let now = await read();
      if (!opts.watch || c.json) return c.out(c.json ? json({ connector: name, tasks: now.tasks }) : formatProgress(name, now.tasks));
      let stop = false;
      let wake: () => void = () => undefined;
      const onSigint = (): void => {
        stop = true;
        wake();
      };
      process.once('SIGINT', onSigint);
      const tty = process.stdout.isTTY === true;
      const startedAt = Date.now();
      let drawn = 0;
      try {
        for (;;) {
          const text = formatProgress(name, now.tasks);
          if (tty && drawn > 0) c.out(`\x1b[${drawn}A\x1b[0J`);
          c.out(text);
          drawn = text.split('\n').length - 1;
          if (stop) return;
          failedOf(name, now);
          if (!watching(now, startedAt)) return;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            wake = () => (clearTimeout(timer), resolve());
          });
          if (stop) return;
          now = await read();
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}

interface Watched {
  connectorState: string;
  tasks: SnapshotProgress[];
}

const STARTING = new Set(['UNASSIGNED', 'RESTARTING']);

/** How long `--watch` waits for a starting connector's tasks (none yet, or UNASSIGNED/RESTARTING). */
const START_WAIT_MS = 60_000;

/** Whether `--watch` goes on: a task reports snapshot progress, or (for up to START_WAIT_MS since `since`) the tasks are still starting. */
function watching(w: Watched, since: number): boolean {
  if (w.tasks.some((t) => t.rowsDone !== null)) return true;
  const starting = w.tasks.length === 0 || w.tasks.some((t) => STARTING.has(t.state));
  return starting && Date.now() - since < START_WAIT_MS;
}

/** Throws (exit 1) when the connector or one of its tasks is FAILED: a failed snapshot is not a finished one. */
function failedOf(name: string, w: Watched): void {
  if (w.connectorState === 'FAILED') throw new CliError(`snapshot status ${name}: the connector is FAILED`, EXIT.failed);
  const t = w.tasks.find((x) => x.state === 'FAILED');
  if (t) throw new CliError(`snapshot status ${name}: task ${t.task} is FAILED: ${(t.message ?? '').split('\n')[0]}`, EXIT.failed);
}
