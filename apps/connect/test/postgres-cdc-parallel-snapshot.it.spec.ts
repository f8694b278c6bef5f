import { startBroker, startConnect, startPostgres, startRedis, type BrokerProcess, type ConnectProcess, type EphemeralPostgres, type EphemeralRedis } from '@millrace/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { readCdcTopic } from './support/cdc-topic';
import { ConnectRest, waitFor } from './support/connect-rest';
import { cdcConfig } from './support/postgres-cdc';

/**
 * Parallel snapshot chunks and live progress (issue 12): the same table (ROWS rows) is
 * snapshotted twice in one run, by connectors with 4 and 1 chunk workers (each with its
 * own slot and topic, which must hold every row once the snapshot completed); the times are printed (speed is judged by the
 * benchmark, bench/postgres-cdc-bench.ts, never by a test). While they run, their progress moves in the task status and in
 * connect's /metrics (millrace_snapshot_rows_done / _rows_total / _chunks_done /
 * _chunks_total). A second test runs the chunks through a BullMQ queue on Redis
 * (snapshot.queue.redis.url): every chunk is a completed job there.
 *
 * Times are the worker's own log timestamps, from the plan line ("snapshot of N table(s)
 * in M chunk(s)") to "snapshot completed".
 */
/**
 * Rows of the table (a multiple of CHUNK_ROWS). 300k: with 120k the 4-worker snapshot
 * once ended between two progress samples (500 ms apart) in CI, and the test rightly
 * failed, having seen no intermediate progress.
 */
const ROWS = Number(process.env.CDC_PARALLEL_SNAPSHOT_ROWS ?? 300_000);
const CHUNK_ROWS = 20_000;

interface Progress {
  readonly status: string[];
  readonly metrics: { done: number; total: number; chunks: number }[];
}

describe('postgres-cdc-source parallel snapshot', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let redis: EphemeralRedis;

  beforeAll(async () => {
    [broker, pg, redis] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres(), startRedis()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    rest = new ConnectRest(connect.url);
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE TABLE wide (id INT PRIMARY KEY, label TEXT NOT NULL, amount NUMERIC(12,2), at TIMESTAMPTZ, flag BOOLEAN)');
    await db.query(`INSERT INTO wide SELECT g, md5(g::text), g * 0.25, TIMESTAMPTZ '2025-01-01 00:00:00+00' + g * INTERVAL '1 second', g % 3 = 0 FROM generate_series(1, ${ROWS}) g`);
    await db.query('ANALYZE wide');
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop(), redis?.stop()]);
  });

  /** Milliseconds between the plan line and "snapshot completed" of a connector, from the worker's log. */
  function snapshotMillis(connector: string): number | undefined {
    let planned: number | undefined;
    for (const line of connect.logs().split('\n')) {
      if (!line.includes(`"connector":"${connector}"`)) continue;
      const time = /"time":"([^"]+)"/.exec(line)?.[1];
      if (time === undefined) continue;
      if (/snapshot of \d+ table\(s\) in \d+ chunk\(s\)/.test(line)) planned = Date.parse(time);
      if (line.includes('postgres-cdc: snapshot completed') && planned !== undefined) return Date.parse(time) - planned;
    }
    return undefined;
  }

  /** Snapshots the table with a new connector of `threads` chunk workers; its duration (ms), with progress samples taken while it runs. */
  async function snapshotWith(threads: number, run: number, seen: Progress, extra: Record<string, string> = {}): Promise<number> {
    const name = `cdc-${run}-${threads}`;
    const res = await rest.call('POST', '/connectors', {
      name,
      config: {
        ...cdcConfig(pg, {}),
        'topic.prefix': `par${run}`,
        'table.include.list': 'public\\.wide',
        'slot.name': `par${run}_slot`,
        'publication.name': 'wide_pub',
        'snapshot.max.threads': String(threads),
        'snapshot.chunk.rows': String(CHUNK_ROWS),
        'snapshot.fetch.size': '2500',
        'snapshot.mode': 'initial_only',
        ...extra,
      },
    });
    if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    // progress is sampled (status and /metrics, every 500 ms) during every run alike, so the sampling costs each the same
    const deadline = Date.now() + 120_000;
    while (snapshotMillis(name) === undefined) {
      if (Date.now() > deadline) throw new Error(`${name} did not complete its snapshot in 120 s`);
      const trace = (await rest.status(name).catch(() => null))?.tasks[0]?.trace;
      if (trace && /^snapshot \d+%/.test(trace)) seen.status.push(trace);
      const text = await (await fetch(`${connect.url}/metrics`)).text();
      const value = (metric: string): number | undefined => {
        const m = new RegExp(`^${metric}\\{connector="${name}",task="0",table="public.wide"\\} (\\d+)`, 'm').exec(text);
        return m ? Number(m[1]) : undefined;
      };
      const done = value('millrace_snapshot_rows_done');
      if (done !== undefined) seen.metrics.push({ done, total: value('millrace_snapshot_rows_total') ?? -1, chunks: value('millrace_snapshot_chunks_total') ?? -1 });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (extra['snapshot.queue.redis.url'] === undefined) await rest.call('DELETE', `/connectors/${name}`);
    return snapshotMillis(name) as number;
  }

  test('1 and 4 chunk workers snapshot every row (times printed); progress moves in the status and /metrics while it runs', async () => {
    const order = [4, 1];
    const times: Record<number, number[]> = { 1: [], 4: [] };
    const seen4: Progress = { status: [], metrics: [] };
    for (const [run, threads] of order.entries()) times[threads].push(await snapshotWith(threads, run, threads === 4 ? seen4 : { status: [], metrics: [] }));
    const sum = (ms: number[]): number => ms.reduce((a, b) => a + b, 0);
    const rate = (ms: number[]): number => Math.round((ROWS * ms.length) / (sum(ms) / 1000));
    process.stdout.write(
      `postgres-cdc parallel snapshot: ${ROWS} rows in ${ROWS / CHUNK_ROWS} chunks, runs in order ${order.join(', ')}: ` +
        `1 worker ${times[1].join(' + ')} ms (${rate(times[1])} rows/s), 4 workers ${times[4].join(' + ')} ms (${rate(times[4])} rows/s), speed-up ${(sum(times[1]) / sum(times[4])).toFixed(2)}x\n`,
    );
    process.stdout.write(`  status samples: ${seen4.status.length} (e.g. ${seen4.status[Math.floor(seen4.status.length / 2)]}); /metrics rows_done samples: ${seen4.metrics.map((m) => m.done).join(' ')}\n`);

    // Every run's topic holds one `r` record for every row (the times are figures, not assertions).
    for (const run of order.keys()) {
      const events = await readCdcTopic(broker.bootstrap, `http://${broker.host}:${broker.httpPort}`, `par${run}.public.wide`);
      const ids = new Set(events.filter((e) => e.op === 'r').map((e) => Number(e.after?.id)));
      expect({ run, records: events.length, ids: ids.size }).toEqual({ run, records: ROWS, ids: ROWS });
    }
    // progress moved while it ran: intermediate values in the status and in /metrics
    const pct = seen4.status.map((s) => Number(/^snapshot (\d+)%/.exec(s)?.[1]));
    expect(pct.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen4.metrics.some((m) => m.done > 0 && m.done < ROWS)).toBe(true);
    expect(seen4.metrics.every((m) => m.total === ROWS && m.chunks === ROWS / CHUNK_ROWS)).toBe(true);
  }, 300_000);

  test('with snapshot.queue.redis.url the chunks run through a BullMQ queue on Redis', async () => {
    const invalid = await rest.call('PUT', '/connector-plugins/postgres-cdc-source/config/validate', { 'connector.class': 'postgres-cdc-source', 'topic.prefix': 'x', 'snapshot.queue.redis.url': 'http://127.0.0.1:6379' });
    expect(JSON.stringify(invalid.body)).toMatch(/snapshot.queue.redis.url.*must be a redis:\/\/ or rediss:\/\/ URL/);

    const seen: Progress = { status: [], metrics: [] };
    const ms = await snapshotWith(4, 9, seen, { 'snapshot.queue.redis.url': redis.url });
    expect(connect.logs()).toMatch(/snapshot chunks run through the BullMQ queue [^ ]*snapshot-par9-par9_slot[^ ]* on Redis/);
    const client = new Redis(redis.url);
    try {
      // every chunk is a completed BullMQ job of the snapshot's queue
      expect(await client.zcard('millrace:snapshot-par9-par9_slot:completed')).toBe(ROWS / CHUNK_ROWS);
      expect(await client.zcard('millrace:snapshot-par9-par9_slot:failed')).toBe(0);
    } finally {
      client.disconnect();
    }
    const final = await waitFor('the final figures in /metrics', async () => {
      const text = await (await fetch(`${connect.url}/metrics`)).text();
      const m = /^millrace_snapshot_rows_done\{connector="cdc-9-4",task="0",table="public.wide"\} (\d+)/m.exec(text);
      return m && Number(m[1]) === ROWS ? Number(m[1]) : undefined;
    }, 10_000);
    process.stdout.write(`postgres-cdc parallel snapshot through BullMQ on Redis: ${final} rows in ${ms} ms (${Math.round(ROWS / (ms / 1000))} rows/s)\n`);
    await rest.call('DELETE', '/connectors/cdc-9-4');
  }, 120_000);

  test('a table without a key is chunked by CTID: read in parallel, every row once', async () => {
    const KEYLESS = 40_000;
    await db.query('CREATE TABLE readings (n INT NOT NULL, sensor TEXT, value DOUBLE PRECISION)');
    await db.query(`INSERT INTO readings SELECT g, 's' || (g % 17), g / 7.0 FROM generate_series(1, ${KEYLESS}) g`);
    const res = await rest.call('POST', '/connectors', {
      name: 'cdc-keyless',
      config: {
        ...cdcConfig(pg, {}),
        'topic.prefix': 'keyless',
        'table.include.list': 'public\\.readings',
        'slot.name': 'keyless_slot',
        'publication.name': 'readings_pub',
        'snapshot.max.threads': '4',
        'snapshot.chunk.rows': '4000',
        'snapshot.fetch.size': '1500',
        'snapshot.mode': 'initial_only',
      },
    });
    expect(res.status).toBe(201);
    await waitFor('the keyless snapshot completes', async () => snapshotMillis('cdc-keyless'), 60_000);
    const chunks = Number(/"connector":"cdc-keyless".*snapshot of 1 table\(s\) in (\d+) chunk\(s\)/.exec(connect.logs())?.[1]);
    const events = await readCdcTopic(broker.bootstrap, `http://${broker.host}:${broker.httpPort}`, 'keyless.public.readings');
    const reads = events.filter((e) => e.op === 'r').map((e) => Number(e.after?.['n']));
    process.stdout.write(`postgres-cdc keyless snapshot: ${KEYLESS} rows in ${chunks} CTID chunks, ${reads.length} r records (${new Set(reads).size} distinct)\n`);
    expect(chunks).toBeGreaterThanOrEqual(8);
    expect(reads).toHaveLength(KEYLESS);
    expect(new Set(reads).size).toBe(KEYLESS);
    await rest.call('DELETE', '/connectors/cdc-keyless');
  }, 120_000);
});
