import { changeRecord, tombstoneRecord, type ChangePosition } from '@millrace/cdc-snapshot';
import type { SourceRecord } from '@millrace/connect-sdk';
import type { RowsEvent } from './binlog-stream';
import type { SourceBlock } from './source-block';
import { decodeRow, type TableModel } from './table-catalog';

/**
 * The Debezium records of one binlog rows event: c for inserts, u for updates, d (and a
 * tombstone when `tombstones`) for deletes; an update changing the primary key is, as in
 * Debezium, a delete of the old key (and its tombstone) then a create. `source(row)` is
 * the source block of the event's row-th row.
 */
export function rowsEventRecords(model: TableModel, event: RowsEvent, source: (row: number) => SourceBlock, position: ChangePosition, tombstones: boolean): SourceRecord[] {
  const out: SourceRecord[] = [];
  const name = event.getEventName();
  event.rows.forEach((row, i) => {
    const src = source(i);
    if (name === 'writerows') {
      out.push(changeRecord(model, 'c', null, decodeRow(model, row as Record<string, unknown>), src, position));
      return;
    }
    if (name === 'deleterows') {
      const before = decodeRow(model, row as Record<string, unknown>);
      out.push(changeRecord(model, 'd', before, null, src, position));
      if (tombstones && model.keySchema !== null) out.push(tombstoneRecord(model, before, src.ts_ms, position));
      return;
    }
    const update = row as { before: Record<string, unknown>; after: Record<string, unknown> };
    const before = decodeRow(model, update.before);
    const after = decodeRow(model, update.after);
    if (model.keySchema !== null && model.keyColumns.some((k) => String(before[k]) !== String(after[k]))) {
      out.push(changeRecord(model, 'd', before, null, src, position));
      if (tombstones) out.push(tombstoneRecord(model, before, src.ts_ms, position));
      out.push(changeRecord(model, 'c', null, after, src, position));
      return;
    }
    out.push(changeRecord(model, 'u', before, after, src, position));
  });
  return out;
}
