import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { BinlogPoint } from './schema-history';
import type { TableName } from './table-catalog';

/**
 * DDL statements of the binlog: which tables a statement names, and the DDL written to
 * the binlog since a position (read with SHOW BINLOG EVENTS, for proving that the live
 * schema is still the schema of that position).
 *
 * Contracts:
 * - `ddlTables(query, database)`: the tables an ALTER / CREATE / DROP / RENAME / TRUNCATE
 *   TABLE or CREATE / DROP INDEX statement names (unqualified names in `database`);
 *   null when the statement is DDL whose tables it cannot tell (then it may touch any
 *   table of its database).
 * - `isTruncate(query)`; `renamedTables(query, database)`: RENAME TABLE's (from, to)
 *   pairs; `createsNewTable(query)`: a plain CREATE TABLE (the table did not exist).
 * - `ddlSince(db, from, limit)`: Query events with DDL after `from` up to the end of the
 *   binlog, in order; null when more than `limit` events would have to be read or the
 *   file of `from` was purged.
 */
export const DDL = /^\s*(ALTER|CREATE|DROP|RENAME|TRUNCATE)\b/i;

const ID = '(?:`(?:[^`]|``)+`|[\\w$]+)';
const QUALIFIED = `${ID}(?:\\s*\\.\\s*${ID})?`;

function unquote(id: string): string {
  return id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id;
}

function tableName(text: string, database: string): TableName {
  const parts = [...text.matchAll(new RegExp(ID, 'g'))].map((m) => unquote(m[0]));
  return parts.length === 2 ? { database: parts[0], name: parts[1] } : { database, name: parts[0] };
}

function names(list: string, database: string): TableName[] {
  return [...list.matchAll(new RegExp(QUALIFIED, 'g'))].map((m) => tableName(m[0], database));
}

export function isTruncate(query: string): boolean {
  return /^\s*TRUNCATE\b/i.test(query);
}

export function ddlTables(query: string, database: string): TableName[] | null {
  const q = query.replace(/\/\*.*?\*\//gs, ' ').trim();
  let m = new RegExp(`^(?:ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE|TRUNCATE(?:\\s+TABLE)?|CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE(?:\\s+IF\\s+NOT\\s+EXISTS)?)\\s+(${QUALIFIED})`, 'i').exec(q);
  if (m) return [tableName(m[1], database)];
  m = new RegExp(`^DROP\\s+(?:TEMPORARY\\s+)?TABLES?(?:\\s+IF\\s+EXISTS)?\\s+((?:${QUALIFIED})(?:\\s*,\\s*${QUALIFIED})*)`, 'i').exec(q);
  if (m) return names(m[1], database);
  m = /^RENAME\s+TABLES?\s+(.*)$/is.exec(q);
  if (m) return names(m[1].replace(/\bTO\b/gi, ','), database);
  m = new RegExp(`^(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX|DROP\\s+INDEX)\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?${ID}\\s+ON\\s+(${QUALIFIED})`, 'i').exec(q);
  if (m) return [tableName(m[1], database)];
  return null;
}

/** The (from, to) pairs of a RENAME TABLE statement, in order; null for any other statement. */
export function renamedTables(query: string, database: string): { from: TableName; to: TableName }[] | null {
  const q = query.replace(/\/\*.*?\*\//gs, ' ').trim();
  if (!/^RENAME\s+TABLES?\s/i.test(q)) return null;
  const named = ddlTables(q, database) ?? [];
  const out: { from: TableName; to: TableName }[] = [];
  for (let i = 0; i + 1 < named.length; i += 2) out.push({ from: named[i], to: named[i + 1] });
  return out;
}

/** A plain CREATE TABLE (no OR REPLACE, no IF NOT EXISTS): it fails on an existing table, so the table did not exist before it. */
export function createsNewTable(query: string): boolean {
  const q = query.replace(/\/\*.*?\*\//gs, ' ').trim();
  return /^CREATE\s+TABLE\s/i.test(q) && !/^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\b/i.test(q);
}

export interface DdlEvent extends BinlogPoint {
  readonly database: string;
  readonly query: string;
}

/** DDL since `from` (SHOW BINLOG EVENTS, `page` events per query); null past `limit` events. */
export async function ddlSince(db: Connection, from: BinlogPoint, limit = 1_000_000, page = 20_000): Promise<DdlEvent[] | null> {
  const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
  const all = logs.map((r) => String(r.Log_name));
  if (!all.includes(from.file)) return null;
  const files = all.filter((f) => f >= from.file);
  const out: DdlEvent[] = [];
  let read = 0;
  for (const file of files) {
    let pos = file === from.file ? from.pos : 4;
    for (;;) {
      const [events] = await db.query<RowDataPacket[]>(`SHOW BINLOG EVENTS IN ? FROM ${Number(pos)} LIMIT ${Number(page)}`, [file]);
      read += events.length;
      for (const e of events) {
        if (String(e.Event_type) !== 'Query') continue;
        const info = String(e.Info);
        const use = /^use `((?:[^`]|``)*)`; (.*)$/s.exec(info);
        const query = use ? use[2] : info;
        if (DDL.test(query)) out.push({ file, pos: Number(e.Pos), database: use ? use[1].replace(/``/g, '`') : '', query });
      }
      if (read > limit) return null;
      if (events.length < page) break;
      pos = Number(events[events.length - 1].End_log_pos);
    }
  }
  return out;
}
