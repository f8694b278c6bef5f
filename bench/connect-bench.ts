import {
  createAndLoadErp,
  createErpConnectors,
  erpRowCount,
  erpSizesFor,
  measureLag,
  percentile,
  startErpPipeline,
  waitForCounts,
  waitForEqualDigests,
  type ErpPipeline,
  type ErpSizes,
} from '../apps/connect/test/support/erp-fixture';
import { formatCopyPipeline, runCopyPipeline } from './copy-pipeline';
import { envInt } from './env-int';

/**
 * Connect pipeline benchmark (not wired into npm scripts):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/connect-bench.js
 *
 * The ERP -> warehouse pipeline of apps/connect/test/erp-warehouse.it.spec.ts (MariaDB ->
 * jdbc-source -> broker -> jdbc-sink -> Postgres, all on this machine), run twice in one
 * go: with one connect worker, then with two workers of one group sharing the tables
 * (fresh servers each time; source and sink with tasks.max=CONNECT_BENCH_TASKS, default
 * 3 = one task per table, in both runs). Each run measures the initial sync rows/s for
 * CONNECT_BENCH_ROWS rows (default 100000; connector creation to every row in the
 * warehouse), then the steady-state lag (ERP commit to row visible in the warehouse) of a
 * trickle of CONNECT_BENCH_RATE updates/s (default 20) for CONNECT_BENCH_SECONDS s
 * (default 15). Prints a markdown table to stdout; progress goes to stderr.
 *
 * First, unless CONNECT_BENCH_COPY_PIPELINE=0: the PG -> PG pipeline against the direct
 * COPY pipe (copy-pipeline.ts, its COPY_PIPELINE_* settings), as a ratio.
 */

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface RunResult {
  readonly workers: number;
  readonly syncMs: number;
  readonly lags: number[];
  /** Tasks per worker id once the connectors ran. */
  readonly spread: string;
}

async function runWith(workers: number, sizes: ErpSizes, tasksMax: number, rate: number, seconds: number): Promise<RunResult> {
  log(`[${workers} worker(s)] starting broker, MariaDB, Postgres and connect...`);
  const p: ErpPipeline = await startErpPipeline(workers);
  try {
    const loadStart = Date.now();
    await createAndLoadErp(p.erp, sizes);
    log(`[${workers} worker(s)] loaded ${erpRowCount(sizes)} ERP rows in ${Date.now() - loadStart} ms`);
    const syncStart = Date.now();
    await createErpConnectors(p, { tasksMax });
    const perWorker = new Map<string, number>();
    for (const name of ['erp-source', 'warehouse-sink']) for (const t of (await p.rest.status(name)).tasks) perWorker.set(t.worker_id, (perWorker.get(t.worker_id) ?? 0) + 1);
    const spread = [...perWorker].map(([w, n]) => `${w}: ${n}`).join(', ');
    log(`[${workers} worker(s)] tasks per worker: ${spread}`);
    await waitForCounts(p, 30 * 60_000);
    const syncMs = Date.now() - syncStart;
    log(`[${workers} worker(s)] initial sync done in ${syncMs} ms; checking digests...`);
    await waitForEqualDigests(p, 60_000);
    log(`[${workers} worker(s)] trickle: ${rate} updates/s for ${seconds} s...`);
    const lags = await measureLag(p, rate * seconds, rate, seconds * 1000 + 60_000);
    await waitForEqualDigests(p, 60_000);
    return { workers, syncMs, lags, spread };
  } finally {
    await p.stop();
  }
}

async function main(): Promise<void> {
  if (process.env['CONNECT_BENCH_COPY_PIPELINE'] !== '0') process.stdout.write(`${formatCopyPipeline(await runCopyPipeline())}\n`);
  const sizes = erpSizesFor(envInt('CONNECT_BENCH_ROWS', 100_000));
  const rows = erpRowCount(sizes);
  const rate = envInt('CONNECT_BENCH_RATE', 20);
  const seconds = envInt('CONNECT_BENCH_SECONDS', 15);
  const tasksMax = envInt('CONNECT_BENCH_TASKS', 3);
  const runs = [await runWith(1, sizes, tasksMax, rate, seconds), await runWith(2, sizes, tasksMax, rate, seconds)];
  const row = (metric: string, value: (r: RunResult) => string) => `| ${metric} | ${runs.map(value).join(' | ')} |`;
  const lines = [
    `| metric | ${runs.map((r) => `${r.workers} worker${r.workers > 1 ? 's' : ''}`).join(' | ')} |`,
    `| --- | ${runs.map(() => '---').join(' | ')} |`,
    row('initial sync rows', () => `${rows} (customers ${sizes.customers}, orders ${sizes.orders}, order_lines ${sizes.orders * sizes.linesPerOrder})`),
    row('tasks (source + sink) per worker', (r) => r.spread),
    row('initial sync time', (r) => `${(r.syncMs / 1000).toFixed(2)} s`),
    row('initial sync rows/s', (r) => String(Math.round((rows * 1000) / r.syncMs))),
    row('trickle', (r) => `${r.lags.length} updates at ${rate}/s`),
    row('steady-state lag p50', (r) => `${percentile(r.lags, 0.5)} ms`),
    row('steady-state lag p99', (r) => `${percentile(r.lags, 0.99)} ms`),
    row('steady-state lag max', (r) => `${Math.max(...r.lags)} ms`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`connect-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
