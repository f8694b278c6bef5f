import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startBroker, startConnect, startMariaDb, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralMariaDb, type EphemeralPostgres } from '@millrace/testing';
import { envInt } from './env-int';

/**
 * MySQL/MariaDB CDC benchmark (issue 13), against a reference in the same run:
 *
 *   1. reference: a direct copy of the table, `SELECT` pages from MariaDB piped into
 *      Postgres `COPY ... FROM STDIN` (what `mariadb-dump | psql` does, minus the SQL text);
 *   2. snapshot through Millrace: mysql-cdc-source (snapshot.max.threads = 1, then 4;
 *      exactly-once source, Avro) -> broker -> jdbc-sink (upsert) -> Postgres, until the
 *      warehouse has every row;
 *   3. steady state: MYSQL_CDC_BENCH_STREAM_ROWS rows inserted in 100-row transactions
 *      while the connector streams, until all are in the warehouse (rows/s), then
 *      MYSQL_CDC_BENCH_LATENCY_SAMPLES single-row updates one after the other, each timed
 *      from its COMMIT until the warehouse shows it (p50/p99).
 *
 * Reports rows/s of each phase and the ratio of each snapshot to the direct copy.
 * Progress goes to stderr, the table to stdout.
 *
 * Run:  npm run build && node -r ./scripts/register-paths.js dist/bench/mysql-cdc-bench.js
 * Settings: MYSQL_CDC_BENCH_ROWS (default 100,000), MYSQL_CDC_BENCH_STREAM_ROWS (default
 * 20,000), MYSQL_CDC_BENCH_LATENCY_SAMPLES (default 30).
 *
 * First run (shared 2-core machine, load average ~15 from other work; 100,000 rows):
 * direct copy 44,967 rows/s; snapshot to the warehouse 1 worker 5,518 rows/s (0.12x),
 * 4 workers 8,356 rows/s (0.19x), both including connector start; streaming 10,174 rows/s;
 * commit -> visible p50 23 ms, p99 68 ms.
 */
const ROWS = envInt('MYSQL_CDC_BENCH_ROWS', 100_000);
const STREAM_ROWS = envInt('MYSQL_CDC_BENCH_STREAM_ROWS', 20_000);
const SAMPLES = envInt('MYSQL_CDC_BENCH_LATENCY_SAMPLES', 30);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const COLUMNS = 'id, customer, amount, qty, placed, note';

async function fill(db: Connection): Promise<void> {
  await db.query(`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(12,2), qty INT, placed DATETIME(6), note VARCHAR(100)) CHARSET utf8mb4`);
  for (let from = 1; from <= ROWS; from += 50_000) {
    const to = Math.min(ROWS, from + 49_999);
    await db.query(`INSERT INTO orders SELECT seq, CONCAT('customer ', seq % 977), (seq % 100000) / 100, seq % 13, TIMESTAMP('2024-01-01') + INTERVAL seq SECOND, REPEAT('n', 60) FROM seq_${from}_to_${to}`);
  }
}

/** The reference: keyset pages from MariaDB written as COPY text rows into Postgres. */
async function directCopy(maria: Connection, wh: Client): Promise<number> {
  await wh.query(`CREATE TABLE direct_orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), qty int, placed timestamp(6), note text)`);
  const t0 = performance.now();
  async function* lines(): AsyncGenerator<string> {
    let after = 0;
    for (;;) {
      const [rows] = await maria.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM orders WHERE id > ? ORDER BY id LIMIT 10000`, [after]);
      if (rows.length === 0) return;
      yield rows.map((r) => [r.id, r.customer, r.amount ?? '\\N', r.qty ?? '\\N', r.placed ?? '\\N', r.note ?? '\\N'].join('\t')).join('\n') + '\n';
      after = Number(rows[rows.length - 1].id);
    }
  }
  await pipeline(Readable.from(lines()), wh.query(copyFrom('COPY direct_orders FROM STDIN')) as unknown as Writable);
  return performance.now() - t0;
}

async function count(wh: Client, table: string): Promise<number> {
  const exists = await wh.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [table]);
  if (exists.rowCount === 0) return 0;
  return Number((await wh.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  let broker: BrokerProcess | undefined;
  let maria: EphemeralMariaDb | undefined;
  let pg: EphemeralPostgres | undefined;
  let connect: ConnectProcess | undefined;
  try {
    [broker, maria, pg] = await Promise.all([
      startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }),
      startMariaDb({ database: 'shop', extraArgs: ['--binlog-row-metadata=FULL'] }),
      startPostgres({ settings: { max_locks_per_transaction: 1024 } }),
    ]);
    const registry = `http://${broker.host}:${broker.httpPort}`;
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: registry, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    const db = await createConnection({ host: maria.host, port: maria.port, user: maria.user, database: 'shop', timezone: 'Z', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
    const admin = new Client({ connectionString: pg.connectionString });
    await admin.connect();
    await admin.query('CREATE DATABASE warehouse');
    await admin.end();
    const wh = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await wh.connect();
    log(`filling ${ROWS} rows`);
    await fill(db);

    log('reference: direct copy');
    const directMs = await directCopy(db, wh);
    if ((await count(wh, 'direct_orders')) !== ROWS) throw new Error('direct copy incomplete');

    const cdc = (prefix: string, threads: number, serverId: number): Record<string, string> => ({
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.hostname': maria!.host, 'database.port': String(maria!.port), 'database.user': maria!.user,
      'database.server.id': String(serverId), 'topic.prefix': prefix, 'table.include.list': 'shop\\.orders', 'snapshot.max.threads': String(threads), 'snapshot.chunk.rows': String(Math.ceil(ROWS / 16)),
      'snapshot.fetch.size': '5000', 'exactly.once.support': 'required',
    });
    const sink = (prefix: string): Record<string, string> => ({
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': `jdbc:postgresql://${pg!.host}:${pg!.port}/warehouse?user=${pg!.user}`, topics: `${prefix}.shop.orders`,
      'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'delete.enabled': 'true', 'batch.size': '10000',
      transforms: 'unwrap,route', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState', 'transforms.unwrap.drop.tombstones': 'true',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter', 'transforms.route.regex': `${prefix}\\.shop\\.(.*)`, 'transforms.route.replacement': `${prefix}_$1`,
    });
    const snapshots: { threads: number; ms: number }[] = [];
    for (const [threads, serverId] of [[1, 9101], [4, 9104]] as const) {
      const prefix = `s${threads}`;
      log(`snapshot with ${threads} worker(s)`);
      const t0 = performance.now();
      await post(`${connect.url}/connectors`, { name: `sink-${prefix}`, config: sink(prefix) });
      await post(`${connect.url}/connectors`, { name: `cdc-${prefix}`, config: cdc(prefix, threads, serverId) });
      await until(`snapshot ${threads}`, async () => (await count(wh, `${prefix}_orders`)) >= ROWS, 900_000, 250);
      snapshots.push({ threads, ms: performance.now() - t0 });
      if (threads === 4) await fetch(`${connect.url}/connectors/cdc-${prefix}`, { method: 'DELETE' });
    }

    log(`steady state: ${STREAM_ROWS} rows in 100-row transactions`);
    const s0 = performance.now();
    for (let from = ROWS + 1; from <= ROWS + STREAM_ROWS; from += 100) {
      await db.query(`INSERT INTO orders SELECT seq, 'streamed', 1.5, 1, UTC_TIMESTAMP(6), 'x' FROM seq_${from}_to_${Math.min(ROWS + STREAM_ROWS, from + 99)}`);
    }
    const writtenMs = performance.now() - s0;
    await until('streamed rows', async () => (await count(wh, 's1_orders')) >= ROWS + STREAM_ROWS, 900_000, 100);
    const streamMs = performance.now() - s0;

    log(`commit -> visible: ${SAMPLES} samples`);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const id = 1 + ((i * 7919) % ROWS);
      const t = performance.now();
      await db.query(`UPDATE orders SET note = ? WHERE id = ?`, [`lat-${i}`, id]);
      await until('visible', async () => (await wh.query(`SELECT 1 FROM s1_orders WHERE id = $1 AND note = $2`, [id, `lat-${i}`])).rowCount === 1, 60_000, 5);
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);

    const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')}`;
    const out = [
      `| phase | rows | seconds | rows/s | vs direct copy |`,
      `|---|---:|---:|---:|---:|`,
      `| direct copy (SELECT pages -> COPY FROM STDIN) | ${ROWS} | ${(directMs / 1000).toFixed(1)} | ${rate(ROWS, directMs)} | 1.00 |`,
      ...snapshots.map((s) => `| snapshot, ${s.threads} worker(s), MariaDB -> broker -> Postgres | ${ROWS} | ${(s.ms / 1000).toFixed(1)} | ${rate(ROWS, s.ms)} | ${(directMs / s.ms).toFixed(2)} |`),
      `| streaming, 100-row transactions (written in ${(writtenMs / 1000).toFixed(1)} s) | ${STREAM_ROWS} | ${(streamMs / 1000).toFixed(1)} | ${rate(STREAM_ROWS, streamMs)} | |`,
      '',
      `commit -> visible in Postgres (${SAMPLES} single-row updates): p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    await db.end();
    await wh.end();
  } finally {
    await connect?.stop().catch(() => undefined);
    await Promise.all([broker?.stop(), maria?.stop(), pg?.stop()].map((p) => p?.catch(() => undefined)));
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
