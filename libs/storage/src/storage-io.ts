import { promises as fsp, readSync, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * The I/O seams storage goes through for durability. Production uses `DEFAULT_STORAGE_IO`
 * (fdatasync, which also persists the file size, so data written before it can be read
 * back after a crash); tests inject a wrapper to count or delay fsyncs.
 */
export interface StorageIo {
  /** Makes every byte written through `handle` durable. */
  sync(handle: FileHandle): Promise<void>;
}

export const DEFAULT_STORAGE_IO: StorageIo = {
  sync: (handle) => handle.datasync(),
};

/** fsyncs a directory so renames/creations/unlinks in it are durable (Linux semantics). */
export async function syncDirectory(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
  } catch {
    // Some platforms/filesystems refuse fsync on directories; best effort, as Kafka.
  } finally {
    await h?.close();
  }
}

/** Opens `file` for positional reads and writes, creating it when missing (never O_APPEND). */
export async function openReadWrite(file: string): Promise<FileHandle> {
  try {
    return await fsp.open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return fsp.open(file, 'w+');
  }
}

/**
 * Reads and writes up to this many bytes run synchronously on the calling thread; larger
 * ones go through libuv's thread pool. A small pread/pwritev against the page cache
 * costs a few microseconds, while the thread-pool round trip (queue, worker wake-up,
 * completion wake-up of the event loop, promise) costs several times that: it was the
 * largest avoidable cost of a one-record produce and of the fetch it wakes. Large
 * transfers keep the pool, so copying megabytes never stalls the event loop.
 */
export const SYNC_IO_MAX_BYTES = 64 * 1024;

/** Reads exactly `length` bytes at `position` (fewer only at end of file); see SYNC_IO_MAX_BYTES. */
export async function readFully(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  if (length <= SYNC_IO_MAX_BYTES) {
    while (done < length) {
      const n = readSync(handle.fd, buf, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Writes all of `buffers` at `position` with writev, looping over short writes; see SYNC_IO_MAX_BYTES. */
export async function writeFully(handle: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  let pos = position;
  let total = 0;
  for (const b of pending) total += b.length;
  const sync = total <= SYNC_IO_MAX_BYTES;
  while (pending.length > 0) {
    // IOV_MAX is 1024 on Linux; keep each writev under it.
    const chunk = pending.slice(0, 1024);
    const bytesWritten = sync ? writevSync(handle.fd, chunk, pos) : (await handle.writev(chunk, pos)).bytesWritten;
    pos += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of pending) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    pending = rest;
  }
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
