import * as fs from 'node:fs';
import * as os from 'node:os';
import IORedis from 'ioredis';
import { prng, seedFrom, startBroker, startPostgres, startRedis, type BrokerProcess, type EphemeralPostgres, type EphemeralRedis } from '@millrace/testing';
import { Client } from 'pg';
import { readCdcTopic, snapshotReadDuplicates, type CdcEvent } from './support/cdc-topic';
import { freezeWhen, inChunk, stillLocked, type ChunkQueueView } from './support/chunk-queue-redis';
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
 *
 * Then a second snapshot, and the worker running task 1 is killed -9 while it holds chunks,
 * by construction rather than timing: its process is frozen (SIGSTOP) at a moment Redis
 * shows it holding a locked chunk with rows of it already in Kafka (the job's progress)
 * and other chunks still waiting (checked again once frozen; else it is let go and caught
 * again). While it is frozen the queue cannot drain, so task 0 cannot finish the snapshot;
 * it is then SIGKILLed and its locks are checked to be still there (the kill landed
 * mid-snapshot, before any takeover). Rows inside its chunks are updated before the locks
 * expire (10 s here); the surviving worker redoes the chunks after the expiry. Checked:
 * every row read; a row read twice only inside the dead worker's chunks (a key-order
 * prefix of each, at most threads x chunk rows); every `r` value is the consistent
 * point's; the updates stream; the topic folded by key equals the table.
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
  let redisClient: IORedis | undefined;

  beforeAll(async () => {
    [broker, pg, redis] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPostgres(), startRedis()]);
    registryUrl = `http://${broker.host}:${broker.httpPort}`;
    // a killed worker's chunk locks expire after 10 s (30 s by default); shorter, a live worker's event loop stalled by a
    // loaded machine can miss its lock renewal (every half lock), and its chunk is then read twice with no one dead
    workers = await startConnectCluster(broker.bootstrap, 2, { REDIS_URL: redis.url, MILLRACE_REGISTRY_URL: registryUrl, MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_SNAPSHOT_CHUNK_LOCK_MS: '10000' });
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    await db.query('CREATE TABLE parts (id INT PRIMARY KEY, label TEXT NOT NULL, qty INT NOT NULL)');
    await db.query(`INSERT INTO parts SELECT g, 'v0-' || g, g % 97 FROM generate_series(1, ${ROWS}) g`);
    await db.query('ANALYZE parts');
  }, 120_000);

  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, logs());
    await db?.end();
    redisClient?.disconnect();
    for (const w of workers ?? []) await w.process.stop().catch(() => undefined);
    await Promise.all([broker?.stop(), pg?.stop(), redis?.stop()]);
  });

  const logs = (): string => (workers ?? []).map((w) => w.process.logs()).join('\n');

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

  test('the worker of task 1 frozen while it holds chunks, then killed -9: the other worker redoes them at the consistent point, every row read, repeats only inside them', async () => {
    const random = prng(seedFrom('MILLRACE_SHARED_SNAPSHOT_KILL_SEED', 'postgres-cdc shared snapshot: kill'));
    const KROWS = 30_000;
    const KCHUNK = 1_000;
    const THREADS = 2;
    const queueName = 'snapshot-shk-shared_kill_slot';
    const completions = (): number => logs().split('postgres-cdc: snapshot completed').length - 1;
    const completedBefore = completions();
    await db.query('CREATE TABLE kparts (id INT PRIMARY KEY, label TEXT NOT NULL)');
    await db.query(`INSERT INTO kparts SELECT g, 'k0-' || g FROM generate_series(1, ${KROWS}) g`);
    await db.query('ANALYZE kparts');
    const redisView = new IORedis(redis.url, { maxRetriesPerRequest: 3 });
    redisClient = redisView;
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
        'snapshot.fetch.size': '250',
      },
    });
    expect(res.status).toBe(201);
    // task 0's worker logs the slot; the other one runs task 1 (Redis shows which process took which chunk)
    const owner = await waitFor('the slot is created', async () => workers.find((w) => /shared_kill_slot.{0,2}" created at/.test(w.process.logs())), 60_000);
    const helper = workers.find((w) => w !== owner) as ClusterWorker;
    const helperPid = helper.process.pid as number;
    const helperName = `${os.hostname()}:${helperPid}`;
    // changes after the consistent point: no `r` record may show them
    const before = [...new Set(Array.from({ length: 50 }, () => 1 + Math.floor(random() * KROWS)))];
    await db.query(`UPDATE kparts SET label = 'k1-' || id WHERE id = ANY($1::int[])`, [before]);

    // freeze the helper once it finished a seeded number of chunks and holds one with rows already in Kafka
    // (its job's progress: the redo repeats them), others still waiting
    const finishedFirst = 1 + Math.floor(random() * 3);
    const partlyDurable = (v: ChunkQueueView): boolean => v.held.some((c) => c.progress > 0);
    const { view: frozen, tries } = await freezeWhen(redisView, queueName, helperPid, helperName, (v) => v.completedBy >= finishedFirst && partlyDurable(v) && v.waiting > 0, 60_000);
    await helper.process.kill();
    const killedAt = Date.now();
    const held = frozen.held;
    const lockedAtKill = await stillLocked(redisView, queueName, held);
    const completedAtKill = completions();
    // rows of the dead worker's chunks change before anyone can redo them: the redo must still read the consistent point
    const inside = held.flatMap((c) => {
      const lo = c.lo === null ? 1 : Number(c.lo[0]) + 1;
      const hi = c.hi === null ? KROWS : Number(c.hi[0]);
      return Array.from({ length: 5 }, () => lo + Math.floor(random() * (hi - lo + 1)));
    });
    await db.query(`UPDATE kparts SET label = 'k2-' || id WHERE id = ANY($1::int[])`, [inside]);
    const lockedAfterUpdate = await stillLocked(redisView, queueName, held);
    const readAtKill = (await readCdcTopic(broker.bootstrap, registryUrl, 'shk.public.kparts')).filter((e) => e.op === 'r').length;

    // every row read, and the updates made after the consistent point streamed
    const updated = new Set([...before, ...inside]);
    let events: CdcEvent[] = [];
    let allReadMs = -1;
    await waitFor('every row read and the updates streamed', async () => {
      events = await readCdcTopic(broker.bootstrap, registryUrl, 'shk.public.kparts');
      if (allReadMs < 0 && snapshotReadDuplicates(events, (e) => String(e.after?.['id'])).keys.size === KROWS) allReadMs = Date.now() - killedAt;
      const streamed = new Set(events.filter((e) => e.op === 'u').map((e) => Number(e.after?.['id'])));
      return (allReadMs >= 0 && [...updated].every((id) => streamed.has(id))) || undefined;
    }, 90_000);
    const streamedMs = Date.now() - killedAt;
    const reads = snapshotReadDuplicates(events, (e) => String(e.after?.['id']));
    const counts = new Map<number, number>();
    for (const e of events) if (e.op === 'r') counts.set(Number(e.after?.['id']), (counts.get(Number(e.after?.['id'])) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const repeatsPerChunk = held.map((c) => repeated.filter((id) => inChunk(c, id)).sort((a, b) => a - b));
    process.stdout.write(
      `postgres-cdc shared snapshot kill: task 1's worker frozen (try ${tries}) after ${frozen.completedBy} chunk(s) of its own (seeded ${finishedFirst}), holding ${held.map((c, i) => `${c.jobId} (${c.progress} rows in Kafka, ${repeatsPerChunk[i].length} repeated)`).join(', ')}, ${frozen.waiting} chunk(s) waiting; ` +
        `${readAtKill} of ${KROWS} rows read at the kill; every row read ${allReadMs} ms after it, the updates streamed after ${streamedMs} ms; ${reads.reads} r records (${reads.extraReads} repeated)\n`,
    );
    // the precondition: the kill landed mid-snapshot (chunks of the dead worker still locked to it, so the queue could not drain; task 0 had not finished)
    expect(partlyDurable(frozen)).toBe(true);
    expect(frozen.waiting).toBeGreaterThan(0);
    expect(lockedAtKill).toEqual(held.map((c) => c.jobId));
    expect(lockedAfterUpdate).toEqual(held.map((c) => c.jobId));
    expect(completedAtKill).toBe(completedBefore);
    expect(readAtKill).toBeLessThan(KROWS);
    // every row read, at the consistent point; a repeat only inside the chunks the dead worker held
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: KROWS }, (_, i) => i + 1));
    expect(repeated.filter((id) => !held.some((c) => inChunk(c, id)))).toEqual([]);
    // and within each such chunk the rows the dead worker had in Kafka: a prefix of it in key order
    for (const [i, ids] of repeatsPerChunk.entries()) {
      const first = held[i].lo === null ? 1 : Number((held[i].lo as readonly string[])[0]) + 1;
      expect(ids).toEqual(Array.from({ length: ids.length }, (_, j) => first + j));
    }
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
    expect(reads.extraReads).toBeLessThanOrEqual(THREADS * KCHUNK);
    const stale = events.filter((e) => e.op === 'r' && e.after?.['label'] !== `k0-${String(e.after?.['id'])}`);
    expect(stale.slice(0, 3)).toEqual([]);
    // the topic folded by key equals the table
    const folded = new Map<number, string>();
    for (const e of events) if (e.after) folded.set(Number(e.after['id']), String(e.after['label']));
    const table = new Map((await db.query<{ id: number; label: string }>('SELECT id, label FROM kparts')).rows.map((r) => [r.id, r.label]));
    expect(folded).toEqual(table);
  }, 150_000);
});
