import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { startBroker, startConnect, startPostgres, startRedis, type BrokerProcess, type ConnectProcess, type EphemeralPostgres, type EphemeralRedis } from '@millrace/testing';
import { call, DDL, digest, directCopy, loadSourceTable, waitUntil } from './copy-pipeline';
import { envInt } from './env-int';

/**
 * Postgres CDC benchmark (issue 12), one run, one machine (Postgres with wal_level=logical,
 * broker, one connect worker with exactly-once sources):
 *
 * 1. Initial snapshot of a CDC_BENCH_ROWS-row table (default 200,000 so `npm run bench`
 *    stays short on the 2-core machine; the issue's size is CDC_BENCH_ROWS=1000000;
 *    copy-pipeline.ts's table and direct pipe) into a warehouse database on
 *    the same server through postgres-cdc-source (snapshot.max.threads from
 *    CDC_BENCH_THREADS, default "1,4": one run per value, fresh slot and warehouse table
 *    each) -> broker (Avro) -> jdbc-sink (ExtractNewRecordState, upsert): seconds from the
 *    connector's creation to every row in the warehouse (checked by count and all-column
 *    checksum), against the direct pipe `COPY (SELECT ...) TO STDOUT | COPY ... FROM STDIN`
 *    between the same databases in the same run: ratio = direct seconds / CDC seconds;
 *    also the source half alone (creation to the task's "snapshot completed").
 * 2. Steady-state CDC, on the last connector: CDC_BENCH_STREAM_ROWS inserts (default
 *    200,000) committed as fast as one client can in 1,000-row transactions: rows/s from
 *    the first commit to the last row visible in the warehouse; then CDC_BENCH_RATE rows/s
 *    (default 2,000, 100-row transactions) for CDC_BENCH_SECONDS (default 15): commit ->
 *    visible latency p50/p99/max, where the source row carries clock_timestamp() at insert
 *    and the warehouse table (created up front, same server clock) stamps
 *    clock_timestamp() into `visible_at` on insert.
 * 3. Incremental snapshot (signal, while streaming) of CDC_BENCH_INCREMENTAL_ROWS rows of
 *    the table (default 100,000; additional-conditions id <= n): rows/s from the REST call
 *    to the log line saying it completed.
 * 4. Shared snapshot (unless CDC_BENCH_SHARED=0): a second connect worker joins, and a
 *    connector with tasks.max=2 and its chunks on Redis (snapshot.queue.redis.url, an
 *    ephemeral Redis) snapshots the table with 2 chunk workers per task, one task per
 *    worker (snapshot.mode=initial_only): seconds from its creation to "snapshot completed"
 *    (every chunk's records in the broker), against the source halves of part 1.
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/postgres-cdc-bench.js
 *
 * Prints a markdown table to stdout (progress to stderr); part of `npm run bench` unless
 * --skip-cdc / BENCH_SKIP_CDC=1.
 */
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function count(db: Client, table: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`).catch(() => ({ rows: [{ n: '0' }] }))).rows[0].n);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

interface SnapshotRun {
  readonly threads: number;
  readonly seconds: number;
  /** Creation to the task's "snapshot completed" (every snapshot record committed in the broker). */
  readonly sourceSeconds: number | null;
  readonly checksumEqual: boolean;
}

export interface CdcBenchFigures {
  readonly rows: number;
  readonly directSeconds: number;
  readonly snapshots: readonly SnapshotRun[];
  readonly stream: { readonly rows: number; readonly rowsPerSecond: number };
  readonly latency: { readonly rows: number; readonly rate: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly incremental: { readonly rows: number; readonly seconds: number } | null;
  /** Part 4: two workers sharing the chunks through Redis, into the broker only; chunks done in task 0's state (its own, plus task 1's after a resume) and read by task 1. */
  readonly shared: { readonly seconds: number; readonly chunksByTask: readonly number[] } | null;
}

export async function runPostgresCdcBench(): Promise<CdcBenchFigures> {
  const rows = envInt('CDC_BENCH_ROWS', 200_000);
  const threadsList = (process.env['CDC_BENCH_THREADS'] ?? '1,4').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  const streamRows = envInt('CDC_BENCH_STREAM_ROWS', 200_000);
  const rate = envInt('CDC_BENCH_RATE', 2000);
  const seconds = envInt('CDC_BENCH_SECONDS', 15);
  const incrementalRows = Math.min(rows, envInt('CDC_BENCH_INCREMENTAL_ROWS', 100_000, { allowZero: true }));
  let broker: BrokerProcess | undefined;
  let pg: EphemeralPostgres | undefined;
  let connect: ConnectProcess | undefined;
  let second: ConnectProcess | undefined;
  let redis: EphemeralRedis | undefined;
  const clients: Client[] = [];
  try {
    log('cdc-bench: starting broker and Postgres...');
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    const p = pg;
    const source = new Client({ connectionString: p.connectionString });
    clients.push(source);
    await source.connect();
    await source.query('CREATE DATABASE direct_dst');
    await source.query('CREATE DATABASE warehouse');
    const dbUrl = (db: string): string => `postgres://${p.user}@${p.host}:${p.port}/${db}`;
    const direct = new Client({ connectionString: dbUrl('direct_dst') });
    const warehouse = new Client({ connectionString: dbUrl('warehouse') });
    clients.push(direct, warehouse);
    await Promise.all([direct.connect(), warehouse.connect()]);

    log(`cdc-bench: loading ${rows} rows...`);
    const expected = await loadSourceTable(source, rows);

    log('cdc-bench: direct COPY TO STDOUT | COPY FROM STDIN...');
    const reader = new Client({ connectionString: p.connectionString });
    clients.push(reader);
    await reader.connect();
    const directSeconds = await directCopy(reader, direct);
    if ((await digest(direct, 't')) !== expected) throw new Error('the direct copy differs from the source');
    log(`cdc-bench: direct copy ${directSeconds.toFixed(2)} s`);

    const b = broker;
    connect = await startConnect({ bootstrap: b.bootstrap, registryUrl: `http://${b.host}:${b.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    const c = connect;
    const cdc = (prefix: string, threads: number): Record<string, string> => ({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': p.host,
      'database.port': String(p.port),
      'database.user': p.user,
      'database.dbname': p.database,
      'publication.autocreate.mode': 'filtered',
      'exactly.once.support': 'required',
      'topic.prefix': prefix,
      'table.include.list': 'public\\.t',
      'slot.name': `${prefix}_slot`,
      'publication.name': `${prefix}_pub`,
      'snapshot.max.threads': String(threads),
      'snapshot.chunk.rows': '50000',
      'snapshot.fetch.size': '5000',
      'incremental.snapshot.chunk.size': '5000',
    });
    const sink = (prefix: string, table: string): Record<string, string> => ({
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      'connection.url': `jdbc:postgresql://${p.host}:${p.port}/warehouse?user=${p.user}`,
      topics: `${prefix}.public.t`,
      'table.name.format': table,
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'batch.size': '10000',
      transforms: 'unwrap',
      'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      'transforms.unwrap.delete.handling.mode': 'none',
    });

    const snapshots: SnapshotRun[] = [];
    let prefix = '';
    for (const threads of threadsList) {
      prefix = `snap${threads}`;
      const table = `w_${prefix}`;
      // the warehouse table up front: visible_at stamps when each row became visible (the latency phase)
      await warehouse.query(`CREATE TABLE ${table} ${DDL.replace(/\)$/, ', visible_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())')}`);
      log(`cdc-bench: snapshot with ${threads} chunk worker(s) -> warehouse...`);
      const start = process.hrtime.bigint();
      await call(c.url, 'POST', '/connectors', { name: prefix, config: cdc(prefix, threads) });
      await call(c.url, 'POST', '/connectors', { name: `${prefix}-sink`, config: sink(prefix, table) });
      let last = 0;
      let sourceSeconds: number | null = null;
      const completedBefore = (c.logs().match(/postgres-cdc: snapshot completed/g) ?? []).length;
      await waitUntil(`${rows} rows in ${table}`, async () => {
        if (sourceSeconds === null && (c.logs().match(/postgres-cdc: snapshot completed/g) ?? []).length > completedBefore) sourceSeconds = Number(process.hrtime.bigint() - start) / 1e9;
        const n = await count(warehouse, table);
        if (n - last >= 100_000) log(`cdc-bench:   ${n} rows in the warehouse`);
        if (n - last >= 100_000) last = n;
        return n >= rows;
      }, 30 * 60_000, 250);
      const secondsTaken = Number(process.hrtime.bigint() - start) / 1e9;
      const checksumEqual = (await digest(warehouse, table)) === expected;
      snapshots.push({ threads, seconds: secondsTaken, sourceSeconds, checksumEqual });
      log(`cdc-bench: snapshot with ${threads} worker(s): ${secondsTaken.toFixed(2)} s (${Math.round(rows / secondsTaken)} rows/s), checksum ${checksumEqual ? 'equal' : 'DIFFERENT'}`);
      if (threads !== threadsList[threadsList.length - 1]) {
        await call(c.url, 'DELETE', `/connectors/${prefix}`);
        await call(c.url, 'DELETE', `/connectors/${prefix}-sink`);
        await new Promise((r) => setTimeout(r, 2000));
        await source.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [`${prefix}_slot`]).catch(() => undefined);
      }
    }
    const table = `w_${prefix}`;
    await waitUntil('streaming', async () => /postgres-cdc: streaming slot/.test(c.logs()), 60_000, 200);

    log(`cdc-bench: streaming ${streamRows} inserts in 1,000-row transactions...`);
    const firstId = rows + 1;
    const streamStart = process.hrtime.bigint();
    for (let id = firstId; id < firstId + streamRows; id += 1000) {
      await source.query(
        `INSERT INTO t SELECT i, 'name-' || i, 1.25, clock_timestamp(), 'streamed' FROM generate_series($1::bigint, $2::bigint) AS i`,
        [id, Math.min(id + 999, firstId + streamRows - 1)],
      );
    }
    const committedSeconds = Number(process.hrtime.bigint() - streamStart) / 1e9;
    await waitUntil('every streamed row in the warehouse', async () => (await count(warehouse, table)) >= rows + streamRows, 10 * 60_000, 100);
    const streamSeconds = Number(process.hrtime.bigint() - streamStart) / 1e9;
    log(`cdc-bench: ${streamRows} rows committed in ${committedSeconds.toFixed(2)} s, all visible after ${streamSeconds.toFixed(2)} s`);

    log(`cdc-bench: latency at ${rate} rows/s for ${seconds} s...`);
    const latencyFirst = rows + streamRows + 1;
    const perTxn = 100;
    const total = rate * seconds;
    const t0 = Date.now();
    for (let sent = 0; sent < total; sent += perTxn) {
      const due = t0 + (sent * 1000) / rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await source.query(`INSERT INTO t SELECT i, 'lat', 1, clock_timestamp(), 'latency' FROM generate_series($1::bigint, $2::bigint) AS i`, [latencyFirst + sent, latencyFirst + sent + perTxn - 1]);
    }
    await waitUntil('every latency row in the warehouse', async () => (await count(warehouse, table)) >= rows + streamRows + total, 5 * 60_000, 100);
    const lat = await warehouse.query<{ ms: string }>(`SELECT (extract(epoch FROM visible_at - happened) * 1000)::text AS ms FROM ${table} WHERE id >= $1 ORDER BY 1`, [latencyFirst]);
    const ms = lat.rows.map((r) => Number(r.ms)).sort((a, x) => a - x);

    let incremental: CdcBenchFigures['incremental'] = null;
    if (incrementalRows > 0) {
      log(`cdc-bench: incremental snapshot of ${incrementalRows} rows (signal over REST)...`);
      const before = (c.logs().match(/incremental snapshot completed/g) ?? []).length;
      const start = process.hrtime.bigint();
      await call(c.url, 'POST', `/connectors/${prefix}/snapshots`, { 'data-collections': ['public.t'], 'additional-conditions': [{ 'data-collection': 'public.t', filter: `id <= ${incrementalRows}` }] });
      await waitUntil('the incremental snapshot completes', async () => (c.logs().match(/incremental snapshot completed/g) ?? []).length > before, 20 * 60_000, 100);
      incremental = { rows: incrementalRows, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
      log(`cdc-bench: incremental snapshot ${incremental.seconds.toFixed(2)} s`);
    }
    let shared: CdcBenchFigures['shared'] = null;
    if (process.env['CDC_BENCH_SHARED'] !== '0') {
      log('cdc-bench: shared snapshot: a second connect worker and Redis; tasks.max=2, 2 chunk workers per task...');
      redis = await startRedis();
      second = await startConnect({ bootstrap: b.bootstrap, registryUrl: `http://${b.host}:${b.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
      const workers = [c, second];
      // the group settles first (the join moves tasks; a task 0 moved mid-snapshot would resume it)
      const existing = JSON.stringify(await (await fetch(`${c.url}/connectors`)).json());
      await waitUntil('the second worker joined', async () => JSON.stringify(await (await fetch(`${(second as ConnectProcess).url}/connectors`)).json()) === existing, 60_000, 250);
      await new Promise((r) => setTimeout(r, 5000));
      const completed = (): number => workers.reduce((n, w) => n + (w.logs().match(/"connector":"shared"[^\n]*postgres-cdc: snapshot completed/g) ?? []).length, 0);
      const start = process.hrtime.bigint();
      await call(c.url, 'POST', '/connectors', { name: 'shared', config: { ...cdc('shared', 2), 'tasks.max': '2', 'snapshot.queue.redis.url': redis.url, 'snapshot.mode': 'initial_only' } });
      await waitUntil('the shared snapshot completes', async () => completed() > 0, 30 * 60_000, 100);
      const secondsTaken = Number(process.hrtime.bigint() - start) / 1e9;
      await new Promise((r) => setTimeout(r, 1500));
      // each task's chunks, from /metrics of the worker running it
      const chunksByTask: number[] = [];
      for (const task of [0, 1]) {
        let found = -1;
        for (const w of workers) {
          const text = await (await fetch(`${w.url}/metrics`)).text();
          const m = new RegExp(`^millrace_snapshot_chunks_done\\{connector="shared",task="${task}",table="public.t"\\} (\\d+)`, 'm').exec(text);
          if (m) found = Number(m[1]);
        }
        chunksByTask.push(found);
      }
      shared = { seconds: secondsTaken, chunksByTask };
      log(`cdc-bench: shared snapshot ${secondsTaken.toFixed(2)} s (${Math.round(rows / secondsTaken)} rows/s), chunks by task ${chunksByTask.join(' / ')}`);
    }
    return {
      shared,
      rows,
      directSeconds,
      snapshots,
      stream: { rows: streamRows, rowsPerSecond: streamRows / streamSeconds },
      latency: { rows: ms.length, rate, p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), max: ms[ms.length - 1] ?? NaN },
      incremental,
    };
  } finally {
    for (const cl of clients) await cl.end().catch(() => undefined);
    // CDC_BENCH_LOG_DIR: the workers' logs, to read what a figure came from
    const logDir = process.env['CDC_BENCH_LOG_DIR'];
    if (logDir) for (const [i, w] of [connect, second].entries()) if (w) fs.writeFileSync(path.join(logDir, `cdc-bench-connect-${i}.log`), w.logs());
    await connect?.stop().catch(() => undefined);
    await second?.stop().catch(() => undefined);
    await Promise.all([broker?.stop().catch(() => undefined), pg?.stop().catch(() => undefined), redis?.stop().catch(() => undefined)]);
  }
}

export function formatCdcBench(f: CdcBenchFigures): string {
  const lines = [
    `| postgres-cdc (${f.rows} rows, one machine) | value |`,
    '| --- | --- |',
    `| direct COPY TO STDOUT \\| COPY FROM STDIN | ${f.directSeconds.toFixed(2)} s (${Math.round(f.rows / f.directSeconds)} rows/s) |`,
    ...f.snapshots.map(
      (s) =>
        `| snapshot -> broker -> warehouse, ${s.threads} chunk worker(s) | ${s.seconds.toFixed(2)} s (${Math.round(f.rows / s.seconds)} rows/s), ratio to direct ${(f.directSeconds / s.seconds).toFixed(2)}x, checksum ${s.checksumEqual ? 'equal' : 'DIFFERENT'}; ` +
          `snapshot into the broker alone ${s.sourceSeconds === null ? '?' : `${s.sourceSeconds.toFixed(2)} s (${Math.round(f.rows / s.sourceSeconds)} rows/s, ratio ${(f.directSeconds / s.sourceSeconds).toFixed(2)}x)`} |`,
    ),
    `| steady-state CDC, ${f.stream.rows} inserts in 1,000-row transactions | ${Math.round(f.stream.rowsPerSecond)} rows/s commit -> warehouse |`,
    `| commit -> visible at ${f.latency.rate} rows/s (${f.latency.rows} rows) | p50 ${f.latency.p50.toFixed(0)} ms, p99 ${f.latency.p99.toFixed(0)} ms, max ${f.latency.max.toFixed(0)} ms |`,
    ...(f.shared
      ? [`| snapshot into the broker by 2 connect workers sharing the chunks on Redis (tasks.max=2, 2 chunk workers each) | ${f.shared.seconds.toFixed(2)} s (${Math.round(f.rows / f.shared.seconds)} rows/s, ratio to direct ${(f.directSeconds / f.shared.seconds).toFixed(2)}x); chunks done in task 0's state / read by task 1 (/metrics): ${f.shared.chunksByTask.join(' / ')} |`]
      : []),
    ...(f.incremental ? [`| incremental snapshot (signal, while streaming), ${f.incremental.rows} rows | ${f.incremental.seconds.toFixed(2)} s (${Math.round(f.incremental.rows / f.incremental.seconds)} rows/s) |`] : []),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  runPostgresCdcBench().then(
    (f) => process.stdout.write(`${formatCdcBench(f)}\n`),
    (err: unknown) => {
      process.stderr.write(`postgres-cdc bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
