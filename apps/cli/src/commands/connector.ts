import type { Command } from 'commander';
import { CliError, EXIT, type CliContext } from '../cli-context';
import { httpJson } from '../http-json';
import { json, table } from '../output';
import { readJsonFile } from './produce-consume';

interface StateInfo {
  state: string;
  worker_id?: string;
  trace?: string;
}
export interface ConnectorStatus {
  name: string;
  connector: StateInfo;
  tasks: Array<StateInfo & { id: number }>;
  type?: string;
}

/** Connect REST calls for `millrace connector …` (and `snapshot status`). */
export function connectCall<T>(c: CliContext, method: string, path: string, body?: unknown, what = `${method} ${path}`): Promise<T> {
  return httpJson<T>(method, `${c.connectUrl}${path}`, body, what, '--connect-url or MILLRACE_CONNECT_URL');
}

const enc = encodeURIComponent;

/**
 * `millrace connector list|create -f|status|pause|resume|restart|offsets|reconcile|delete`: Kafka
 * Connect's REST API. `create -f` takes Connect's own JSON (`{"name": …, "config": {…}}`,
 * or a bare config map holding `name`).
 */
export function registerConnectorCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  const connector = program.command('connector').description('Kafka Connect connectors: list, create, status, pause, resume, restart, offsets, reconcile, delete');

  connector
    .command('list')
    .description('connectors with their type and state, and their tasks by state')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const all = await connectCall<Record<string, { status: ConnectorStatus }>>(c, 'GET', '/connectors?expand=status', undefined, 'connector list');
      const rows = Object.values(all)
        .map(({ status }) => ({ name: status.name, type: status.type ?? '', state: status.connector.state, tasks: summarizeTasks(status.tasks), worker: status.connector.worker_id ?? '' }))
        .sort((a, b) => a.name.localeCompare(b.name));
      c.out(c.json ? json(rows) : table(['CONNECTOR', 'TYPE', 'STATE', 'TASKS', 'WORKER'], rows.map((r) => [r.name, r.type, r.state, r.tasks, r.worker])));
    });

  connector
    .command('create')
    .description('create a connector from a JSON file')
    .requiredOption('-f, --file <file>', 'JSON: {"name": ..., "config": {...}} or a config map with "name"')
    .action(async (opts: { file: string }, cmd: Command) => {
      const c = ctx(cmd);
      const doc = readJsonFile(opts.file, '--file') as { name?: unknown; config?: unknown };
      const body = doc.config !== undefined ? doc : { name: doc.name, config: doc };
      if (typeof body.name !== 'string' || body.name === '') throw new CliError(`--file ${opts.file}: no connector "name"`, EXIT.usage);
      const created = await connectCall<{ name: string; tasks: unknown[] }>(c, 'POST', '/connectors', body, `connector create ${body.name}`);
      c.out(c.json ? json(created) : `created connector ${created.name}\n`);
    });

  connector
    .command('status <name>')
    .description('the connector and each task with state, worker and trace')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const s = await connectCall<ConnectorStatus>(c, 'GET', `/connectors/${enc(name)}/status`, undefined, `connector status ${name}`);
      if (c.json) return c.out(json(s));
      c.out(table(['', 'ID', 'STATE', 'WORKER', 'TRACE'], [['connector', '', s.connector.state, s.connector.worker_id ?? '', firstLine(s.connector.trace)], ...s.tasks.map((t) => ['task', t.id, t.state, t.worker_id ?? '', firstLine(t.trace)])]));
    });

  for (const [verb, method, path, done] of [
    ['pause', 'PUT', 'pause', 'paused'],
    ['resume', 'PUT', 'resume', 'resumed'],
    ['restart', 'POST', 'restart?includeTasks=true', 'restarted'],
    ['delete', 'DELETE', '', 'deleted'],
  ] as const) {
    connector
      .command(`${verb} <name>`)
      .description(`${verb} a connector${verb === 'restart' ? ' and its tasks' : ''}`)
      .action(async (name: string, _o: unknown, cmd: Command) => {
        const c = ctx(cmd);
        await connectCall(c, method, `/connectors/${enc(name)}${path ? `/${path}` : ''}`, undefined, `connector ${verb} ${name}`);
        c.out(c.json ? json({ connector: name, action: verb }) : `${done} connector ${name}\n`);
      });
  }

  connector
    .command('reconcile <name>')
    .description('compare the source tables with the tables a sink writes, in key chunks; --wait for the report (exit 5 on drift)')
    .option('--wait', 'wait for the run to end and print its report')
    .action(async (name: string, o: { wait?: boolean }, cmd: Command) => {
      const c = ctx(cmd);
      let report = await connectCall<ReconcileReport>(c, 'POST', `/connectors/${enc(name)}/reconcile`, undefined, `connector reconcile ${name}`);
      while (o.wait && report.state === 'RUNNING') {
        await new Promise((resolve) => setTimeout(resolve, 500));
        report = await connectCall<ReconcileReport>(c, 'GET', `/connectors/${enc(name)}/reconcile`, undefined, `connector reconcile ${name}`);
      }
      c.out(c.json ? json(report) : reconcileTable(report));
      if (report.state === 'FAILED') throw new CliError(`reconciliation of ${name} failed: ${report.tables.map((t) => t.error).filter(Boolean).join('; ')}`, EXIT.failed);
      if (report.drifted_chunks > 0) throw new CliError(`reconciliation of ${name}: ${report.drifted_chunks} drifted chunk(s)`, EXIT.drift);
    });

  connector
    .command('offsets <name>')
    .description("the connector's committed offsets (source partitions or Kafka partitions)")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const o = await connectCall<{ offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> | null }> }>(c, 'GET', `/connectors/${enc(name)}/offsets`, undefined, `connector offsets ${name}`);
      c.out(c.json ? json(o) : table(['PARTITION', 'OFFSET'], o.offsets.map((x) => [JSON.stringify(x.partition), JSON.stringify(x.offset)])));
    });
}

interface ReconcileReport {
  state: string;
  drifted_chunks: number;
  tables: Array<{ target: string; state: string; chunks: number; chunks_done: number; source_rows: number; target_rows: number; error?: string; drifted: Array<{ from: string[] | null; to: string[] | null; source_rows: number; target_rows: number }> }>;
}

function reconcileTable(r: ReconcileReport): string {
  const rows = r.tables.flatMap((t) => [
    [t.target, t.state, `${t.chunks_done}/${t.chunks}`, String(t.source_rows), String(t.target_rows), t.error ?? `${t.drifted.length} drifted`],
    ...t.drifted.map((d) => ['', '', '', String(d.source_rows), String(d.target_rows), `keys (${d.from?.join(',') ?? '-inf'}, ${d.to?.join(',') ?? '+inf'}]`]),
  ]);
  return `${r.state}: ${r.drifted_chunks} drifted chunk(s)\n${table(['TABLE', 'STATE', 'CHUNKS', 'SOURCE ROWS', 'TARGET ROWS', 'DRIFT'], rows)}`;
}

function summarizeTasks(tasks: readonly StateInfo[]): string {
  const by = new Map<string, number>();
  for (const t of tasks) by.set(t.state, (by.get(t.state) ?? 0) + 1);
  return [...by.entries()].map(([s, n]) => `${n} ${s}`).join(', ') || '0';
}

function firstLine(trace: string | undefined): string {
  return (trace ?? '').split('\n')[0].slice(0, 160);
}
