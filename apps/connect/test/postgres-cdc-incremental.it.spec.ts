import { Client } from 'pg';
import { readCdcTopic, snapshotReadDuplicates } from './support/cdc-topic';
import { waitFor } from './support/connect-rest';
import { topicEndOffset } from './support/kafka';
import { cdcConfig, createConnector, usePostgresCdc, waitRunning, warehouseSinkConfig } from './support/postgres-cdc';
import { prng, seedFrom } from './support/seeded-random';

/**
 * Incremental snapshots while streaming (issue 12): a connector that streams only
 * (snapshot.mode=no_data) fills the warehouse through incremental snapshots — one
 * started by a row in the signal table (`signal.data.collection`), one by
 * `POST /connectors/{c}/snapshots` — while inserts, updates (some of the key) and deletes
 * run on both tables; connect is killed -9 once in the middle of the first (seeded,
 * MILLRACE_CDC_INCREMENTAL_SEED). Afterwards the warehouse equals the source (count and
 * all-column checksum): no chunk row overwrote a newer streamed change, and the snapshot
 * resumed after the last committed chunk (no `r` read twice beyond one chunk).
 * While the resumed snapshot runs, its progress (rows done / total) moves in the task's
 * status and in /metrics (millrace_incremental_snapshot_rows_done / _rows_total).
 * Also: TRUNCATE events (skipped by default, `t` with skipped.operations=none), the
 * slot's series in /metrics and the REST call's errors.
 */
const ITEMS = 20_000;
const ORDERS = 3_000;
const CHUNK = 500;

describe('postgres-cdc-source incremental snapshots', () => {
  const env = usePostgresCdc({
    brokerEnv: { MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: '1000' },
    connectEnv: { MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '4000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000' },
  });
  const seed = seedFrom('MILLRACE_CDC_INCREMENTAL_SEED', 'postgres-cdc incremental');
  const occurrences = (pattern: RegExp): number => (env.connect.logs().match(new RegExp(pattern.source, 'g')) ?? []).length;

  async function digest(client: Client, table: string): Promise<{ n: string; sum: string }> {
    const { rows } = await client.query<{ n: string; sum: string }>(
      `SELECT count(*)::text AS n, coalesce(md5(string_agg(concat_ws('|', id, name, amount::numeric(12,2), note), ',' ORDER BY id)), '') AS sum FROM ${table}`,
    );
    return rows[0];
  }

  function startWriter(writer: Client, random: () => number): { stop: () => Promise<number> } {
    const next = { items: ITEMS + 1, orders: ORDERS + 1 };
    let running = true;
    let transactions = 0;
    const loop = (async () => {
      while (running) {
        await writer.query('BEGIN');
        for (let s = 0, n = 1 + Math.floor(random() * 3); s < n; s++) {
          const table = random() < 0.8 ? 'items' : 'orders';
          const pick = random();
          const id = 1 + Math.floor(random() * (next[table] - 1));
          if (pick < 0.3) await writer.query(`INSERT INTO ${table} VALUES ($1, 'new', 1.5, 'inserted')`, [next[table]++]);
          else if (pick < 0.75) await writer.query(`UPDATE ${table} SET amount = amount + 1, note = 'u' || $2 WHERE id = $1`, [id, transactions]);
          else if (pick < 0.8) await writer.query(`UPDATE ${table} SET id = $2 WHERE id = $1`, [id, next[table]++]);
          else await writer.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
        }
        await writer.query('COMMIT');
        transactions++;
        await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(random() * 10)));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return transactions;
      },
    };
  }

  test('signal table + REST call under writes, one kill -9 mid-snapshot: the warehouse equals the source', async () => {
    const random = prng(seed);
    const { db, pg, rest } = env;
    const started = Date.now();
    for (const [table, rows] of [['items', ITEMS], ['orders', ORDERS]] as const) {
      await db.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(12,2), note TEXT)`);
      await db.query(`INSERT INTO ${table} SELECT g, 'n' || (g % 89), (g * 0.75)::numeric(12,2), CASE WHEN g % 7 = 0 THEN NULL ELSE md5(g::text) END FROM generate_series(1, ${rows}) g`);
    }
    await db.query('CREATE TABLE dbz_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)');
    await createConnector(rest, 'inc', {
      ...cdcConfig(pg, {}),
      'topic.prefix': 'inc',
      'table.include.list': 'public\\.(items|orders)',
      'slot.name': 'inc_slot',
      'publication.name': 'inc_pub',
      'snapshot.mode': 'no_data',
      'signal.data.collection': 'public.dbz_signal',
      'incremental.snapshot.chunk.size': String(CHUNK),
    });
    await createConnector(rest, 'inc-warehouse', {
      ...warehouseSinkConfig(pg, 'inc.public.items,inc.public.orders', 'inc'),
      'consumer.override.session.timeout.ms': '4000',
      'consumer.override.heartbeat.interval.ms': '1000',
      'consumer.override.max.poll.interval.ms': '10000',
    });
    await waitRunning(rest, 'inc');
    await waitFor('streaming', async () => occurrences(/postgres-cdc: streaming slot/) > 0, 30_000);

    const writer = new Client({ connectionString: pg.connectionString });
    await writer.connect();
    const writes = startWriter(writer, prng(seed ^ 0x2545f491));
    let transactions = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const base = await topicEndOffset(env.kafka, 'inc.public.items');
      await db.query(`INSERT INTO dbz_signal VALUES ('sig-1', 'execute-snapshot', '{"data-collections": ["public.items"], "type": "incremental"}')`);
      const killAt = base + Math.floor((0.2 + random() * 0.4) * ITEMS);
      await waitFor(`${killAt} records in inc.public.items`, async () => (await topicEndOffset(env.kafka, 'inc.public.items')) >= killAt, 90_000);
      if (occurrences(/incremental snapshot completed/) > 0) throw new Error(`the incremental snapshot completed before the kill (seed ${seed})`);
      const downMs = Math.floor(random() * 1500);
      await env.connect.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await env.connect.restart();
      process.stdout.write(`incremental: kill -9 at ${await topicEndOffset(env.kafka, 'inc.public.items')} records (down ${downMs} ms)\n`);
      await waitFor('the incremental snapshot resumes', async () => occurrences(/incremental snapshot resumes/) > 0, 60_000);
      // progress while it runs (resumed from the stored position): the status line and /metrics
      const traces: { done: number; total: number }[] = [];
      const gauges: { done: number; total: number }[] = [];
      await waitFor('the items snapshot completes', async () => {
        const trace = (await rest.status('inc').catch(() => null))?.tasks[0]?.trace ?? '';
        const t = /incremental snapshot: public\.items (\d+)\/(\d+) rows/.exec(trace);
        if (t) traces.push({ done: Number(t[1]), total: Number(t[2]) });
        const text = await (await fetch(`${env.connect.url}/metrics`)).text();
        const gauge = (name: string): number | undefined => {
          const m = new RegExp(`^millrace_incremental_snapshot_${name}\\{connector="inc",task="0",table="public.items"\\} (\\d+)`, 'm').exec(text);
          return m ? Number(m[1]) : undefined;
        };
        const done = gauge('rows_done');
        if (done !== undefined) gauges.push({ done, total: gauge('rows_total') ?? -1 });
        return occurrences(/incremental snapshot of public\.items completed/) > 0;
      }, 120_000);
      process.stdout.write(`incremental progress samples: status ${traces.map((t) => `${t.done}/${t.total}`).join(' ')}; /metrics ${gauges.map((g) => `${g.done}/${g.total}`).join(' ')}\n`);
      expect(traces.some((t) => t.done > 0 && t.done < t.total)).toBe(true);
      expect(gauges.some((g) => g.done > 0 && g.done < g.total)).toBe(true);

      const res = await rest.call('POST', '/connectors/inc/snapshots', { 'data-collections': ['public.orders'], type: 'incremental' });
      expect(res.status).toBe(202);
      await waitFor('the orders snapshot completes', async () => occurrences(/incremental snapshot of public\.orders completed/) > 0, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      transactions = await writes.stop();
      await writer.end();
    }

    for (const table of ['items', 'orders']) {
      const source = await digest(db, table);
      let copy: { n: string; sum: string } | null = null;
      await waitFor(`warehouse ${table} equals the source`, async () => {
        copy = await digest(env.warehouse, table).catch(() => null);
        return copy !== null && copy.n === source.n && copy.sum === source.sum;
      }, 90_000).catch((err: Error) => {
        throw new Error(`${err.message} (seed ${seed}): source ${JSON.stringify(source)} warehouse ${JSON.stringify(copy)}\n${env.connect.logs().slice(-6000)}`);
      });
    }
    const events = await readCdcTopic(env.broker.bootstrap, env.registryUrl, 'inc.public.items');
    const reads = snapshotReadDuplicates(events, (e) => String(e.key?.['id']));
    const dropped = [...env.connect.logs().matchAll(/(\d+) chunk row\(s\) changed in the stream meanwhile/g)].reduce((n, m) => n + Number(m[1]), 0);
    process.stdout.write(
      `incremental (seed ${seed}): ${transactions} writer transactions; items ${reads.reads} r for ${reads.keys.size} keys, ${reads.extraReads} repeated; ` +
        `${dropped} chunk rows dropped for newer streamed changes; ${Date.now() - started} ms\n`,
    );
    expect(reads.extraReads).toBeLessThanOrEqual(CHUNK);
    expect((await rest.status('inc')).tasks[0]?.state).toBe('RUNNING');
  }, 240_000);

  test('TRUNCATE: skipped by default (Debezium), a t record with skipped.operations=none', async () => {
    const { db, pg, rest } = env;
    await db.query('CREATE TABLE trunc_a (id INT PRIMARY KEY, v TEXT)');
    await db.query('CREATE TABLE trunc_b (id INT PRIMARY KEY, v TEXT)');
    for (const [name, table, extra] of [['trunc-default', 'trunc_a', {}], ['trunc-none', 'trunc_b', { 'skipped.operations': 'none' }]] as const) {
      await createConnector(rest, name, { ...cdcConfig(pg, {}), 'topic.prefix': name, 'table.include.list': `public\\.${table}`, 'slot.name': name.replace('-', '_'), 'publication.name': `${name.replace('-', '_')}_pub`, 'snapshot.mode': 'no_data', ...extra });
      await waitRunning(rest, name);
    }
    await waitFor('both stream', async () => occurrences(/postgres-cdc: streaming slot .{1,2}trunc_/) >= 2, 30_000);
    for (const table of ['trunc_a', 'trunc_b']) {
      await db.query(`INSERT INTO ${table} VALUES (1, 'a'), (2, 'b')`);
      await db.query(`TRUNCATE ${table}`);
      await db.query(`INSERT INTO ${table} VALUES (3, 'c')`);
    }
    const ops = async (topic: string): Promise<string[]> => (await readCdcTopic(env.broker.bootstrap, env.registryUrl, topic)).map((e) => `${e.op}:${JSON.stringify(e.key)}`);
    // cheap end-offset polls first (records plus transaction markers), then the topics are read
    await waitFor('the last inserts arrive', async () => (await topicEndOffset(env.kafka, 'trunc-default.public.trunc_a')) >= 4 && (await topicEndOffset(env.kafka, 'trunc-none.public.trunc_b')) >= 6, 30_000);
    const want = { a: ['c:{"id":1}', 'c:{"id":2}', 'c:{"id":3}'], b: ['c:{"id":1}', 'c:{"id":2}', 't:null', 'c:{"id":3}'] };
    let got = { a: [] as string[], b: [] as string[] };
    await waitFor('the topics hold every event', async () => {
      got = { a: await ops('trunc-default.public.trunc_a'), b: await ops('trunc-none.public.trunc_b') };
      return got.a.length >= want.a.length && got.b.length >= want.b.length;
    }, 30_000).catch(() => undefined);
    expect(got).toEqual(want);
  }, 90_000);

  test("the slot's lag and wal_status are in connect's /metrics", async () => {
    const text = await waitFor('slot series in /metrics', async () => {
      const body = await (await fetch(`${env.connect.url}/metrics`)).text();
      return /millrace_cdc_slot_lag_bytes\{connector="inc",task="0",slot="inc_slot"\} \d+/.test(body) ? body : undefined;
    }, 30_000);
    expect(text).toMatch(/millrace_cdc_slot_wal_status\{connector="inc",task="0",slot="inc_slot",status="reserved"\} 1/);
  }, 40_000);

  test('the REST call: 400 naming the field, 400 for a plugin without signals, 404 for an unknown connector', async () => {
    const { rest } = env;
    const bad = await rest.call('POST', '/connectors/inc/snapshots', { 'data-collections': [] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('data-collections');
    const noSignals = await rest.call('POST', '/connectors/inc-warehouse/snapshots', { 'data-collections': ['public.items'] });
    expect(noSignals.status).toBe(400);
    expect(JSON.stringify(noSignals.body)).toContain('does not take snapshot signals');
    expect((await rest.call('POST', '/connectors/nope/snapshots', { 'data-collections': ['public.items'] })).status).toBe(404);
    const badRegex = await rest.call('POST', '/connectors/inc/snapshots', { 'data-collections': ['public.(items'] });
    expect(badRegex.status).toBe(400);
    expect(JSON.stringify(badRegex.body)).toContain('not a valid regular expression');
  }, 30_000);
});
