import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka } from './support/kafka';
import { cdcConfig, createConnector, waitRunning } from './support/postgres-cdc';
import { prng, seedFrom } from './support/seeded-random';

/**
 * Issue 15's BI rollup acceptance: an orders table under random inserts, updates (some
 * moving a row to another customer, day or shift, some flipping its quality) and deletes,
 * captured by the Postgres CDC source (REPLICA IDENTITY FULL, so updates and deletes
 * carry the old row); two bi-rollup-sinks fold the changes into "sales per customer per
 * day" and "good parts per line per shift", one into Postgres, one into DuckDB; connect
 * is killed -9 twice at seeded moments while the writer runs. At the end every rollup
 * table equals the same aggregate computed by GROUP BY on the source.
 *
 * Seeded: MILLRACE_ROLLUP_SEED replays the kill moments and the writes.
 */
const INITIAL_ROWS = 3000;
const SHIFTS = 'early@06:00,late@14:00,night@22:00';

const SALES_SQL = (t: string) => `SELECT customer, day::text AS day, count::text AS n, sum_amount::numeric(20,2)::text AS s, round(avg_amount::numeric, 4)::text AS a,
  min_amount::numeric(20,2)::text AS mn, max_amount::numeric(20,2)::text AS mx, count_distinct_product::text AS cd FROM ${t} ORDER BY 1, 2`;
const SALES_SOURCE = `SELECT customer, (ordered_at AT TIME ZONE 'UTC')::date::text AS day, count(*)::text AS n, sum(amount)::numeric(20,2)::text AS s,
  round(avg(amount), 4)::text AS a, min(amount)::numeric(20,2)::text AS mn, max(amount)::numeric(20,2)::text AS mx, count(DISTINCT product)::text AS cd
  FROM orders GROUP BY 1, 2 ORDER BY 1, 2`;
const PARTS_SQL = (t: string) => `SELECT line, shift, good_parts::numeric(20,0)::text AS parts, count::text AS n FROM ${t} ORDER BY 1, 2`;
const PARTS_SOURCE = `SELECT line, to_char(CASE WHEN extract(hour FROM l) < 6 THEN l - interval '1 day' ELSE l END, 'YYYY-MM-DD') || ' ' ||
    CASE WHEN extract(hour FROM l) >= 22 OR extract(hour FROM l) < 6 THEN 'night' WHEN extract(hour FROM l) >= 14 THEN 'late' ELSE 'early' END AS shift,
    sum(qty)::numeric(20,0)::text AS parts, count(*)::text AS n
  FROM (SELECT *, ordered_at AT TIME ZONE 'UTC' AS l FROM orders WHERE quality = 'good') o GROUP BY 1, 2 ORDER BY 1, 2`;
/** The same over DuckDB (its casts and date functions). */
const SALES_DUCK = `SELECT customer, CAST(day AS VARCHAR) AS day, CAST(count AS VARCHAR) AS n, CAST(CAST(sum_amount AS DECIMAL(20,2)) AS VARCHAR) AS s,
  CAST(round(CAST(avg_amount AS DECIMAL(20,6)), 4) AS VARCHAR) AS a, CAST(CAST(min_amount AS DECIMAL(20,2)) AS VARCHAR) AS mn,
  CAST(CAST(max_amount AS DECIMAL(20,2)) AS VARCHAR) AS mx, CAST(count_distinct_product AS VARCHAR) AS cd FROM sales_by_customer_day ORDER BY 1, 2`;
const PARTS_DUCK = `SELECT line, shift, CAST(CAST(good_parts AS DECIMAL(20,0)) AS VARCHAR) AS parts, CAST(count AS VARCHAR) AS n FROM good_parts_by_line_shift ORDER BY 1, 2`;

function rollupConfig(topic: string, url: string): Record<string, string> {
  return {
    'connector.class': 'bi-rollup-sink',
    topics: topic,
    'connection.url': url,
    rollups: 'sales_by_customer_day,good_parts_by_line_shift',
    'rollup.sales_by_customer_day.group.by': 'customer, day(ordered_at) AS day',
    'rollup.sales_by_customer_day.measures': 'count, sum(amount), avg(amount), min(amount), max(amount), count_distinct(product)',
    'rollup.good_parts_by_line_shift.group.by': 'line, shift(ordered_at) AS shift',
    'rollup.good_parts_by_line_shift.measures': 'sum(qty) AS good_parts, count',
    'rollup.good_parts_by_line_shift.filter': "quality = 'good'",
    'shift.calendar': SHIFTS,
    'batch.size': '2000',
    'consumer.override.session.timeout.ms': '4000',
    'consumer.override.heartbeat.interval.ms': '1000',
    'consumer.override.max.poll.interval.ms': '10000',
  };
}

const rowsText = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));

describe('bi-rollup-sink: rollups equal GROUP BY on the source after random changes and 2 kills -9', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let db: Client;
  let writer: Client;
  let warehouse: Client;
  const duckDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollup-it-'));
  const duckFile = path.join(duckDir, 'bi.duckdb');
  const seed = seedFrom('MILLRACE_ROLLUP_SEED', 'bi-rollup-sink acceptance');

  beforeAll(async () => {
    [broker, pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: '1000', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres()]);
    connect = await startConnect({
      bootstrap: broker.bootstrap,
      registryUrl: `http://${broker.host}:${broker.httpPort}`,
      env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '4000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000' },
      // restarts after kill -9 on a loaded 2-core machine can take longer than the default 30 s
      startTimeoutMs: 90_000,
    });
    rest = new ConnectRest(connect.url);
    db = new Client({ connectionString: pg.connectionString });
    writer = new Client({ connectionString: pg.connectionString });
    await Promise.all([db.connect(), writer.connect()]);
    await db.query('CREATE DATABASE warehouse');
    warehouse = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await warehouse.connect();
  }, 120_000);

  afterAll(async () => {
    if (process.env.MILLRACE_ROLLUP_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_ROLLUP_DEBUG_LOG, connect?.logs() ?? '');
    await Promise.all([db?.end(), writer?.end(), warehouse?.end()]);
    await connect?.stop();
    await Promise.all([broker?.stop(), pg?.stop()]);
    fs.rmSync(duckDir, { recursive: true, force: true });
  });

  function startWriter(random: () => number): { stop: () => Promise<number> } {
    let nextId = INITIAL_ROWS + 1;
    let running = true;
    let n = 0;
    const at = () => `2024-06-01T00:00:00Z`;
    const loop = (async () => {
      while (running) {
        await writer.query('BEGIN');
        for (let s = 1 + Math.floor(random() * 4); s > 0; s--) {
          const pick = random();
          const id = 1 + Math.floor(random() * (nextId - 1));
          if (pick < 0.3) {
            await writer.query(
              `INSERT INTO orders VALUES ($1, 'c' || $2, $3::timestamptz + $4 * interval '1 minute', $5, 'p' || $6, 'L' || $7, $8, $9)`,
              [nextId++, Math.floor(random() * 20), at(), Math.floor(random() * 4 * 1440), (random() * 500).toFixed(2), Math.floor(random() * 8), Math.floor(random() * 3), random() < 0.8 ? 'good' : 'scrap', 1 + Math.floor(random() * 50)],
            );
          } else if (pick < 0.5) {
            await writer.query(`UPDATE orders SET amount = amount + 1.25, qty = qty + 1 WHERE id = $1`, [id]);
          } else if (pick < 0.65) {
            await writer.query(`UPDATE orders SET customer = 'c' || $2 WHERE id = $1`, [id, Math.floor(random() * 20)]);
          } else if (pick < 0.75) {
            await writer.query(`UPDATE orders SET ordered_at = ordered_at + $2 * interval '1 minute', line = 'L' || $3 WHERE id = $1`, [id, Math.floor(random() * 1440) - 720, Math.floor(random() * 3)]);
          } else if (pick < 0.85) {
            await writer.query(`UPDATE orders SET quality = CASE quality WHEN 'good' THEN 'scrap' ELSE 'good' END, product = 'p' || $2 WHERE id = $1`, [id, Math.floor(random() * 8)]);
          } else {
            await writer.query('DELETE FROM orders WHERE id = $1', [id]);
          }
        }
        await writer.query('COMMIT');
        n++;
        await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(random() * 10)));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return n;
      },
    };
  }

  async function readDuck(): Promise<{ sales: string[]; parts: string[] } | null> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(duckFile, { access_mode: 'READ_ONLY' });
    } catch {
      return null; // still open by the task
    }
    try {
      const conn = await instance.connect();
      const sales = rowsText((await conn.runAndReadAll(SALES_DUCK)).getRowObjectsJS());
      const parts = rowsText((await conn.runAndReadAll(PARTS_DUCK)).getRowObjectsJS());
      conn.closeSync();
      return { sales, parts };
    } catch {
      return null;
    } finally {
      instance.closeSync();
    }
  }

  test('sales per customer per day and good parts per line per shift, in Postgres and DuckDB', async () => {
    const random = prng(seed);
    const started = Date.now();
    await db.query(`CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, ordered_at TIMESTAMPTZ NOT NULL, amount NUMERIC(12,2), product TEXT, line TEXT NOT NULL, quality TEXT NOT NULL, qty INT NOT NULL)`);
    await db.query('ALTER TABLE orders REPLICA IDENTITY FULL');
    await db.query(
      `INSERT INTO orders SELECT g, 'c' || (g % 20), TIMESTAMPTZ '2024-06-01 00:00:00+00' + (g * 7 % 5760) * interval '1 minute',
              CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 500) + 0.25 END, 'p' || (g % 8), 'L' || (g % 3), CASE WHEN g % 5 = 0 THEN 'scrap' ELSE 'good' END, 1 + g % 50
       FROM generate_series(1, ${INITIAL_ROWS}) g`,
    );
    const topic = 'bi.public.orders';
    // a bad declaration is refused at create time, naming the key
    const bad = await rest.call('POST', '/connectors', { name: 'rollups-bad', config: { ...rollupConfig(topic, 'jdbc:duckdb:/tmp/x.duckdb'), 'rollup.sales_by_customer_day.filter': "status = 'x'; DROP TABLE orders" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('rollup.sales_by_customer_day.filter');
    await createConnector(rest, 'cdc-orders', { ...cdcConfig(pg, {}), 'topic.prefix': 'bi', 'table.include.list': 'public\\.orders', 'slot.name': 'bi_slot', 'publication.name': 'bi_pub' });
    await createConnector(rest, 'rollups-pg', rollupConfig(topic, `jdbc:postgresql://${pg.host}:${pg.port}/warehouse?user=${pg.user}`));
    await createConnector(rest, 'rollups-duck', rollupConfig(topic, `jdbc:duckdb:${duckFile}`));
    await Promise.all(['cdc-orders', 'rollups-pg', 'rollups-duck'].map((n) => waitRunning(rest, n)));

    const writes = startWriter(prng(seed ^ 0x2545f491));
    let transactions = 0;
    const occurrences = (pattern: RegExp): number => (connect.logs().match(new RegExp(pattern.source, 'g')) ?? []).length;
    const counted = async (): Promise<number> => Number((await warehouse.query('SELECT coalesce(sum(count), 0)::int AS n FROM sales_by_customer_day').catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
    try {
      // the kills land while changes stream, after the snapshot reached the rollups
      await waitFor('the snapshot counted in the Postgres rollup', async () => (await counted()) >= INITIAL_ROWS * 0.9, 150_000);
      for (let k = 1; k <= 2; k++) {
        const streaming = occurrences(/postgres-cdc: streaming slot/);
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(random() * 3000)));
        await connect.kill();
        const down = Math.floor(random() * 1500);
        await new Promise((resolve) => setTimeout(resolve, down));
        await connect.restart();
        process.stdout.write(`bi-rollup acceptance: kill -9 ${k} at ${Date.now() - started} ms, down ${down} ms\n`);
        await waitFor(`streaming resumes after kill ${k}`, async () => occurrences(/postgres-cdc: streaming slot/) > streaming, 120_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    } finally {
      transactions = await writes.stop();
    }

    const source = { sales: rowsText((await db.query(SALES_SOURCE)).rows), parts: rowsText((await db.query(PARTS_SOURCE)).rows) };
    const pgRollups = async () => ({
      sales: rowsText((await warehouse.query(SALES_SQL('sales_by_customer_day'))).rows),
      parts: rowsText((await warehouse.query(PARTS_SQL('good_parts_by_line_shift'))).rows),
    });
    let last: { sales: string[]; parts: string[] } | null = null;
    try {
      await waitFor('the Postgres rollups equal GROUP BY on the source', async () => {
        last = await pgRollups().catch(() => null);
        return last !== null && JSON.stringify(last) === JSON.stringify(source);
      }, 120_000);
    } catch (err) {
      process.stdout.write(`seed ${seed}: ${JSON.stringify(await rest.status('rollups-pg'))}\n--- connect ---\n${connect.logs().slice(-6000)}\n`);
      expect(last).toEqual(source);
      throw err;
    }

    // DuckDB lets one process open the file: once its sink consumed as far as the Postgres one, take it away to read the
    // file (bring it back if it had not caught up after all)
    const admin = makeKafka(broker.bootstrap).admin();
    await admin.connect();
    const consumed = async (group: string): Promise<number> => Number((await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions[0]?.offset ?? -1);
    const pgConsumed = await consumed('connect-rollups-pg');
    await waitFor(`the DuckDB sink consumed up to ${pgConsumed}`, async () => (await consumed('connect-rollups-duck')) >= pgConsumed, 90_000).catch(() => undefined);
    process.stdout.write(`bi-rollup acceptance: consumed ${pgConsumed} (Postgres sink), ${await consumed('connect-rollups-duck')} (DuckDB sink) at ${Date.now() - started} ms\n`);
    await admin.disconnect();
    let duck: { sales: string[]; parts: string[] } | null = null;
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 10_000));
      expect((await rest.call('DELETE', '/connectors/rollups-duck')).status).toBe(204);
      duck = await waitFor('the DuckDB file is free', () => readDuck(), 30_000);
      if (JSON.stringify(duck) === JSON.stringify(source)) break;
      await createConnector(rest, 'rollups-duck', rollupConfig(topic, `jdbc:duckdb:${duckFile}`));
    }
    const groups = source.sales.length + source.parts.length;
    process.stdout.write(
      `bi-rollup acceptance (seed ${seed}): ${transactions} writer transactions; ${source.sales.length} customer-day and ${source.parts.length} line-shift groups equal in Postgres and DuckDB; total ${Date.now() - started} ms\n`,
    );
    expect(groups).toBeGreaterThan(100);
    expect(duck).toEqual(source);
  }, 420_000);
});
