import type { Connection, RowDataPacket } from 'mysql2/promise';
import { mariaDbGtidAvailable } from './gtid-position';
import type { MySqlCdcConfig } from './mysql-cdc-config';

/**
 * Checks run when the connector and its task start, each failing with a PreflightError
 * whose message says what to change:
 * - the binary log is on, binlog_format=ROW, binlog_row_image=FULL (MINIMAL makes an
 *   absent column indistinguishable from NULL), binlog_row_metadata=FULL where the server
 *   has it (rows then decode with the table shape they were written with);
 * - database.server.id differs from the server's own server_id;
 * - the user holds REPLICATION SLAVE, REPLICATION CLIENT (MariaDB >= 10.5: BINLOG
 *   MONITOR), SELECT (global, or on each captured database) and, for
 *   snapshot.locking.mode=minimal with a snapshot to take, RELOAD (none takes no lock:
 *   no RELOAD);
 * - a stored binlog file is still on the server (`checkBinlogFilePresent`).
 */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export interface ServerFacts {
  readonly flavour: 'mysql' | 'mariadb';
  readonly version: string;
  readonly serverId: number;
}

async function one(db: Connection, sql: string): Promise<RowDataPacket> {
  const [rows] = await db.query<RowDataPacket[]>(sql);
  return rows[0] ?? {};
}

export async function checkServer(db: Connection, config: MySqlCdcConfig): Promise<ServerFacts> {
  const v = await one(db, `SELECT VERSION() AS version, @@GLOBAL.log_bin AS logBin, @@GLOBAL.binlog_format AS format, @@GLOBAL.binlog_row_image AS image, @@GLOBAL.server_id AS serverId`);
  const version = String(v.version);
  const flavour = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  if (Number(v.logBin) !== 1) {
    throw new PreflightError(`the binary log is off on ${config.hostname}:${config.port} (log_bin=OFF): changes cannot be read. Start the server with log_bin (e.g. log_bin=mysql-bin, binlog_format=ROW and a server_id in its config file), then restart the connector.`);
  }
  const format = String(v.format).toUpperCase();
  if (format !== 'ROW') {
    throw new PreflightError(`binlog_format is ${format} on ${config.hostname}:${config.port}; row changes can only be captured with ROW. Run SET GLOBAL binlog_format = 'ROW'; and set binlog_format=ROW in the server's config file, then restart the connector.`);
  }
  const image = String(v.image).toUpperCase();
  if (image !== 'FULL') {
    throw new PreflightError(`binlog_row_image is ${image} on ${config.hostname}:${config.port}; with it a column left out of a row event cannot be told from NULL. Run SET GLOBAL binlog_row_image = 'FULL'; and set binlog_row_image=FULL in the server's config file, then restart the connector.`);
  }
  const [meta] = await db.query<RowDataPacket[]>(`SHOW GLOBAL VARIABLES LIKE 'binlog_row_metadata'`);
  if (meta.length > 0 && String(meta[0].Value).toUpperCase() !== 'FULL') {
    throw new PreflightError(`binlog_row_metadata is ${String(meta[0].Value)} on ${config.hostname}:${config.port}; FULL makes each row event carry its table's shape, so rows written before an ALTER TABLE decode correctly. Run SET GLOBAL binlog_row_metadata = 'FULL'; and set binlog_row_metadata=FULL in the server's config file, then restart the connector.`);
  }
  const serverId = Number(v.serverId);
  if (serverId === config.serverId) {
    throw new PreflightError(`database.server.id=${config.serverId} is the server's own server_id; choose another number (unique among the server's replicas and other connectors) for database.server.id.`);
  }
  return { flavour, version, serverId };
}

/** The current user's privileges: global ones and per database (upper case). */
async function privileges(db: Connection): Promise<{ user: string; global: Set<string>; perDatabase: Map<string, Set<string>> }> {
  const who = await one(db, `SELECT CURRENT_USER() AS u, CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'") AS grantee`);
  const [globalRows] = await db.query<RowDataPacket[]>(`SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?`, [who.grantee]);
  const [dbRows] = await db.query<RowDataPacket[]>(`SELECT TABLE_SCHEMA AS d, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?`, [who.grantee]);
  const perDatabase = new Map<string, Set<string>>();
  for (const r of dbRows) {
    const set = perDatabase.get(String(r.d)) ?? new Set<string>();
    set.add(String(r.p).toUpperCase());
    perDatabase.set(String(r.d), set);
  }
  return { user: String(who.u), global: new Set(globalRows.map((r) => String(r.p).toUpperCase())), perDatabase };
}

/** Privileges of the user; `databases` are the captured ones; `needsLock` when a minimal-lock snapshot is to be taken. */
export async function checkPrivileges(db: Connection, config: MySqlCdcConfig, databases: readonly string[], needsLock: boolean): Promise<void> {
  const { user, global, perDatabase } = await privileges(db);
  const grantTo = `'${user.split('@')[0]}'@'${user.split('@').slice(1).join('@')}'`;
  const missing: string[] = [];
  if (!global.has('REPLICATION SLAVE')) missing.push('REPLICATION SLAVE');
  if (!global.has('REPLICATION CLIENT') && !global.has('BINLOG MONITOR')) missing.push('REPLICATION CLIENT');
  if (needsLock && !global.has('RELOAD')) missing.push('RELOAD');
  const noSelect = global.has('SELECT') ? [] : databases.filter((d) => !perDatabase.get(d)?.has('SELECT'));
  if (!global.has('SELECT') && (databases.length === 0 || noSelect.length > 0)) missing.push('SELECT');
  if (missing.length === 0) return;
  const why = [
    missing.includes('REPLICATION SLAVE') ? 'REPLICATION SLAVE to read the binlog' : '',
    missing.includes('REPLICATION CLIENT') ? 'REPLICATION CLIENT to read the binlog position' : '',
    missing.includes('RELOAD') ? 'RELOAD for the brief FLUSH TABLES WITH READ LOCK of snapshot.locking.mode=minimal' : '',
    missing.includes('SELECT') ? `SELECT to read the tables${noSelect.length > 0 ? ` of ${noSelect.join(', ')}` : ''}` : '',
  ].filter((w) => w !== '');
  throw new PreflightError(`user ${user} lacks ${missing.join(', ')} (${why.join('; ')}). Run GRANT ${missing.join(', ')} ON *.* TO ${grantTo}; then restart the connector.`);
}

/** The stored binlog file must still be on the server. */
export async function checkBinlogFilePresent(db: Connection, file: string): Promise<boolean> {
  const [rows] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
  return rows.some((r) => r.Log_name === file);
}

export function binlogPurged(file: string): PreflightError {
  return new PreflightError(
    `the binlog file ${file} of the stored position was purged from the server (expire_logs_days / binlog_expire_logs_seconds or PURGE BINARY LOGS), so the changes since cannot be read. ` +
      `Set snapshot.mode=when_needed to take a new snapshot, or reset the connector's offsets (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets) and restart it; keep binlogs longer than the connector may be down.`,
  );
}

export function gtidPurged(file: string, gtids: string, oldestFile: string, purgedUpTo: string): PreflightError {
  return new PreflightError(
    `the binlog after the stored GTID position ${gtids} (file ${file}) was purged from the server: the oldest binlog file left, ${oldestFile || 'none'}, starts after GTIDs ${purgedUpTo || 'none'} ` +
      `(expire_logs_days / binlog_expire_logs_seconds or PURGE BINARY LOGS), so the changes since cannot be read. ` +
      `Set snapshot.mode=when_needed to take a new snapshot, or reset the connector's offsets (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets) and restart it; keep binlogs longer than the connector may be down.`,
  );
}

/**
 * Whether the binlog after a stored position is all still on the server: `error` null
 * (then `resumeByGtid` says how to resume: after the MariaDB GTID position when it is
 * available, after a MySQL GTID set when there is one), else the error explaining the purge.
 */
export async function binlogSince(db: Connection, flavour: 'mysql' | 'mariadb', position: { file: string; gtids: string }): Promise<{ error: Error | null; resumeByGtid: boolean }> {
  const { file, gtids } = position;
  if (flavour === 'mariadb' && gtids !== '') {
    const { available, oldestFile, purgedUpTo } = await mariaDbGtidAvailable(db, gtids);
    return { error: available ? null : gtidPurged(file, gtids, oldestFile, purgedUpTo), resumeByGtid: available };
  }
  return { error: (await checkBinlogFilePresent(db, file)) ? null : binlogPurged(file), resumeByGtid: gtids.includes(':') };
}
