import * as fs from 'node:fs';
import { prng, seedFrom, startBroker, startPostgres, startRedis, type BrokerProcess, type EphemeralPostgres, type EphemeralRedis } from '@millrace/testing';
import { Client } from 'pg';
import { readCdcTopic, snapshotReadDuplicates, type CdcEvent } from './support/cdc-topic';
import { startConnectCluster, type ClusterWorker } from './support/connect-cluster';
import { waitFor } from './support/connect-rest';
import { cdcConfig } from './support/postgres-cdc';

/**
 * Issue 12: with REDIS_URL set, two connect workers share one Postgres CDC snapshot's
 * chunks (tasks.max=2: task 0 owns the slot and plans the chunks, task 1 on the other
 * worker reads chunks from the BullMQ queue under task 0's exported snapshot).
 * Writes (updates, inserts, deletes, seeded) run from the slot's creation until the
 * snapshot completed. Checked: each worker's task read chunks (millrace_snapshot_chunks_done
 * in its /metrics > 0); every row of the consistent point has exactly one `r` record, with
 * the value it had at the consistent point (a helper reading a later snapshot would show
 * an update); no `r` for a row inserted after it; and the topic folded by key equals the
 * source table at the end. Then the worker running task 1 of a second snapshot is killed
 * -9 after a seeded number of its chunks: the other worker finishes the snapshot (task 1
 * moves to it; the dead worker's chunks come back after their locks expire), every row
 * is read, a row is read twice only within the chunks the dead worker had in flight, and
 * streaming follows.
 */
const ROWS = 60_000;
const CHUNK_ROWS = 2_500;

describe('postgres-cdc-source: two connect workers share a snapshot through Redis', () => {
  let broker: BrokerProcess;
  let pg: EphemeralPostgres;
  let redis: EphemeralRedis;
  let workers: ClusterWorker[];
  let db: Client;
  let registryUrl: string;

  beforeAll(async () => {
    [broker, pg, redis] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres(), startRedis()]);
    registryUrl = `http://${broker.host}:${broker.httpPort}`;
    // a killed worker's chunk locks expire after 4 s (30 s by default)
    workers = await startConnectCluster(broker.bootstrap, 2, { REDIS_URL: redis.url, MILLRACE_REGISTRY_URL: registryUrl, MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_SNAPSHOT_CHUNK_LOCK_MS: '4000' });
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE TABLE parts (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL)');
    await db.query(`INSERT INTO parts SELECT g, 'v0-' || g, g % 97 FROM generate_series(1, ${ROWS}) g`);
    await db.query('ANALYZE parts');
  }, 120_000);

  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, logs());
    await db?.end();
    for (const w of workers ?? []) await w.process.stop().catch(() => undefined);
    await Promise.all([broker?.stop(), pg?.stop(), redis?.stop()]);
  });

  const logs = (): string => workers.map((w) => w.process.logs()).join('\n');

  async function chunksDone(worker: ClusterWorker, task: number, connector = 'shared', table = 'public.parts'): Promise<number> {
    const text = await (await fetch(`${worker.process.url}/metrics`)).text();
    const m = new RegExp(`^millrace_snapshot_chunks_done\\{connector="${connector}",task="${task}",table="${table}"\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  }

  test('both workers read chunks; one r per row at the consistent point; the topic equals the source', async () => {
    const random = prng(seedFrom('MILLRACE_SHARED_SNAPSHOT_SEED', 'postgres-cdc shared snapshot: writes'));
    const res = await workers[0].rest.call('POST', '/connectors', {
      name: 'shared',
      config: {
        ...cdcConfig(pg, {}),
        'tasks.max': '2',
        'topic.prefix': 'shr',
        'table.include.list': 'public\\.parts',
        'slot.name': 'shared_slot',
        'publication.name': 'parts_pub',
        'snapshot.max.threads': '2',
        'snapshot.chunk.rows': String(CHUNK_ROWS),
        'snapshot.fetch.size': '1000',
      },
    });
    expect(res.status).toBe(201);

    // writes from the slot's creation (the consistent point) until the snapshot completed
    await waitFor('the slot is created', async () => /shared_slot.{0,2}" created at/.test(logs()), 60_000);
    let nextId = ROWS + 1;
    let writes = 0;
    /** Task 0's status during the snapshot: its own chunks and every task's. */
    const traces: { own: number; all: number; chunks: number }[] = [];
    while (!logs().includes('postgres-cdc: snapshot completed')) {
      const id = 1 + Math.floor(random() * ROWS);
      const pick = random();
      if (pick < 0.6) await db.query(`UPDATE parts SET label = 'v1-' || id, qty = qty + 1 WHERE id = $1`, [id]);
      else if (pick < 0.85) await db.query(`INSERT INTO parts VALUES ($1::int, 'new-' || $1::int, 1)`, [nextId++]);
      else await db.query('DELETE FROM parts WHERE id = $1', [id]);
      writes++;
      if (writes % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      if (writes % 100 === 0) {
        const trace = (await workers[0].rest.status('shared').catch(() => undefined))?.tasks.find((t) => t.id === 0)?.trace ?? '';
        const m = /, (\d+)\/(\d+) chunks, .*; all tasks: (\d+)\/(\d+) chunks$/.exec(trace);
        if (m) traces.push({ own: Number(m[1]), all: Number(m[3]), chunks: Number(m[4]) });
      }
      if (writes > 200_000) throw new Error('the snapshot did not complete');
    }
    process.stdout.write(`postgres-cdc shared snapshot: ${writes} writes ran during the snapshot\n`);

    const status = await workers[0].rest.status('shared');
    expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING']);
    const byTask = new Map(status.tasks.map((t) => [t.id, workers.find((w) => w.workerId === t.worker_id) as ClusterWorker]));
    expect(byTask.get(0)).toBeDefined();
    expect(byTask.get(1)).toBeDefined();
    expect(byTask.get(0)).not.toBe(byTask.get(1));
    // the topic, folded by key, reaches the source's rows
    const source = new Map((await db.query<{ id: number; label: string; qty: number }>('SELECT id, label, qty FROM parts')).rows.map((r) => [r.id, `${r.label}/${r.qty}`]));
    let events: CdcEvent[] = [];
    await waitFor('the topic equals the source', async () => {
      events = await readCdcTopic(broker.bootstrap, registryUrl, 'shr.public.parts');
      const folded = new Map<number, string>();
      for (const e of events) {
        if (e.op === 'd') folded.delete(Number(e.before?.['id']));
        else if (e.after) folded.set(Number(e.after['id']), `${String(e.after['label'])}/${String(e.after['qty'])}`);
      }
      if (folded.size !== source.size) return undefined;
      for (const [id, v] of source) if (folded.get(id) !== v) return undefined;
      return true;
    }, 60_000);

    const chunks0 = await waitFor('task 0 reports its chunks', async () => (await chunksDone(byTask.get(0) as ClusterWorker, 0)) || undefined, 10_000);
    const chunks1 = await waitFor('task 1 reports its chunks', async () => (await chunksDone(byTask.get(1) as ClusterWorker, 1)) || undefined, 10_000);
    process.stdout.write(`postgres-cdc shared snapshot: ${ROWS / CHUNK_ROWS} chunks; task 0 read ${chunks0}, task 1 read ${chunks1}\n`);
    expect(chunks0).toBeGreaterThan(0);
    expect(chunks1).toBeGreaterThan(0);
    // task 0's status counted task 1's chunks too while the snapshot ran
    expect(traces.length).toBeGreaterThan(0);
    for (const t of traces) expect(t.chunks).toBe(ROWS / CHUNK_ROWS);
    expect(traces.some((t) => t.all > t.own)).toBe(true);
    const reads = snapshotReadDuplicates(events, (e) => String(e.after?.['id']));
    expect(reads.duplicateKeys).toBe(0);
    expect(reads.reads).toBe(ROWS);
    // every r shows the row as at the consistent point, whichever worker read it
    const stale = events.filter((e) => e.op === 'r' && (Number(e.after?.['id']) > ROWS || e.after?.['label'] !== `v0-${String(e.after?.['id'])}`));
    expect(stale.slice(0, 3)).toEqual([]);
  }, 180_000);

  test('the worker of task 1 killed -9 mid-snapshot: its chunks are redone by the other worker, every row read, repeats only from the chunks it had in flight', async () => {
    const random = prng(seedFrom('MILLRACE_SHARED_SNAPSHOT_KILL_SEED', 'postgres-cdc shared snapshot: kill'));
    const KROWS = 30_000;
    const KCHUNK = 1_500;
    const THREADS = 2;
    await db.query('CREATE TABLE kparts (id INT PRIMARY KEY, label TEXT NOT NULL)');
    await db.query(`INSERT INTO kparts SELECT g, 'k0-' || g FROM generate_series(1, ${KROWS}) g`);
    await db.query('ANALYZE kparts');
    const res = await workers[0].rest.call('POST', '/connectors', {
      name: 'shared-kill',
      config: {
        ...cdcConfig(pg, {}),
        'tasks.max': '2',
        'topic.prefix': 'shk',
        'table.include.list': 'public\\.kparts',
        'slot.name': 'shared_kill_slot',
        'publication.name': 'kparts_pub',
        'snapshot.max.threads': String(THREADS),
        'snapshot.chunk.rows': String(KCHUNK),
        'snapshot.fetch.size': '300',
      },
    });
    expect(res.status).toBe(201);
    const hosts = await waitFor('both tasks run on different workers', async () => {
      const st = await workers[0].rest.status('shared-kill').catch(() => undefined);
      const t0 = st?.tasks.find((t) => t.id === 0);
      const t1 = st?.tasks.find((t) => t.id === 1);
      if (t0?.state !== 'RUNNING' || t1?.state !== 'RUNNING' || t0.worker_id === t1.worker_id) return undefined;
      return { owner: workers.find((w) => w.workerId === t0.worker_id) as ClusterWorker, helper: workers.find((w) => w.workerId === t1.worker_id) as ClusterWorker };
    }, 60_000);
    const killAfter = 1 + Math.floor(random() * 3);
    await waitFor(`task 1 has read ${killAfter} chunk(s)`, async () => (await chunksDone(hosts.helper, 1, 'shared-kill', 'public.kparts')) >= killAfter || undefined, 60_000);
    const readAtKill = (await readCdcTopic(broker.bootstrap, registryUrl, 'shk.public.kparts')).filter((e) => e.op === 'r').length;
    await hosts.helper.process.kill();

    // the snapshot completes on the surviving worker (task 1 moves there; the dead worker's chunks come back when their locks expire) and streaming follows
    let events: CdcEvent[] = [];
    await waitFor('every row read', async () => {
      events = await readCdcTopic(broker.bootstrap, registryUrl, 'shk.public.kparts');
      return snapshotReadDuplicates(events, (e) => String(e.after?.['id'])).keys.size === KROWS || undefined;
    }, 120_000);
    await db.query(`UPDATE kparts SET label = 'after kill' WHERE id = 1`);
    await waitFor('the update streams', async () => {
      events = await readCdcTopic(broker.bootstrap, registryUrl, 'shk.public.kparts');
      return events.some((e) => e.op === 'u' && e.after?.['label'] === 'after kill') || undefined;
    }, 90_000);
    const reads = snapshotReadDuplicates(events, (e) => String(e.after?.['id']));
    process.stdout.write(`postgres-cdc shared snapshot: helper worker killed after ${killAfter} chunk(s) of task 1 with ${readAtKill} of ${KROWS} rows read; ${reads.reads} r records (${reads.extraReads} repeated)\n`);
    expect(readAtKill).toBeLessThan(KROWS);
    expect([...reads.keys].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: KROWS }, (_, i) => i + 1));
    // a repeat only for rows of the chunks the dead worker was reading (its threads' chunks)
    expect(reads.extraReads).toBeLessThanOrEqual(THREADS * KCHUNK);
    const stale = events.filter((e) => e.op === 'r' && e.after?.['label'] !== `k0-${String(e.after?.['id'])}`);
    expect(stale.slice(0, 3)).toEqual([]);
    await hosts.helper.process.restart();
  }, 240_000);
});
