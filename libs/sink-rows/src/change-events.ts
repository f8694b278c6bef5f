import type { ConnectSchema, SinkRecord } from '@millrace/connect-sdk';

/**
 * Debezium change events read directly by a table sink, as Debezium's own JDBC sink does
 * (no ExtractNewRecordState transform needed): a record whose value schema is a struct
 * with `op` and `after` fields (Debezium's `<prefix>.<schema>.<table>.Envelope`) is
 * replaced by the change it describes:
 * - `c` (create), `u` (update), `r` (snapshot read): the `after` state, with the `after`
 *   field's schema;
 * - `d` (delete): a delete by the record key (null value, like a tombstone);
 * - `t` (truncate) and `m` (message): nothing to write (null is returned; the record still
 *   counts as consumed).
 * Any other record (flat rows, tombstones, schemaless values) is returned as it is.
 * Headers (e.g. the unchanged-columns header) are kept. The envelope test runs once per
 * value schema object.
 */
const afterSchemas = new WeakMap<ConnectSchema, ConnectSchema | null>();

function afterSchemaOf(schema: ConnectSchema): ConnectSchema | null {
  let after = afterSchemas.get(schema);
  if (after === undefined) {
    const fields = schema.type === 'struct' ? (schema.fields ?? []) : [];
    const afterField = fields.find((f) => f.name === 'after');
    after = afterField && fields.some((f) => f.name === 'op') && afterField.schema.type === 'struct' ? afterField.schema : null;
    afterSchemas.set(schema, after);
  }
  return after;
}

export function unwrapChangeEvent(record: SinkRecord): SinkRecord | null {
  const schema = record.valueSchema;
  if (schema === null) return record;
  // The schema first: a record that is no change event keeps a raw Avro value undecoded (SinkRecord.rawValue).
  const afterSchema = afterSchemaOf(schema);
  if (afterSchema === null || record.value === null || record.value === undefined) return record;
  const envelope = record.value as Readonly<Record<string, unknown>>;
  const op = envelope.op;
  if (op === 'd') return { ...record, valueSchema: afterSchema, value: null };
  if (op === 'c' || op === 'u' || op === 'r') {
    const after = envelope.after;
    return after === null || after === undefined ? null : { ...record, valueSchema: afterSchema, value: after };
  }
  return null;
}
