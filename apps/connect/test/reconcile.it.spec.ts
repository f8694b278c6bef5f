import * as path from 'node:path';
import { findRepoRoot, runCommand } from '@millrace/testing';
import { chromium } from 'playwright-core';
import { Client } from 'pg';
import { waitFor } from './support/connect-rest';
import * as cdc from './support/postgres-cdc';

/**
 * Source ↔ warehouse reconciliation (issue 16) against real databases: a Postgres CDC
 * source feeds a Postgres warehouse through the jdbc-sink (envelopes unwrapped, topics
 * routed to the table names); `POST /connectors/{sink}/reconcile` compares the tables in
 * primary-key chunks.
 * 1. equal tables: zero drift, every row counted on both sides, the chunk plan as asked;
 * 2. rows changed behind the pipeline's back in the warehouse (an UPDATE, a DELETE, an
 *    extra row past the source's last key): exactly the chunks holding them are reported,
 *    with their key ranges and row counts, and in /metrics;
 * 3. the pipeline puts a drifted row right again (a source update of it) and the
 *    schedule (reconcile.interval.ms) re-runs without a request;
 * 4. bad requests: a source connector 400, an unknown one 404, no run yet 404;
 * 5. with reconcile.repair=true the drifted chunk is re-read through an incremental
 *    snapshot of the source and the next run finds the two equal.
 * The CLI's `connector reconcile --wait` prints the same report and exits 5 on drift; the
 * web console's connector page runs one with its button and shows the drift.
 */
interface TableReport {
  state: string;
  source: string;
  target: string;
  key_columns: string[];
  columns: string[];
  chunks: number;
  chunks_done: number;
  source_rows: number;
  target_rows: number;
  drifted: { chunk: number; from: string[] | null; to: string[] | null; source_rows: number; target_rows: number }[];
  error?: string;
}
interface Report {
  connector: string;
  state: string;
  started_at: string;
  finished_at: string | null;
  drifted_chunks: number;
  tables: TableReport[];
}

describe('reconciliation', () => {
  const env = cdc.usePostgresCdc({ console: true });
  const ROWS = 5_000;
  const CHUNK = 500;
  let db: Client;
  let warehouse: Client;

  beforeAll(async () => {
    ({ db, warehouse } = env);
    await db.query(`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed timestamptz, flag boolean, payload bytea, note text)`);
    await db.query(
      `INSERT INTO orders SELECT g, 'customer-' || (g % 97), (g * 1.25)::numeric(10,2), timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 minute 0.000001 second',
              g % 3 = 0, decode(md5(g::text), 'hex'), CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g END FROM generate_series(1, ${ROWS}) g`,
    );
    await cdc.createConnector(env.rest, 'rc-src', cdc.cdcConfig(env.pg, { 'topic.prefix': 'rc', 'table.include.list': 'public.orders', 'slot.name': 'rc_slot', 'publication.name': 'rc_pub' }));
    await cdc.createConnector(env.rest, 'rc-wh', cdc.warehouseSinkConfig(env.pg, 'rc.public.orders', 'rc', { 'reconcile.chunk.rows': String(CHUNK), 'reconcile.max.threads': '2' }));
    await cdc.waitRunning(env.rest, 'rc-wh');
    await waitFor('the warehouse holds every row', async () => {
      const r = await warehouse.query<{ n: string }>('SELECT count(*)::text AS n FROM orders').catch(() => ({ rows: [{ n: '0' }] }));
      return r.rows[0].n === String(ROWS);
    }, 120_000);
  }, 240_000);

  async function reconcile(name: string): Promise<Report> {
    const started = await env.rest.call('POST', `/connectors/${name}/reconcile`);
    expect(started.status).toBe(202);
    expect((started.body as Report).state).toBe('RUNNING');
    return waitFor(`reconciliation of ${name} ends`, async () => {
      const r = await env.rest.get(`/connectors/${name}/reconcile`);
      expect(r.status).toBe(200);
      const report = r.body as Report;
      return report.state === 'RUNNING' ? undefined : report;
    }, 60_000);
  }

  it('reports zero drift for equal tables, with every row counted on both sides', async () => {
    const report = await reconcile('rc-wh');
    expect(report.state).toBe('COMPLETED');
    expect(report.drifted_chunks).toBe(0);
    expect(report.tables).toHaveLength(1);
    const t = report.tables[0];
    expect(t.error).toBeUndefined();
    expect(t.source).toMatch(/^postgres:\/\/.*\/public\.orders$/);
    expect(t.target).toMatch(/\.orders$/);
    expect(t.key_columns).toEqual(['id']);
    expect(t.columns).toEqual(['id', 'customer', 'amount', 'placed', 'flag', 'payload', 'note']);
    expect(t.chunks).toBe(ROWS / CHUNK + 1);
    expect(t.chunks_done).toBe(t.chunks);
    expect([t.source_rows, t.target_rows]).toEqual([ROWS, ROWS]);
    expect(t.drifted).toEqual([]);
    expect(JSON.stringify(report)).not.toMatch(/password/i);
  });

  it('reports exactly the chunks changed behind the pipeline, with their key ranges', async () => {
    await warehouse.query(`UPDATE orders SET note = 'changed by hand' WHERE id = 1234`);
    await warehouse.query(`UPDATE orders SET amount = amount + 0.01 WHERE id = 4400`);
    await warehouse.query(`DELETE FROM orders WHERE id = 4321`);
    await warehouse.query(`INSERT INTO orders (id, customer) VALUES (${ROWS + 7}, 'ghost')`);
    // a value written differently but equal (timestamp text in another zone) is no drift
    await warehouse.query(`UPDATE orders SET placed = placed WHERE id = 2500`);
    const report = await reconcile('rc-wh');
    expect(report.state).toBe('COMPLETED');
    const t = report.tables[0];
    expect(t.drifted).toEqual([
      { chunk: 2, from: ['1000'], to: ['1500'], source_rows: CHUNK, target_rows: CHUNK },
      { chunk: 8, from: ['4000'], to: ['4500'], source_rows: CHUNK, target_rows: CHUNK - 1 },
      { chunk: 10, from: [String(ROWS)], to: null, source_rows: 0, target_rows: 1 },
    ]);
    expect(report.drifted_chunks).toBe(3);
    expect([t.source_rows, t.target_rows]).toEqual([ROWS, ROWS]);
    const metrics = await (await fetch(`${env.connect.url}/metrics`)).text();
    expect(metrics).toMatch(/millrace_reconcile_drifted_chunks\{connector="rc-wh",table="[^"]*orders"\} 3/);
    expect(metrics).toMatch(/millrace_reconcile_chunks_done\{connector="rc-wh",table="[^"]*orders"\} 11/);

    // the CLI: the same report, exit code 5 for drift
    const repoRoot = findRepoRoot(__dirname);
    const run = (args: string[]) => runCommand(process.execPath, [path.join(repoRoot, 'bin', 'millrace.js'), ...args], { cwd: repoRoot, timeoutMs: 60_000, env: { MILLRACE_CONNECT_URL: env.connect.url } });
    const cliJson = await run(['connector', 'reconcile', 'rc-wh', '--wait', '--json']);
    expect(cliJson.code).toBe(5);
    expect((JSON.parse(cliJson.stdout.toString('utf8')) as Report).tables[0].drifted.map((d) => d.chunk)).toEqual([2, 8, 10]);
    const cliTable = await run(['connector', 'reconcile', 'rc-wh', '--wait']);
    expect(cliTable.code).toBe(5);
    expect(cliTable.stdout.toString('utf8')).toMatch(/keys \(4000, 4500\]/);
  });

  it('sees a row the pipeline put right again, on its schedule', async () => {
    // the source rewrites id 1234 (the CDC update overwrites the hand-made note) and the
    // ghost row goes; the deleted row 4321 and the amount of 4400 stay drifted
    await db.query(`UPDATE orders SET note = 'from the source' WHERE id = 1234`);
    await warehouse.query(`DELETE FROM orders WHERE id = ${ROWS + 7}`);
    await waitFor('the source update reaches the warehouse', async () => {
      const r = await warehouse.query<{ note: string }>('SELECT note FROM orders WHERE id = 1234');
      return r.rows[0]?.note === 'from the source';
    }, 60_000);
    const before = ((await env.rest.get('/connectors/rc-wh/reconcile')).body as Report).started_at;
    const put = await env.rest.call('PUT', '/connectors/rc-wh/config', { ...cdc.warehouseSinkConfig(env.pg, 'rc.public.orders', 'rc', { 'reconcile.chunk.rows': String(CHUNK), 'reconcile.interval.ms': '1000' }) });
    expect(put.status).toBe(200);
    const report = await waitFor('a scheduled run ends', async () => {
      const r = (await env.rest.get('/connectors/rc-wh/reconcile')).body as Report;
      return r.started_at !== before && r.state !== 'RUNNING' ? r : undefined;
    }, 60_000);
    expect(report.tables[0].drifted.map((d) => d.chunk)).toEqual([8]);
    expect(report.tables[0].drifted[0]).toMatchObject({ source_rows: CHUNK, target_rows: CHUNK - 1 });
  });

  it('answers 400 for a source connector and 404 for an unknown one or one never reconciled', async () => {
    const source = await env.rest.call('POST', '/connectors/rc-src/reconcile');
    expect(source.status).toBe(400);
    expect((source.body as { message: string }).message).toMatch(/not a table sink/);
    expect((await env.rest.call('POST', '/connectors/nope/reconcile')).status).toBe(404);
    expect((await env.rest.get('/connectors/nope/reconcile')).status).toBe(404);
    expect((await env.rest.get('/connectors/rc-src/reconcile')).status).toBe(404);
  });

  it('runs from the console and shows the drift the API reports', async () => {
    // the schedule off, so only the button can start the next run
    const put = await env.rest.call('PUT', '/connectors/rc-wh/config', { ...cdc.warehouseSinkConfig(env.pg, 'rc.public.orders', 'rc', { 'reconcile.chunk.rows': String(CHUNK) }) });
    expect(put.status).toBe(200);
    await waitFor('no scheduled run is going on', async () => ((await env.rest.get('/connectors/rc-wh/reconcile')).body as Report).state !== 'RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 6000)); // longer than a schedule tick: a run it started would have begun
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://${env.broker.host}:${env.broker.httpPort}/console/#/connectors/rc-wh`);
      const before = ((await env.rest.get('/connectors/rc-wh/reconcile')).body as Report).started_at;
      await page.getByRole('button', { name: 'Reconcile now' }).click();
      const report = await waitFor('the console started a run and it ended', async () => {
        const r = (await env.rest.get('/connectors/rc-wh/reconcile')).body as Report;
        return r.started_at !== before && r.state !== 'RUNNING' ? r : undefined;
      }, 60_000);
      await page.getByTestId('reconcile').getByText(/keys \(4000, 4500\]/).waitFor({ timeout: 15_000 });
      expect(Number(await page.getByTestId('drifted-chunks').textContent())).toBe(report.drifted_chunks);
    } finally {
      await browser.close();
    }
  });

  it('repairs the drifted chunks through an incremental snapshot of the source', async () => {
    const put = await env.rest.call('PUT', '/connectors/rc-wh/config', { ...cdc.warehouseSinkConfig(env.pg, 'rc.public.orders', 'rc', { 'reconcile.chunk.rows': String(CHUNK), 'reconcile.repair': 'true' }) });
    expect(put.status).toBe(200);
    await waitFor('the new config is applied', async () => ((await env.rest.get('/connectors/rc-wh/config')).body as Record<string, string>)['reconcile.repair'] === 'true');
    const report = await reconcile('rc-wh');
    const t = report.tables[0] as TableReport & { repair?: { state: string; message: string; signal?: string } };
    expect(t.drifted.map((d) => d.chunk)).toEqual([8]);
    expect(t.repair).toMatchObject({ state: 'REQUESTED' });
    expect(t.repair?.message).toMatch(/1 drifted chunk\(s\) of public\.orders requested from rc-src/);
    await waitFor('the re-read rows are back in the warehouse', async () => {
      const r = await warehouse.query<{ n: string; amount: string }>(`SELECT count(*)::text AS n, (SELECT amount::text FROM orders WHERE id = 4400) AS amount FROM orders WHERE id = 4321`);
      return r.rows[0].n === '1' && r.rows[0].amount === (4400 * 1.25).toFixed(2);
    }, 90_000);
    const after = await reconcile('rc-wh');
    expect(after.drifted_chunks).toBe(0);
    expect([after.tables[0].source_rows, after.tables[0].target_rows]).toEqual([ROWS, ROWS]);
  });
});
