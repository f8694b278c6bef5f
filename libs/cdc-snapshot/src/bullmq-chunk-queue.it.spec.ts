import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import IORedis from 'ioredis';
import { findRepoRoot, startRedis, type EphemeralRedis } from '@millrace/testing';
import { BullMqChunkQueue } from './bullmq-chunk-queue';

/**
 * The BullMQ chunk queue on a real Redis: two workers share the chunks of one queue,
 * retries, and a worker killed -9 mid-chunk whose chunks the other one redoes (stalled
 * jobs). The killed worker is a separate node process running the compiled library
 * (dist/, as the connect worker would).
 */
describe('BullMqChunkQueue (Redis)', () => {
  let redis: EphemeralRedis;
  const open: BullMqChunkQueue<unknown>[] = [];
  const queue = <T>(name: string, extra: Partial<ConstructorParameters<typeof BullMqChunkQueue>[0]> = {}): BullMqChunkQueue<T> => {
    const q = new BullMqChunkQueue<T>({ redisUrl: redis.url, name, pollMs: 50, ...extra });
    open.push(q as BullMqChunkQueue<unknown>);
    return q;
  };

  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  afterAll(async () => {
    await redis?.stop();
  });

  test('two workers share the chunks of one queue; the same plan added by both runs each chunk once', async () => {
    const ran = new Map<string, string>();
    const jobs = Array.from({ length: 16 }, (_, i) => ({ id: `public.t#${i}`, data: i }));
    const workers = ['a', 'b'].map((name) => {
      const q = queue<number>('shared', { workerName: `worker-${name}` });
      q.process(async (job) => {
        if (ran.has(job.id)) throw new Error(`${job.id} ran twice`);
        ran.set(job.id, name);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }, { concurrency: 2 });
      q.add(jobs);
      return q;
    });
    await Promise.all(workers.map((w) => w.drained()));
    expect([...ran.keys()].sort()).toEqual(jobs.map((j) => j.id).sort());
    const byA = [...ran.values()].filter((w) => w === 'a').length;
    expect(byA).toBeGreaterThan(0);
    expect(byA).toBeLessThan(jobs.length);
    expect(workers[0].stats()).toMatchObject({ waiting: 0, active: 0, completed: 16, failed: 0 });
    // each job names the worker that ran it (BullMQ's processedBy, "pb" in the job's hash)
    const client = new IORedis(redis.url);
    try {
      const names = await Promise.all(jobs.map((j) => client.hget(`millrace:shared:${j.id}`, 'pb')));
      expect(names).toEqual(jobs.map((j) => `worker-${ran.get(j.id) as string}`));
    } finally {
      client.disconnect();
    }
  }, 30_000);

  test('without a workerName a job names the process that ran it: <hostname>:<pid>', async () => {
    const q = queue<number>('named');
    q.process(async () => undefined);
    q.add([{ id: 'public.n#0', data: 0 }]);
    await q.drained();
    const client = new IORedis(redis.url);
    try {
      expect(await client.hget('millrace:named:public.n#0', 'pb')).toBe(`${os.hostname()}:${process.pid}`);
    } finally {
      client.disconnect();
    }
  }, 30_000);

  test('a failing attempt is retried; a chunk failing every attempt fails drained() with its reason', async () => {
    const attempts: string[] = [];
    const q = queue<string>('retries');
    q.process(async (job, ctx) => {
      attempts.push(`${job.id}:${ctx.attempt}`);
      if (job.id === 'flaky' && ctx.attempt < 2) throw new Error('transient');
      if (job.id === 'broken') throw new Error('permanent: column x is gone');
    }, { attempts: 2, backoffMs: 10 });
    q.add([{ id: 'flaky', data: 'x' }]);
    await q.drained();
    expect(attempts).toEqual(['flaky:1', 'flaky:2']);
    q.add([{ id: 'broken', data: 'y' }]);
    await expect(q.drained()).rejects.toThrow('permanent: column x is gone');
  }, 30_000);

  test('a worker killed -9 mid-chunk: the other worker redoes its chunks (stalled-job detection)', async () => {
    const name = 'killed';
    const lock = { lockDurationMs: 1500, stalledIntervalMs: 500 };
    // the doomed worker: takes two chunks and never finishes them
    const script = `
      const { BullMqChunkQueue } = require('@millrace/cdc-snapshot');
      const q = new BullMqChunkQueue({ redisUrl: process.env.REDIS_URL, name: ${JSON.stringify(name)}, lockDurationMs: ${lock.lockDurationMs}, stalledIntervalMs: ${lock.stalledIntervalMs} });
      q.process(async (job) => { process.stdout.write('started ' + job.id + '\\n'); await new Promise(() => undefined); }, { concurrency: 2 });
    `;
    const root = findRepoRoot();
    const child: ChildProcess = spawn(process.execPath, ['-r', path.join(root, 'scripts', 'register-paths.js'), '-e', script], { cwd: root, env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const adder = queue<number>(name, lock);
      adder.add(Array.from({ length: 6 }, (_, i) => ({ id: `public.k#${i}`, data: i })));
      const deadline = Date.now() + 20_000;
      while ((out.match(/started/g) ?? []).length < 2) {
        if (Date.now() > deadline) throw new Error(`the child worker took no chunks: ${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const taken = [...out.matchAll(/started (\S+)/g)].map((m) => m[1]);
      child.kill('SIGKILL');

      const done: string[] = [];
      const survivor = queue<number>(name, lock);
      const t0 = Date.now();
      survivor.process(async (job) => {
        done.push(job.id);
      }, { concurrency: 2 });
      await survivor.drained();
      process.stdout.write(`bullmq chunk queue: the killed worker held ${taken.join(', ')}; the survivor redid them ${Date.now() - t0} ms later\n`);
      expect(done.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `public.k#${i}`));
      for (const id of taken) expect(done).toContain(id);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
