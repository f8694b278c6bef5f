import { UNCHANGED_COLUMNS_HEADER, type SinkRecord } from '@millrace/connect-sdk';
import type { SinkColumn } from './fields-metadata';
import { keyString } from './row-key';

/**
 * Columns a record says are unchanged and must keep their stored value: the Postgres CDC
 * source lists unchanged TOASTed columns (whose value it did not receive and replaced by
 * Debezium's `__debezium_unavailable_value` placeholder) in the `millrace.unchanged.columns`
 * header, a JSON array of column names; transforms such as ExtractNewRecordState keep
 * headers. In upsert and update mode the sink leaves those columns out of the row's
 * statement, so the warehouse keeps the value it has — the placeholder never overwrites
 * it. (PeerDB's warehouse MERGE does the same per set of unchanged columns.)
 *
 * Contract of `groupByUnchanged(records, rows, columns, keyWidth)` (rows = the bind
 * values of `columns` per record, key columns first, as the writers build them):
 * - null when no record carries the header (the writers' usual path, unchanged);
 * - otherwise the rows deduplicated by key (the first `keyWidth` values; the last record
 *   of a key wins, as `lastPerKey`) where a later record's unchanged column takes the
 *   value an earlier record of the same batch set (so a value changed earlier in the batch
 *   is written, not lost), and then grouped by the set of columns still unchanged: each
 *   group lists the indexes of the columns to write (key columns always) and its rows,
 *   narrowed to those columns. Keys are distinct across groups, so the groups may be
 *   applied in any order.
 * A header that is not a JSON array of strings is ignored (the record is written whole);
 * names that are not value columns are ignored.
 */

export interface ColumnGroup {
  /** Indexes into the batch's columns of the columns to write, key columns first. */
  readonly columns: readonly number[];
  readonly rows: unknown[][];
}

export function unchangedColumnNames(record: SinkRecord): readonly string[] | null {
  const header = record.headers.find((h) => h.key === UNCHANGED_COLUMNS_HEADER);
  if (!header || header.value === null) return null;
  try {
    const parsed: unknown = JSON.parse(typeof header.value === 'string' ? header.value : header.value.toString('utf8'));
    return Array.isArray(parsed) && parsed.every((n) => typeof n === 'string') && parsed.length > 0 ? (parsed as string[]) : null;
  } catch {
    return null;
  }
}

export function groupByUnchanged(records: readonly SinkRecord[], rows: readonly unknown[][], columns: readonly SinkColumn[], keyWidth: number): ColumnGroup[] | null {
  if (!records.some((r) => r.headers.length > 0 && unchangedColumnNames(r) !== null)) return null;
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const merged = new Map<string, { row: unknown[]; unchanged: Set<number> }>();
  records.forEach((record, i) => {
    const unchanged = new Set<number>();
    for (const name of unchangedColumnNames(record) ?? []) {
      const at = index.get(name);
      if (at !== undefined && at >= keyWidth) unchanged.add(at);
    }
    const key = keyString(rows[i], keyWidth);
    const earlier = merged.get(key);
    const row = [...rows[i]];
    if (earlier) {
      for (const at of [...unchanged]) {
        if (!earlier.unchanged.has(at)) {
          row[at] = earlier.row[at];
          unchanged.delete(at);
        }
      }
      merged.delete(key);
    }
    merged.set(key, { row, unchanged });
  });
  const groups = new Map<string, { columns: number[]; rows: unknown[][] }>();
  for (const { row, unchanged } of merged.values()) {
    const signature = [...unchanged].sort((a, b) => a - b).join(',');
    let group = groups.get(signature);
    if (!group) {
      group = { columns: columns.map((_c, i) => i).filter((i) => !unchanged.has(i)), rows: [] };
      groups.set(signature, group);
    }
    group.rows.push(group.columns.map((i) => row[i]));
  }
  return [...groups.values()];
}
