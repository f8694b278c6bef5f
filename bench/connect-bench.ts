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
} from '../apps/connect/test/support/erp-fixture';
import { formatCopyPipeline, runCopyPipeline } from './copy-pipeline';
import { envInt } from './env-int';

/**
 * Connect pipeline benchmark (not wired into npm scripts):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/connect-bench.js
 *
 * The ERP -> warehouse pipeline of apps/connect/test/erp-warehouse.it.spec.ts (MariaDB ->
 * jdbc-source -> broker -> jdbc-sink -> Postgres, all on this machine): initial sync rows/s
 * for CONNECT_BENCH_ROWS rows (default 100000; connector creation to every row in the
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

async function main(): Promise<void> {
  if (process.env['CONNECT_BENCH_COPY_PIPELINE'] !== '0') process.stdout.write(`${formatCopyPipeline(await runCopyPipeline())}\n`);
  const sizes = erpSizesFor(envInt('CONNECT_BENCH_ROWS', 100_000));
  const rows = erpRowCount(sizes);
  const rate = envInt('CONNECT_BENCH_RATE', 20);
  const seconds = envInt('CONNECT_BENCH_SECONDS', 15);
  log('starting broker, MariaDB, Postgres and connect...');
  const p: ErpPipeline = await startErpPipeline();
  try {
    const loadStart = Date.now();
    await createAndLoadErp(p.erp, sizes);
    log(`loaded ${rows} ERP rows in ${Date.now() - loadStart} ms`);
    const syncStart = Date.now();
    await createErpConnectors(p);
    await waitForCounts(p, 30 * 60_000);
    const syncMs = Date.now() - syncStart;
    log(`initial sync done in ${syncMs} ms; checking digests...`);
    await waitForEqualDigests(p, 60_000);
    log(`trickle: ${rate} updates/s for ${seconds} s...`);
    const lags = await measureLag(p, rate * seconds, rate, seconds * 1000 + 60_000);
    await waitForEqualDigests(p, 60_000);
    const lines = [
      '| metric | value |',
      '| --- | --- |',
      `| initial sync rows | ${rows} (customers ${sizes.customers}, orders ${sizes.orders}, order_lines ${sizes.orders * sizes.linesPerOrder}) |`,
      `| initial sync time | ${(syncMs / 1000).toFixed(2)} s |`,
      `| initial sync rows/s | ${Math.round((rows * 1000) / syncMs)} |`,
      `| trickle | ${lags.length} updates at ${rate}/s |`,
      `| steady-state lag p50 | ${percentile(lags, 0.5)} ms |`,
      `| steady-state lag p99 | ${percentile(lags, 0.99)} ms |`,
      `| steady-state lag max | ${Math.max(...lags)} ms |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await p.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`connect-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
