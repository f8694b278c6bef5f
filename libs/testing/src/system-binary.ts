import * as fs from 'node:fs';

/**
 * Absolute paths of the Debian-packaged programs the helpers run. Absolute because the
 * sbin directories are not in every user's PATH and other installs (pyenv, /usr/local)
 * may shadow the packaged ones. Falls back to the bare name (PATH lookup) when the
 * Debian path does not exist, so a missing package shows up as a spawn ENOENT naming it.
 */
export function systemBinary(debianPath: string): string {
  return fs.existsSync(debianPath) ? debianPath : debianPath.slice(debianPath.lastIndexOf('/') + 1);
}

export const MARIADBD = systemBinary('/usr/sbin/mariadbd');
export const MARIADB_INSTALL_DB = systemBinary('/usr/bin/mariadb-install-db');
export const ETCD = systemBinary('/usr/bin/etcd');
export const REDIS_SERVER = systemBinary('/usr/bin/redis-server');
export const MOSQUITTO = systemBinary('/usr/sbin/mosquitto');
export const RUNUSER = systemBinary('/usr/sbin/runuser');
