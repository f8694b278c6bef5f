/**
 * GTID positions kept in the offsets next to file/pos.
 *
 * MariaDB: a position is one `domain-server-sequence` per replication domain, comma
 * separated; `advanceGtidPosition` replaces the entry of the transaction's domain.
 * MySQL (`uuid:n`): the last GTID per source uuid (the full executed set is not tracked
 * yet; streaming resumes by file/pos).
 */
export function advanceGtidPosition(position: string, gtid: string): string {
  const entries = position.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const maria = /^(\d+)-\d+-\d+$/.exec(gtid);
  if (maria) {
    const domain = maria[1];
    const rest = entries.filter((e) => e.split('-')[0] !== domain);
    return [...rest, gtid].sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0])).join(',');
  }
  const sid = gtid.split(':')[0];
  return [...entries.filter((e) => e.split(':')[0] !== sid), gtid].join(',');
}
