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
 * source table at the end.
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
    workers = await startConnectCluster(broker.bootstrap, 2, { REDIS_URL: redis.url, MILLRACE_REGISTRY_URL: registryUrl, MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' });
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

  async function chunksDone(worker: ClusterWorker, task: number): Promise<number> {
    const text = await (await fetch(`${worker.process.url}/metrics`)).text();
    const m = new RegExp(`^millrace_snapshot_chunks_done\\{connector="shared",task="${task}",table="public.parts"\\} (\\d+)`, 'm').exec(text);
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
    // task 0's status lines carry every task's chunk count of the plan, never below its own
    // (how far apart the two get depends on the machine's speed: chunked-snapshot.spec checks the count itself)
    for (const t of traces) {
      expect(t.chunks).toBe(ROWS / CHUNK_ROWS);
      expect(t.all).toBeGreaterThanOrEqual(t.own);
    }
    const reads = snapshotReadDuplicates(events, (e) => String(e.after?.['id']));
    expect(reads.duplicateKeys).toBe(0);
    expect(reads.reads).toBe(ROWS);
    // every r shows the row as at the consistent point, whichever worker read it
    const stale = events.filter((e) => e.op === 'r' && (Number(e.after?.['id']) > ROWS || e.after?.['label'] !== `v0-${String(e.after?.['id'])}`));
    expect(stale.slice(0, 3)).toEqual([]);
  }, 180_000);
});
