import * as fs from 'node:fs';
import * as path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { getFreePort } from './free-port';
import { launchEphemeralServer, type EphemeralServerControls, type PreparedServer } from './ephemeral-server';
import { runChecked } from './run-command';
import { MARIADB_INSTALL_DB, MARIADBD } from './system-binary';
import { isRoot } from './system-user';

export interface MariaDbOptions {
  /** Database created after startup (default "test"). */
  readonly database?: string;
  /** Extra mariadbd arguments (e.g. "--binlog-row-metadata=FULL"), appended last. */
  readonly extraArgs?: readonly string[];
  /** Keep the temporary directory (data, socket, binlogs) after stop and at exit. */
  readonly keepDataDir?: boolean;
  /** How long to wait for the server to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
}

/**
 * A private MariaDB server.
 *
 * Contracts: listens on 127.0.0.1:`port` and the unix socket `socketPath` only; `root`
 * logs in without a password (over TCP as root@127.0.0.1) and has every privilege,
 * including REPLICATION SLAVE/CLIENT; the binary log is on in ROW format with server_id 1
 * (what binlog CDC readers need); InnoDB flushes lazily (data is disposable).
 * `stop()` shuts down (SIGTERM), waits for exit and removes the temporary directory;
 * `kill()` SIGKILLs mariadbd, waits for exit and leaves the directory for a later `stop()`
 * or process exit to remove. Both are idempotent.
 */
export interface EphemeralMariaDb extends EphemeralServerControls {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** mysql://root@127.0.0.1:port/database */
  readonly connectionString: string;
  readonly dataDir: string;
  readonly socketPath: string;
}

/** Starts a MariaDB server on a free port with a fresh data directory. */
export async function startMariaDb(opts: MariaDbOptions = {}): Promise<EphemeralMariaDb> {
  const host = '127.0.0.1';
  const user = 'root';
  const password = '';
  const database = opts.database ?? 'test';
  // mariadbd refuses to run as root unless told to explicitly.
  const asRoot = isRoot() ? ['--user=root'] : [];
  let port = 0;
  const prepare = async (dir: string): Promise<PreparedServer> => {
    const dataDir = path.join(dir, 'data');
    // A private temp dir: bootstrap and server otherwise put `#sql-temptable-*` files in the
    // shared /tmp, where a concurrent cleanup can remove them and abort mariadb-install-db.
    const tmpDir = path.join(dir, 'tmp');
    fs.mkdirSync(tmpDir);
    await runChecked(
      MARIADB_INSTALL_DB,
      ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot],
      { cwd: dir, timeoutMs: 60_000, env: { TMPDIR: tmpDir } },
    );
    port = await getFreePort(host);
    const args = [
      '--no-defaults', // must come first
      `--datadir=${dataDir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--tmpdir=${tmpDir}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--port=${port}`,
      `--bind-address=${host}`,
      '--skip-name-resolve',
      '--log-bin=mysql-bin',
      '--binlog-format=ROW',
      '--server-id=1',
      '--innodb-flush-log-at-trx-commit=2',
      '--innodb-buffer-pool-size=64M',
      '--sync-binlog=0',
      ...asRoot,
      ...(opts.extraArgs ?? []),
    ];
    return {
      name: 'mariadbd',
      command: MARIADBD,
      args,
      cwd: dir,
      description: `mariadbd on ${host}:${port}`,
      probe: () => createDatabaseIfMissing(host, port, user, password, database),
    };
  };
  return launchEphemeralServer(
    {
      tempPrefix: 'millrace-mariadb-',
      keepDataDir: opts.keepDataDir,
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
      probeIntervalMs: 100,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 30_000,
      prepare,
    },
    (dir) => ({
      host,
      port,
      user,
      password,
      database,
      connectionString: `mysql://${user}@${host}:${port}/${encodeURIComponent(database)}`,
      dataDir: path.join(dir, 'data'),
      socketPath: path.join(dir, 'mysqld.sock'),
    }),
  );
}

async function createDatabaseIfMissing(host: string, port: number, user: string, password: string, database: string): Promise<void> {
  const conn = await createConnection({ host, port, user, password, connectTimeout: 2000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\``);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
