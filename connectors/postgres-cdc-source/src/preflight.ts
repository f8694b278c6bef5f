import { Client } from 'pg';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, type PostgresCdcConfig } from './postgres-cdc-config';
import { qualify, quoteIdent, quoteTable, type TableName } from './table-catalog';

/**
 * Checks that the database can be captured, before anything is created, and keeps the
 * publication in line with `publication.autocreate.mode`. Every failure is a
 * PreflightError whose message says what to run to fix it (it becomes the FAILED
 * status' trace):
 * - wal_level other than logical;
 * - a user without the REPLICATION attribute (superusers have it implicitly);
 * - a publication that is missing (mode disabled) or lacks captured tables (mode disabled);
 * - a publication that cannot be created (e.g. FOR ALL TABLES without superuser);
 * - a slot of another database or plugin, or one the server invalidated (wal_status lost).
 */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export async function checkServer(db: Client, config: PostgresCdcConfig): Promise<void> {
  const wal = await db.query<{ wal_level: string }>('SHOW wal_level');
  const level = wal.rows[0]?.wal_level;
  if (level !== 'logical') {
    throw new PreflightError(
      `PostgreSQL runs with wal_level=${level}; change data capture needs wal_level=logical. ` +
        `Run: ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (and check max_replication_slots and max_wal_senders are at least 1).`,
    );
  }
  const role = await db.query<{ rolreplication: boolean; rolsuper: boolean }>('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user');
  const r = role.rows[0];
  if (!r || (!r.rolreplication && !r.rolsuper)) {
    throw new PreflightError(`user "${config.user}" may not use logical replication. Run (as a superuser): ALTER ROLE ${quoteIdent(config.user)} WITH REPLICATION;`);
  }
}

/** Checks SELECT on the captured tables (the snapshot reads them). */
export async function checkTablePrivileges(db: Client, config: PostgresCdcConfig, tables: readonly TableName[]): Promise<void> {
  const missing: string[] = [];
  for (const t of tables) {
    const { rows } = await db.query<{ ok: boolean }>(`SELECT has_table_privilege($1, 'SELECT') AS ok`, [quoteTable(t)]);
    if (!rows[0]?.ok) missing.push(quoteTable(t));
  }
  if (missing.length > 0) throw new PreflightError(`user "${config.user}" may not read ${missing.join(', ')}. Run: GRANT SELECT ON ${missing.join(', ')} TO ${quoteIdent(config.user)};`);
}

/**
 * The tables the publication must hold: the captured ones plus the signal table
 * (signal.data.collection) when set, whose inserts the stream reads as signals. A signal
 * table that does not exist fails with the CREATE TABLE to run (Debezium's layout).
 */
export async function withSignalTable(db: Client, config: PostgresCdcConfig, tables: readonly TableName[]): Promise<TableName[]> {
  const signal = config.signalDataCollection;
  if (signal === null || tables.some((t) => qualify(t) === signal)) return [...tables];
  const [schema, name] = signal.split('.');
  const { rows } = await db.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, name]);
  if (rows.length === 0) {
    throw new PreflightError(
      `signal.data.collection ${signal} does not exist. Run: CREATE TABLE ${quoteTable({ schema, name })} (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL);`,
    );
  }
  return [...tables, { schema, name }];
}

/** SQLSTATEs of a publication another session created between our check and our CREATE. */
const CONCURRENTLY_CREATED = new Set(['23505', '42710']);

/**
 * Creates or adjusts the publication per publication.autocreate.mode, or checks it covers
 * `tables`. The connector and its task both run it, possibly at the same moment: when the
 * other one created the publication first, the check runs again instead of failing.
 */
export async function ensurePublication(db: Client, config: PostgresCdcConfig, tables: readonly TableName[], attempt = 0): Promise<void> {
  const pub = quoteIdent(config.publicationName);
  const tableList = tables.map(quoteTable).join(', ');
  const found = await db.query<{ puballtables: boolean }>('SELECT puballtables FROM pg_publication WHERE pubname = $1', [config.publicationName]);
  const exists = found.rows.length > 0;
  const published = exists ? await publishedTables(db, config.publicationName) : new Set<string>();
  const missing = tables.filter((t) => !published.has(qualify(t)));

  if (config.publicationAutocreateMode === 'disabled') {
    if (!exists) {
      throw new PreflightError(`publication "${config.publicationName}" does not exist and publication.autocreate.mode=disabled. Run: CREATE PUBLICATION ${pub} FOR TABLE ${tableList || '<tables>'};`);
    }
    if (missing.length > 0) {
      throw new PreflightError(`publication "${config.publicationName}" does not include ${missing.map(qualify).join(', ')}. Run: ALTER PUBLICATION ${pub} ADD TABLE ${missing.map(quoteTable).join(', ')};`);
    }
    return;
  }
  try {
    if (config.publicationAutocreateMode === 'all_tables') {
      if (!exists) await db.query(`CREATE PUBLICATION ${pub} FOR ALL TABLES`);
      else if (!found.rows[0].puballtables && missing.length > 0) await db.query(`ALTER PUBLICATION ${pub} ADD TABLE ${missing.map(quoteTable).join(', ')}`);
      return;
    }
    // filtered: the publication holds exactly the captured tables
    if (tables.length === 0) return;
    if (!exists) await db.query(`CREATE PUBLICATION ${pub} FOR TABLE ${tableList}`);
    else if (missing.length > 0 || published.size !== tables.length) await db.query(`ALTER PUBLICATION ${pub} SET TABLE ${tableList}`);
  } catch (err) {
    if (attempt === 0 && CONCURRENTLY_CREATED.has((err as { code?: string }).code ?? '')) return ensurePublication(db, config, tables, 1);
    const why = err instanceof Error ? err.message : String(err);
    const run = config.publicationAutocreateMode === 'all_tables' ? `CREATE PUBLICATION ${pub} FOR ALL TABLES;` : `CREATE PUBLICATION ${pub} FOR TABLE ${tableList};`;
    throw new PreflightError(`could not create or alter publication "${config.publicationName}" (${why}). Run as a superuser or the tables' owner: ${run} or set publication.autocreate.mode=filtered`);
  }
}

async function publishedTables(db: Client, publication: string): Promise<Set<string>> {
  const { rows } = await db.query<{ schemaname: string; tablename: string }>('SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1', [publication]);
  return new Set(rows.map((r) => `${r.schemaname}.${r.tablename}`));
}

export interface SlotInfo {
  readonly exists: boolean;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly database: string | null;
  readonly plugin: string | null;
  readonly confirmedFlushLsn: string | null;
  /** pg_replication_slots.wal_status (PostgreSQL 13+; null before): 'lost' = invalidated. */
  readonly walStatus: string | null;
}

export async function slotInfo(db: Client, slotName: string): Promise<SlotInfo> {
  const { rows } = await db.query<{ active: boolean; active_pid: number | null; database: string | null; plugin: string | null; confirmed_flush_lsn: string | null; wal_status: string | null }>(
    `SELECT active, active_pid, database, plugin, confirmed_flush_lsn::text, to_jsonb(s) ->> 'wal_status' AS wal_status FROM pg_replication_slots s WHERE slot_name = $1`,
    [slotName],
  );
  const r = rows[0];
  if (!r) return { exists: false, active: false, activePid: null, database: null, plugin: null, confirmedFlushLsn: null, walStatus: null };
  return { exists: true, active: r.active, activePid: r.active_pid, database: r.database, plugin: r.plugin, confirmedFlushLsn: r.confirmed_flush_lsn, walStatus: r.wal_status };
}

/** Fails when an existing slot belongs to another database or plugin, or was invalidated (wal_status lost). */
export function checkSlotUsable(slot: SlotInfo, config: PostgresCdcConfig): void {
  if (!slot.exists) return;
  if (slot.walStatus === 'lost') {
    throw new PreflightError(
      `replication slot "${config.slotName}" was invalidated (wal_status lost: the server removed WAL it still needed, see max_slot_wal_keep_size); the changes since its position cannot be read. ` +
        `Drop it (SELECT pg_drop_replication_slot('${config.slotName}');) and set snapshot.mode=when_needed to take a new snapshot, or reset the connector's offsets (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets) and restart it.`,
    );
  }
  if (slot.database !== config.dbname || slot.plugin !== 'pgoutput') {
    throw new PreflightError(
      `replication slot "${config.slotName}" exists for database ${slot.database} with plugin ${slot.plugin}, not ${config.dbname} with pgoutput. ` +
        `Set another slot.name, or drop it: SELECT pg_drop_replication_slot('${config.slotName}');`,
    );
  }
}

/**
 * Waits up to `timeoutMs` for the slot to have no consumer (the walsender of a worker
 * that was killed may take a moment to notice), then fails saying who holds it.
 */
export async function awaitSlotFree(db: Client, config: PostgresCdcConfig, timeoutMs: number): Promise<SlotInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const slot = await slotInfo(db, config.slotName);
    if (!slot.active) return slot;
    if (Date.now() >= deadline) {
      throw new PreflightError(
        `replication slot "${config.slotName}" is in use by another connection (pid ${slot.activePid}): another connector or client streams from it. ` +
          `Stop that consumer or set another slot.name; to end the connection run: SELECT pg_terminate_backend(${slot.activePid});`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The error of a replication slot dropped `when` (what to do about it). */
export function slotGone(config: Pick<PostgresCdcConfig, 'slotName'>, when: string): PreflightError {
  return new PreflightError(
    `replication slot "${config.slotName}" was dropped ${when}; changes made since cannot be read. ` +
      `Set snapshot.mode=when_needed to take a new snapshot, or reset the connector's offsets (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets) and restart it.`,
  );
}

/** Before a stream reconnect: a working database connection (a new one after a server restart), and the slot still there and free. */
export async function checkStreamSlot(current: Client | null, config: PostgresCdcConfig): Promise<Client> {
  let db = current;
  const alive = db ? await db.query('SELECT 1').then(() => true, () => false) : false;
  if (!alive || db === null) {
    await db?.end().catch(() => undefined);
    db = new Client({ ...clientOptions(config, 'millrace-cdc'), options: SESSION_OPTIONS });
    db.on('error', () => undefined);
    await db.connect();
  }
  const slot = await slotInfo(db, config.slotName);
  if (!slot.exists) throw slotGone(config, 'while the connector was streaming');
  checkSlotUsable(slot, config);
  await awaitSlotFree(db, config, 15_000);
  return db;
}
