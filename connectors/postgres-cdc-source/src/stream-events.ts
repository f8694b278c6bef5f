import { UNCHANGED_COLUMNS_HEADER, type ConnectorLogger, type SourceRecord, type Struct } from '@millrace/connect-sdk';
import type { Pgoutput } from 'pg-logical-replication';
import { changeRecord, tombstoneRecord } from '@millrace/cdc-snapshot';
import { decodeNewRow, decodeRow, sourcePartition, type RowText } from './change-events';
import { parseLsn } from './lsn';
import type { PostgresCdcConfig } from './postgres-cdc-config';
import type { SourceBlock } from './source-block';
import type { TableModel } from './table-catalog';

/**
 * The change events of one streamed insert, update or delete (Debezium's rules):
 * - insert -> c; delete -> d (+ tombstone when tombstones.on.delete and the table has a
 *   key); update -> u, or, when the primary key changed, d (+ tombstone) then c;
 * - `before` of an update is the old row only under REPLICA IDENTITY FULL (null otherwise,
 *   as Debezium); the before of a delete under REPLICA IDENTITY DEFAULT holds the key
 *   columns only (warned once per table);
 * - unchanged TOASTed values in the new row carry `unavailable.value.placeholder` and are
 *   listed in the UNCHANGED_COLUMNS_HEADER header of the record (warned once per table).
 * The records' source offset is a placeholder: the task sets it per batch.
 */
export interface StreamContext {
  readonly xid: number;
  readonly lsn: string;
  readonly commitTimeMs: number;
  readonly lastCommittedLsn: string;
}

export class StreamEvents {
  private readonly partialDeleteWarned = new Set<string>();
  private readonly toastWarned = new Set<string>();

  constructor(
    private readonly config: PostgresCdcConfig,
    private readonly logger: Pick<ConnectorLogger, 'warn'> | undefined,
    private readonly sourceBlock: (model: TableModel, at: Pick<SourceBlock, 'snapshot' | 'lsn' | 'txId' | 'ts_ms' | 'sequence'>) => SourceBlock,
  ) {}

  events(model: TableModel, message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete, at: StreamContext): SourceRecord[] {
    const config = this.config;
    const source = this.sourceBlock(model, { snapshot: 'false', lsn: Number(parseLsn(at.lsn)), txId: at.xid, ts_ms: at.commitTimeMs, sequence: JSON.stringify([at.lastCommittedLsn, at.lsn]) });
    const position = { partition: sourcePartition(config.topicPrefix), offset: {} };
    switch (message.tag) {
      case 'insert':
        return [changeRecord(model, 'c', null, decodeRow(model, message.new as RowText), source, position)];
      case 'update': {
        const oldRow = message.old ?? message.key;
        const before: Struct | null = oldRow ? decodeRow(model, oldRow as RowText) : null;
        const { row: after, unchanged } = decodeNewRow(model, message.new as RowText, config.unavailableValuePlaceholder);
        const mark = (r: SourceRecord): SourceRecord => (unchanged.length === 0 ? r : { ...r, headers: [...r.headers, { key: UNCHANGED_COLUMNS_HEADER, value: JSON.stringify(unchanged) }] });
        if (unchanged.length > 0 && !this.toastWarned.has(model.qualified)) {
          this.toastWarned.add(model.qualified);
          this.logger?.warn(
            `postgres-cdc: table ${model.qualified}: an update left TOASTed column(s) ${unchanged.join(', ')} unchanged and the server did not send their values; ` +
              `they carry "${config.unavailableValuePlaceholder}" and are listed in the ${UNCHANGED_COLUMNS_HEADER} header (the jdbc-sink keeps the stored values). ` +
              `For whole rows run ALTER TABLE ${model.qualified} REPLICA IDENTITY FULL;`,
          );
        }
        // a changed primary key is, as in Debezium, a delete of the old key (and its tombstone) then a create
        if (before !== null && model.keySchema !== null && keyChanged(model.keyColumns, before, after)) {
          const events = [changeRecord(model, 'd', before, null, source, position)];
          if (config.tombstonesOnDelete) events.push(tombstoneRecord(model, before, at.commitTimeMs, position));
          events.push(mark(changeRecord(model, 'c', null, after, source, position)));
          return events;
        }
        return [mark(changeRecord(model, 'u', message.old ? before : null, after, source, position))];
      }
      case 'delete': {
        if (!message.old && !this.partialDeleteWarned.has(model.qualified)) {
          this.partialDeleteWarned.add(model.qualified);
          this.logger?.warn(`postgres-cdc: table ${model.qualified} has REPLICA IDENTITY DEFAULT: the before image of its deletes holds only the key columns (run ALTER TABLE ${model.qualified} REPLICA IDENTITY FULL; for whole rows)`);
        }
        const before = decodeRow(model, (message.old ?? message.key ?? {}) as RowText);
        const events = [changeRecord(model, 'd', before, null, source, position)];
        if (config.tombstonesOnDelete && model.keySchema !== null) events.push(tombstoneRecord(model, before, at.commitTimeMs, position));
        return events;
      }
    }
  }

  /** A TRUNCATE's `t` record for `model` (no key, no before/after), as Debezium. */
  truncate(model: TableModel, at: StreamContext): SourceRecord {
    const source = this.sourceBlock(model, { snapshot: 'false', lsn: Number(parseLsn(at.lsn)), txId: at.xid, ts_ms: at.commitTimeMs, sequence: JSON.stringify([at.lastCommittedLsn, at.lsn]) });
    const record = changeRecord(model, 't', null, null, source, { partition: sourcePartition(this.config.topicPrefix), offset: {} });
    return { ...record, keySchema: null, key: null };
  }
}

function keyChanged(keyColumns: readonly string[], before: Struct, after: Struct): boolean {
  return keyColumns.some((k) => String(before[k]) !== String(after[k]));
}
