import { isTombstone, type ConnectSchema, type SinkRecord } from '@millrace/connect-sdk';
import { unwrapChangeEvent } from './change-events';
import { buildFieldsMetadata, type FieldsMetadata, type FieldsOptions } from './fields-metadata';
import { tableNameFor } from './sink-write-config';

/**
 * Groups sink records into batches that one statement family can write.
 *
 * Contract: a batch holds records of one table, one kind (`write` = insert/upsert/update,
 * `delete` = tombstone with delete.enabled) and one pair of key/value schemas (compared
 * structurally), at most `batchSize` records. A new batch starts for a table whenever the
 * kind or a schema changes or the batch is full, so applying the batches in the order
 * returned keeps every table's records in their Kafka order (batches of different tables
 * may interleave differently from the input; rows of different tables are independent).
 * Debezium change events are unwrapped first (change-events.ts: a delete event becomes a
 * delete by key). Tombstones without delete.enabled are dropped here (they still count as
 * consumed).
 * FieldsMetadata is built once per distinct (kind, key schema, value schema).
 */
export type BatchKind = 'write' | 'delete';

export interface SinkBatch {
  readonly table: string;
  readonly kind: BatchKind;
  readonly fields: FieldsMetadata;
  readonly records: SinkRecord[];
}

export interface BatcherOptions extends FieldsOptions {
  readonly tableNameFormat: string;
  readonly batchSize: number;
  readonly deleteEnabled: boolean;
}

const fingerprints = new WeakMap<ConnectSchema, string>();

/** A structural identity of a schema (cached per schema object). */
export function schemaFingerprint(schema: ConnectSchema | null): string {
  if (schema === null) return 'null';
  let fp = fingerprints.get(schema);
  if (fp === undefined) {
    fp = JSON.stringify(schema, (_k, v: unknown) => (typeof v === 'bigint' ? `${v.toString()}n` : Buffer.isBuffer(v) ? v.toString('base64') : v));
    fingerprints.set(schema, fp);
  }
  return fp;
}

export class RecordBatcher {
  private readonly fieldsCache = new Map<string, FieldsMetadata>();
  private readonly tableCache = new Map<string, string>();

  constructor(private readonly opts: BatcherOptions) {}

  tableFor(topic: string): string {
    let table = this.tableCache.get(topic);
    if (table === undefined) {
      table = tableNameFor(this.opts.tableNameFormat, topic);
      this.tableCache.set(topic, table);
    }
    return table;
  }

  batch(records: readonly SinkRecord[]): SinkBatch[] {
    const done: SinkBatch[] = [];
    const open = new Map<string, { batch: SinkBatch; signature: string }>();
    // Records of one batch usually share their schema objects: the signature string is built
    // once per run of them, and the same string compares in O(1) below.
    let last: { keySchema: SinkRecord['keySchema']; valueSchema: SinkRecord['valueSchema']; tombstone: boolean; signature: string } | null = null;
    for (const input of records) {
      const record = unwrapChangeEvent(input);
      if (record === null) continue;
      const tombstone = isTombstone(record);
      if (tombstone && !this.opts.deleteEnabled) continue;
      const kind: BatchKind = tombstone ? 'delete' : 'write';
      const table = this.tableFor(record.topic);
      if (last === null || last.keySchema !== record.keySchema || last.valueSchema !== record.valueSchema || last.tombstone !== tombstone) {
        const built: string = `${kind}|${schemaFingerprint(record.keySchema)}|${tombstone ? '' : schemaFingerprint(record.valueSchema)}`;
        last = { keySchema: record.keySchema, valueSchema: record.valueSchema, tombstone, signature: built };
      }
      const signature = last.signature;
      const current = open.get(table);
      if (current && current.signature === signature && current.batch.records.length < this.opts.batchSize) {
        current.batch.records.push(record);
        continue;
      }
      if (current) done.push(current.batch);
      const fields = this.fieldsFor(signature, record, tombstone);
      open.set(table, { batch: { table, kind, fields, records: [record] }, signature });
    }
    for (const { batch } of open.values()) done.push(batch);
    return done;
  }

  private fieldsFor(signature: string, record: SinkRecord, tombstone: boolean): FieldsMetadata {
    let fields = this.fieldsCache.get(signature);
    if (!fields) {
      fields = buildFieldsMetadata(this.opts, record.keySchema, tombstone ? null : record.valueSchema, tombstone);
      if (this.fieldsCache.size > 1000) this.fieldsCache.clear();
      this.fieldsCache.set(signature, fields);
    }
    return fields;
  }
}
