import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { getFreePort } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls, type PreparedServer } from './ephemeral-server';
import { runChecked } from './run-command';
import { RUNUSER } from './system-binary';
import { isRoot, lookupSystemUser, type SystemUser } from './system-user';
import { chownRecursive } from './temp-dir';

const PG_ROOT = '/usr/lib/postgresql';

export interface PostgresOptions {
  /** Database created after startup (default "test"); "postgres" always exists too. */
  readonly database?: string;
  /** Extra server settings, passed as `-c key=value` after (and overriding) the defaults. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** Directory holding initdb/postgres; defaults to the highest /usr/lib/postgresql/<ver>/bin. */
  readonly binDir?: string;
  /** Keep the temporary directory (data + socket) after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for the server to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
}

/**
 * A private PostgreSQL server.
 *
 * Contracts: listens on 127.0.0.1:`port` and on a unix socket in `socketDir` only; the
 * superuser `user` ("postgres") needs no password (trust auth, including replication
 * connections); wal_level=logical with 10 replication slots and WAL senders; fsync off
 * (data is disposable). `stop()` does a fast shutdown (SIGINT); `kill()` SIGKILLs the
 * postmaster (see EphemeralServerControls).
 */
export interface EphemeralPostgres extends EphemeralServerControls {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** postgres://user@127.0.0.1:port/database */
  readonly connectionString: string;
  readonly dataDir: string;
  readonly socketDir: string;
}

/** The bin directory of the highest installed PostgreSQL major version. */
export function findPostgresBinDir(): string {
  const versions = fs.existsSync(PG_ROOT)
    ? fs
        .readdirSync(PG_ROOT)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && fs.existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`no PostgreSQL server under ${PG_ROOT}/<version>/bin; run scripts/ensure-test-deps.sh`);
  }
  return path.join(PG_ROOT, versions[0], 'bin');
}

/** Starts a PostgreSQL server on a free port with a fresh data directory. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<EphemeralPostgres> {
  const binDir = opts.binDir ?? findPostgresBinDir();
  const host = '127.0.0.1';
  const user = 'postgres';
  const database = opts.database ?? 'test';
  // Postgres refuses to run as root: hand everything to the postgres account then.
  const runAs: SystemUser | undefined = isRoot() ? lookupSystemUser('postgres') : undefined;
  let port = 0;
  const prepare = async (dir: string): Promise<PreparedServer> => {
    const dataDir = path.join(dir, 'data');
    const socketDir = path.join(dir, 'sock');
    fs.mkdirSync(socketDir);
    if (runAs) chownRecursive(dir, runAs.uid, runAs.gid);

    const initdb = path.join(binDir, 'initdb');
    const initArgs = ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
    if (runAs) await runChecked(RUNUSER, ['-u', runAs.name, '--', initdb, ...initArgs], { cwd: dir, timeoutMs: 60_000 });
    else await runChecked(initdb, initArgs, { cwd: dir, timeoutMs: 60_000 });

    port = await getFreePort(host);
    const settings: Record<string, string | number> = {
      listen_addresses: host,
      unix_socket_directories: socketDir,
      wal_level: 'logical',
      max_replication_slots: 10,
      max_wal_senders: 10,
      fsync: 'off', // disposable data; commits still "flush" (cheaply), so logical
      // decoding sees them at once (synchronous_commit=off would delay it)
      full_page_writes: 'off',
      max_connections: 50,
      shared_buffers: '32MB',
      ...opts.settings,
    };
    const args = ['-D', dataDir, '-p', String(port)];
    for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
    // Exec'd directly under the postgres uid (not via runuser, which would stay as a
    // parent process) so that the pid we signal is the postmaster itself.
    return {
      name: 'postgres',
      command: path.join(binDir, 'postgres'),
      args,
      cwd: dir,
      uid: runAs?.uid,
      gid: runAs?.gid,
      env: { ...process.env, LC_ALL: 'C' },
      description: `postgres on ${host}:${port}`,
      probe: () => createDatabaseIfMissing(host, port, user, database),
    };
  };
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-pg-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
      probeIntervalMs: 100,
      stopSignal: 'SIGINT',
      prepare,
    },
    (dir) => ({
      host,
      port,
      user,
      database,
      connectionString: `postgres://${user}@${host}:${port}/${encodeURIComponent(database)}`,
      dataDir: path.join(dir, 'data'),
      socketDir: path.join(dir, 'sock'),
    }),
  );
}

/** Connects to the `postgres` database and creates `database` unless it exists. */
async function createDatabaseIfMissing(host: string, port: number, user: string, database: string): Promise<void> {
  const client = new Client({ host, port, user, database: 'postgres', connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    if (database !== 'postgres') {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
