import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * GTID positions kept in the offsets next to file/pos, and whether the server still has
 * the binlog after one.
 *
 * MariaDB: a position is one `domain-server-sequence` per replication domain, comma
 * separated (@@gtid_binlog_pos); `advanceGtidPosition` replaces the entry of the
 * transaction's domain. MySQL: the executed GTID set (`uuid:1-5,...`, @@gtid_executed),
 * to which each transaction's `uuid:n` is added.
 *
 * `mariaDbGtidAvailable(db, position)`: true when every transaction after `position` is
 * still in the binlog: the oldest binlog file's Gtid_list (the state before its first
 * transaction) is, in each domain, at or before the position's sequence number.
 */
/** A MySQL GTID set ('uuid[:tag]:a-b:c,...') with one more transaction 'uuid[:tag]:n' added, intervals merged. */
export function addToMySqlGtidSet(set: string, gtid: string): string {
  const sets = new Map<string, [number, number][]>();
  for (const entry of set.replace(/\s/g, '').split(',').filter((e) => e !== '')) {
    const parts = entry.split(':');
    const intervals = sets.get(parts[0]) ?? [];
    let tag = parts[0];
    for (const part of parts.slice(1)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) {
        tag = `${parts[0]}:${part}`;
        continue;
      }
      const list = sets.get(tag) ?? (tag === parts[0] ? intervals : []);
      list.push([Number(m[1]), Number(m[2] ?? m[1])]);
      sets.set(tag, list);
    }
  }
  const at = gtid.lastIndexOf(':');
  const sid = gtid.slice(0, at);
  const n = Number(gtid.slice(at + 1));
  sets.set(sid, [...(sets.get(sid) ?? []), [n, n]]);
  return [...sets.entries()]
    .filter(([, list]) => list.length > 0)
    .map(([sid, list]) => {
      const merged: [number, number][] = [];
      for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
        const last = merged[merged.length - 1];
        if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
        else merged.push([a, b]);
      }
      return `${sid}:${merged.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`;
    })
    .join(',');
}

export function advanceGtidPosition(position: string, gtid: string): string {
  const maria = /^(\d+)-\d+-\d+$/.exec(gtid);
  if (maria) {
    const entries = position.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const domain = maria[1];
    const rest = entries.filter((e) => e.split('-')[0] !== domain);
    return [...rest, gtid].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0])).join(',');
  }
  return addToMySqlGtidSet(position, gtid);
}

/** domain -> sequence number of a MariaDB GTID position ('0-1-5,1-2-9'). */
export function mariaDbSequences(position: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const entry of position.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const m = /^(\d+)-\d+-(\d+)$/.exec(entry);
    if (m) out.set(m[1], BigInt(m[2]));
  }
  return out;
}

/** True when `position` is covered: no domain of `purgedUpTo` is past it. */
export function mariaDbPositionCovers(position: string, purgedUpTo: string): boolean {
  const have = mariaDbSequences(position);
  for (const [domain, seq] of mariaDbSequences(purgedUpTo)) if ((have.get(domain) ?? 0n) < seq) return false;
  return true;
}

/** The GTID state at the start of the oldest binlog file still on the server ('' when none). */
export async function mariaDbPurgedUpTo(db: Connection): Promise<{ file: string; gtids: string }> {
  const [logs] = await db.query<RowDataPacket[]>('SHOW BINARY LOGS');
  const file = String(logs[0]?.Log_name ?? '');
  if (file === '') return { file, gtids: '' };
  const [events] = await db.query<RowDataPacket[]>('SHOW BINLOG EVENTS IN ? LIMIT 4', [file]);
  const list = events.find((e) => String(e.Event_type) === 'Gtid_list');
  return { file, gtids: /\[(.*)\]/.exec(String(list?.Info ?? ''))?.[1] ?? '' };
}

export async function mariaDbGtidAvailable(db: Connection, position: string): Promise<{ available: boolean; oldestFile: string; purgedUpTo: string }> {
  const { file, gtids } = await mariaDbPurgedUpTo(db);
  return { available: mariaDbPositionCovers(position, gtids), oldestFile: file, purgedUpTo: gtids };
}
