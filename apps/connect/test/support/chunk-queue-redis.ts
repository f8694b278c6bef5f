import type IORedis from 'ioredis';

/**
 * What Redis shows of a CDC snapshot's chunk queue (BullMqChunkQueue: BullMQ, key prefix
 * "millrace"), for the tests that stop a connect worker while it holds chunks.
 *
 * Keys read (BullMQ's layout): `<p>:<queue>:active|wait` (lists), `:prioritized|delayed|
 * completed` (sorted sets), the job hash `<p>:<queue>:<jobId>` (`pb`: the name of the
 * process that took it, BullMqChunkQueue's `<hostname>:<pid>`; `data`: the chunk job as
 * JSON; `progress`: its rows in Kafka, SharedChunkWorker's) and its lock `<p>:<queue>:<jobId>:lock` (the holder's token, gone once the holder
 * stopped renewing it for the lock time).
 */
export interface HeldChunk {
  readonly jobId: string;
  /** The lock's token: the same value later means the same holder still has it. */
  readonly token: string;
  /** The chunk's key range, `lo` exclusive and `hi` inclusive (null: unbounded). */
  readonly lo: readonly string[] | null;
  readonly hi: readonly string[] | null;
  /** Its rows its holder had in Kafka (the job's progress; 0 when none reported). */
  readonly progress: number;
}

export interface ChunkQueueView {
  /** Active chunks taken by `worker` whose lock is present. */
  readonly held: readonly HeldChunk[];
  /** Chunks no worker has taken yet (waiting, prioritized or delayed). */
  readonly waiting: number;
  /** Completed chunks taken by `worker`. */
  readonly completedBy: number;
}

const PREFIX = 'millrace';

/** The queue as `worker` (a BullMQ processedBy name) sees it. */
export async function viewChunkQueue(redis: IORedis, queue: string, worker: string): Promise<ChunkQueueView> {
  const base = `${PREFIX}:${queue}`;
  const [active, wait, prioritized, delayed, completed] = await Promise.all([
    redis.lrange(`${base}:active`, 0, -1),
    redis.llen(`${base}:wait`),
    redis.zcard(`${base}:prioritized`),
    redis.zcard(`${base}:delayed`),
    redis.zrange(`${base}:completed`, 0, -1),
  ]);
  const byWorker = async (ids: readonly string[]): Promise<string[]> => {
    const names = await Promise.all(ids.map((id) => redis.hget(`${base}:${id}`, 'pb')));
    return ids.filter((_, i) => names[i] === worker);
  };
  const held: HeldChunk[] = [];
  for (const jobId of await byWorker(active)) {
    const [token, fields] = await Promise.all([redis.get(`${base}:${jobId}:lock`), redis.hmget(`${base}:${jobId}`, 'data', 'progress')]);
    const [data, progress] = fields;
    if (token === null || data === null) continue;
    const chunk = (JSON.parse(data) as { chunk: { lo: string[] | null; hi: string[] | null } }).chunk;
    held.push({ jobId, token, lo: chunk.lo, hi: chunk.hi, progress: Number(progress ?? 0) || 0 });
  }
  return { held, waiting: wait + prioritized + delayed, completedBy: (await byWorker(completed)).length };
}

/** The chunks of `held` whose lock still has the same token. */
export async function stillLocked(redis: IORedis, queue: string, held: readonly HeldChunk[]): Promise<string[]> {
  const tokens = await Promise.all(held.map((h) => redis.get(`${PREFIX}:${queue}:${h.jobId}:lock`)));
  return held.filter((h, i) => tokens[i] === h.token).map((h) => h.jobId);
}

/** Whether the single integer key `id` lies in chunk `c`'s range. */
export function inChunk(c: Pick<HeldChunk, 'lo' | 'hi'>, id: number): boolean {
  return (c.lo === null || id > Number(c.lo[0])) && (c.hi === null || id <= Number(c.hi[0]));
}

/**
 * Freezes process `pid` (SIGSTOP) at a moment Redis shows `ready` of it as the BullMQ
 * worker `worker`: checked again once it is stopped (it may have moved on between the
 * look and the signal), else it is let go (SIGCONT) and watched again. Throws after
 * `timeoutMs` without such a moment. Returns the view taken while it is stopped and how
 * many stops it took; the caller kills or resumes it.
 */
export async function freezeWhen(redis: IORedis, queue: string, pid: number, worker: string, ready: (view: ChunkQueueView) => boolean, timeoutMs: number): Promise<{ view: ChunkQueueView; tries: number }> {
  const deadline = Date.now() + timeoutMs;
  let tries = 0;
  for (;;) {
    const seen = await viewChunkQueue(redis, queue, worker);
    if (ready(seen)) {
      tries++;
      process.kill(pid, 'SIGSTOP');
      const stopped = await viewChunkQueue(redis, queue, worker);
      if (ready(stopped)) return { view: stopped, tries };
      process.kill(pid, 'SIGCONT');
    } else if (Date.now() > deadline) {
      throw new Error(`process ${worker} was never seen as wanted in ${timeoutMs} ms (${tries} stop(s)); last: ${JSON.stringify(seen)}`);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
