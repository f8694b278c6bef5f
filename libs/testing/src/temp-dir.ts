import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerExitCleanup } from './exit-cleanup';

/**
 * A directory created under os.tmpdir() for one server.
 *
 * Contract: `remove()` deletes the directory recursively and is idempotent; unless
 * `keep` was requested, the directory is also removed when the process exits without
 * `remove()` having been called. With `keep`, nothing ever deletes it.
 */
export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix: string, opts: { keep?: boolean } = {}): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const removeNow = (): void => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const unregister = opts.keep ? () => undefined : registerExitCleanup('remove', removeNow);
  let removed = false;
  return {
    path: dir,
    remove(): void {
      if (removed || opts.keep) return;
      removed = true;
      unregister();
      removeNow();
    },
  };
}

/** Recursively hands `dir` and everything below it to uid:gid (used when running as root). */
export function chownRecursive(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(child, uid, gid);
    else fs.lchownSync(child, uid, gid);
  }
}
