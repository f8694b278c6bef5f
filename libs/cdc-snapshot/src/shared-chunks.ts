import type { ConnectorLogger } from '@millrace/connect-sdk';
import { BullMqChunkQueue } from './bullmq-chunk-queue';
import type { PendingChunk } from './snapshot-state';

/**
 * A snapshot's chunks shared by the tasks of a connector across a connect cluster
 * (BullMQ on Redis). Task 0 plans the snapshot and adds the chunk jobs with a
 * `SharedSnapshotInfo` (what another task needs to read a chunk the same way: e.g.
 * Postgres' exported snapshot name and the slot's consistent point); the other tasks
 * run a SharedChunkWorker on the same queue.
 *
 * Contracts:
 * - `run` names one snapshot run (e.g. the slot's consistent point): the chunks a helper
 *   task recorded in its offsets count for task 0 only under the same run.
 * - A helper's offset (its own source partition) is `{...base, run, chunks_done: [ids]}`:
 *   the chunks whose every record is in Kafka with that offset. `sharedChunksDone` reads
 *   those offsets back for task 0 when it resumes a snapshot.
 */
export interface SharedSnapshotInfo {
  readonly run: string;
  /** Connector-specific fields a helper needs to read a chunk (JSON). */
  readonly context: Readonly<Record<string, unknown>>;
  /** Per table: estimated rows and chunks of the whole plan (for the helpers' progress). */
  readonly totals: Readonly<Record<string, { readonly rows: number; readonly chunks: number }>>;
}

/** A chunk job on a shared queue. */
export interface SharedChunkJob extends PendingChunk {
  readonly shared?: SharedSnapshotInfo;
}

/** The chunk ids done by helper tasks under `run`, from their stored offsets (null: none stored). */
export function sharedChunksDone(offsets: readonly (Readonly<Record<string, unknown>> | null)[], run: string): Set<string> {
  const out = new Set<string>();
  for (const o of offsets) {
    if (o === null || o['run'] !== run || !Array.isArray(o['chunks_done'])) continue;
    for (const id of o['chunks_done']) if (typeof id === 'string') out.add(id);
  }
  return out;
}

/** The chunk ids of a helper's stored offset (empty when none). */
export function storedChunksDone(offset: Readonly<Record<string, unknown>> | null): { run: string | null; done: string[] } {
  if (offset === null || typeof offset['run'] !== 'string' || !Array.isArray(offset['chunks_done'])) return { run: null, done: [] };
  return { run: offset['run'], done: offset['chunks_done'].filter((x): x is string => typeof x === 'string') };
}

/** The Redis URL of a snapshot's chunk queue: the connector's setting, else the worker's REDIS_URL; null: in-process. */
export function chunkQueueRedisUrl(configured: string | null): string | null {
  return configured ?? (process.env.REDIS_URL || null);
}

/**
 * How long a chunk stays locked to a worker that stopped renewing it (kill -9, a frozen
 * process) before another worker redoes it: the worker's MILLRACE_SNAPSHOT_CHUNK_LOCK_MS
 * (default 30000, at least 1000). A bad value stops the task with a message naming it.
 */
export function chunkLockMs(): number {
  const raw = process.env.MILLRACE_SNAPSHOT_CHUNK_LOCK_MS;
  if (raw === undefined || raw === '') return 30_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1000) throw new Error(`MILLRACE_SNAPSHOT_CHUNK_LOCK_MS must be an integer number of milliseconds >= 1000, got "${raw}"`);
  return ms;
}

/**
 * Opens the BullMQ chunk queue `name` on Redis, checking within 15 s that Redis answers
 * (ioredis retries for ever). `obliterate`: empties it first (task 0 starting a snapshot:
 * the offsets, not Redis, say which chunks are done). The error never holds the URL.
 */
export async function openRedisChunkQueue<T = PendingChunk>(url: string, name: string, options: { readonly obliterate: boolean; readonly logger: ConnectorLogger; /** Log prefix, e.g. "postgres-cdc: snapshot". */ readonly what: string }): Promise<BullMqChunkQueue<T>> {
  const queue = new BullMqChunkQueue<T>({ redisUrl: url, name, lockDurationMs: chunkLockMs() });
  let timer: NodeJS.Timeout | undefined;
  try {
    const check = options.obliterate ? queue.obliterate() : queue.ping();
    await Promise.race([check, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer in 15 s')), 15_000)))]);
  } catch (err) {
    await queue.close();
    throw new Error(`the snapshot's chunk queue on Redis (snapshot.queue.redis.url or REDIS_URL) is unreachable: ${queue.error ?? (err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  options.logger.info(`${options.what} chunks run through the BullMQ queue "${name}" on Redis`);
  return queue;
}
