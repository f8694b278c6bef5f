import { execFileSync } from 'node:child_process';

/** Numeric identity of a system account. */
export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** True when this process runs as root (uid 0). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Looks a system account up through NSS (`getent passwd NAME`). Throws naming the account
 * when it does not exist.
 */
export function lookupSystemUser(name: string): SystemUser {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`system user "${name}" does not exist`);
  }
  const fields = line.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`unexpected passwd entry for ${name}: ${line}`);
  return { name, uid, gid };
}
