import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * One writer per DuckDB file, across processes AND within one (DuckDB's own file lock is
 * per process: a second task in the same worker, e.g. in another task thread, could open
 * the file again and both would write it).
 *
 * Contract: `acquireFileLock(file, owner)` creates `<file>.lock` exclusively, holding
 * {pid, threadId, owner, token}, and touches it every HEARTBEAT_MS while held. A lock
 * file already there is taken over only when stale: its process is gone (kill -9), or it
 * was not touched for STALE_MS (its thread died without releasing it, or the pid was
 * reused). Otherwise DuckDbFileBusyError names the holder. `release` removes the file if
 * it is still ours; it never throws.
 */
const HEARTBEAT_MS = 2_000;
const STALE_MS = 15_000;

export class DuckDbFileBusyError extends Error {
  override readonly name = 'DuckDbFileBusyError';
}

export interface FileLock {
  release(): Promise<void>;
}

interface LockContent {
  readonly pid: number;
  readonly threadId: number;
  readonly owner: string;
  readonly token: string;
}

export async function acquireFileLock(file: string, owner: string): Promise<FileLock> {
  const lockFile = `${file}.lock`;
  const content: LockContent = { pid: process.pid, threadId, owner, token: randomUUID() };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockFile, JSON.stringify(content), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw err;
    }
    const holder = await readLock(lockFile);
    if (holder !== null && !(await isStale(lockFile, holder))) {
      throw new DuckDbFileBusyError(
        `DuckDB file ${file} is in use by ${holder.owner} (pid ${holder.pid}${holder.pid === process.pid ? ', this worker' : ''}): ` +
          'DuckDB allows one writer per file; give each connector its own duckdb.path (or stop the other one)',
      );
    }
    await fs.rm(lockFile, { force: true });
  }
  const timer = setInterval(() => {
    const now = new Date();
    void fs.utimes(lockFile, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      const current = await readLock(lockFile);
      if (current?.token === content.token) await fs.rm(lockFile, { force: true }).catch(() => undefined);
    },
  };
}

async function readLock(lockFile: string): Promise<LockContent | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(lockFile, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? (parsed as LockContent) : null;
  } catch {
    return null;
  }
}

async function isStale(lockFile: string, holder: LockContent): Promise<boolean> {
  if (!processAlive(holder.pid)) return true;
  try {
    return Date.now() - (await fs.stat(lockFile)).mtimeMs > STALE_MS;
  } catch {
    return true;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
