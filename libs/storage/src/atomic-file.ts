import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STORAGE_IO, StorageIo, syncDirectory } from './storage-io';

/**
 * Replaces `file` with `data` so that a crash at any moment leaves either the old
 * content or the new one, never a mix or an empty file:
 *
 *   1. write `<file>.tmp` (truncated first) and fsync it (`io.sync`);
 *   2. rename it over `file` (atomic on POSIX filesystems);
 *   3. fsync the directory so the rename itself is durable (best effort: some
 *      filesystems refuse a directory fsync, see syncDirectory).
 *
 * The directory must exist. Concurrent writers of the same file must be serialized by
 * the caller (they share the `.tmp` name).
 */
export async function writeFileAtomically(file: string, data: string | Buffer, io: StorageIo = DEFAULT_STORAGE_IO): Promise<void> {
  const tmp = file + '.tmp';
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await io.sync(handle);
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  await syncDirectory(path.dirname(file));
}

/** writeFileAtomically of `JSON.stringify(value, null, 1)`: one key per line, readable and diffable. */
export function writeJsonAtomically(file: string, value: unknown, io: StorageIo = DEFAULT_STORAGE_IO): Promise<void> {
  return writeFileAtomically(file, JSON.stringify(value, null, 1), io);
}
