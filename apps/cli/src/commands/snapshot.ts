import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { bar, json } from '../output';
import { connectCall, type ConnectorStatus } from './connector';

/**
 * `millrace snapshot status <connector> [--watch]`: the snapshot progress CDC source
 * tasks report in their status trace (libs/cdc-snapshot's line: "snapshot 41%
 * (12345/30000 rows, 4/10 chunks, 5210 rows/s, ETA 3 s): …"), drawn as a bar per task;
 * `--watch` redraws every second until every task is past its snapshot or Ctrl-C.
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
  /** The trace as the task reported it (or null). */
  message: string | null;
}

const LINE = /snapshot (\d+)% \((\d+)\/(\d+) rows, (\d+)\/(\d+) chunks, (\d+) rows\/s, ETA (?:(\d+) s|unknown)\)/;

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
      message: t.trace ?? null,
    };
  });
}

export function formatProgress(name: string, tasks: readonly SnapshotProgress[]): string {
  const lines = tasks.map((t) => {
    if (t.rowsDone === null) return `${name} task ${t.task} ${t.state}: ${t.message ? t.message.split('\n')[0] : 'no snapshot in progress'}`;
    const eta = t.etaSeconds === null ? 'ETA ?' : `ETA ${t.etaSeconds} s`;
    return `${name} task ${t.task} ${bar(t.rowsTotal ? t.rowsDone / t.rowsTotal : 1)}  ${t.rowsDone}/${t.rowsTotal} rows  ${t.chunksDone}/${t.chunks} chunks  ${t.rowsPerSecond} rows/s  ${eta}`;
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
      const read = async (): Promise<SnapshotProgress[]> => parseProgress(await connectCall<ConnectorStatus>(c, 'GET', `/connectors/${encodeURIComponent(name)}/status`, undefined, `snapshot status ${name}`));
      let tasks = await read();
      if (!opts.watch || c.json) return c.out(c.json ? json({ connector: name, tasks }) : formatProgress(name, tasks));
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      const tty = process.stdout.isTTY === true;
      let drawn = 0;
      for (;;) {
        const text = formatProgress(name, tasks);
        if (tty && drawn > 0) c.out(`\x1b[${drawn}A\x1b[0J`);
        c.out(text);
        drawn = text.split('\n').length - 1;
        if (stop || tasks.every((t) => t.rowsDone === null)) return;
        await new Promise((r) => setTimeout(r, 1000));
        tasks = await read();
      }
    });
}
