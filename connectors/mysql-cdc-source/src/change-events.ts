import { changeRecord, tombstoneRecord, type ChangePosition } from '@millrace/cdc-snapshot';
import type { SourceRecord, Struct } from '@millrace/connect-sdk';
import type { RowsEvent } from './binlog-stream';
import type { SourceBlock } from './source-block';
import { decodeRow, type TableModel } from './table-catalog';

/**
 * The Debezium records of one binlog rows event: c for inserts, u for updates, d (and a
 * tombstone when `tombstones`) for deletes; an update changing the primary key is, as in
 * Debezium, a delete of the old key (and its tombstone) then a create. `source(row)` is
 * the source block of the event's row-th row. Operations in `skipped` (Debezium's
 * skipped.operations) are left out, a skipped delete with its tombstone.
 */
export function rowsEventRecords(model: TableModel, event: RowsEvent, source: (row: number) => SourceBlock, position: ChangePosition, tombstones: boolean, skipped: ReadonlySet<string>): SourceRecord[] {
  const out: SourceRecord[] = [];
  const name = event.getEventName();
  const del = (before: Struct, src: SourceBlock): void => {
    if (skipped.has('d')) return;
    out.push(changeRecord(model, 'd', before, null, src, position));
    if (tombstones && model.keySchema !== null) out.push(tombstoneRecord(model, before, src.ts_ms, position));
  };
  event.rows.forEach((row, i) => {
    const src = source(i);
    if (name === 'writerows') {
      if (!skipped.has('c')) out.push(changeRecord(model, 'c', null, decodeRow(model, row as Record<string, unknown>), src, position));
      return;
    }
    if (name === 'deleterows') {
      del(decodeRow(model, row as Record<string, unknown>), src);
      return;
    }
    const update = row as { before: Record<string, unknown>; after: Record<string, unknown> };
    const before = decodeRow(model, update.before);
    const after = decodeRow(model, update.after);
    if (model.keySchema !== null && model.keyColumns.some((k) => String(before[k]) !== String(after[k]))) {
      del(before, src);
      if (!skipped.has('c')) out.push(changeRecord(model, 'c', null, after, src, position));
      return;
    }
    if (!skipped.has('u')) out.push(changeRecord(model, 'u', before, after, src, position));
  });
  return out;
}

/** Debezium's truncate event: op `t`, no key, before and after null. */
export function truncateRecord(model: TableModel, source: SourceBlock, position: ChangePosition): SourceRecord {
  return { ...changeRecord(model, 't', null, null, source, position), keySchema: null, key: null };
}
