import type { ConnectSchema, SinkRecord, Struct } from '@millrace/connect-sdk';
import { assertPrimitive, UnsupportedSchemaError } from './connect-columns';
import type { PkMode } from './sink-write-config';

/**
 * Which table columns a record yields, after Confluent's FieldsMetadata: the key columns
 * chosen by pk.mode/pk.fields and the value columns (all value fields, or those in
 * fields.whitelist, minus any that are already key columns).
 *
 * pk.mode:
 *   none          no key columns;
 *   kafka         __connect_topic (string), __connect_partition (int32), __connect_offset
 *                 (int64), or the three names in pk.fields;
 *   record_key    a primitive key is one column named by the single pk.fields entry; a
 *                 struct key gives its fields (pk.fields selects, empty = all);
 *   record_value  value fields (pk.fields selects, empty = all).
 * Every column is a primitive or logical type (arrays, maps and nested structs are
 * rejected). A value must be a struct with a schema; a tombstone yields key columns only.
 */
export type ColumnSource =
  | { readonly kind: 'kafka'; readonly coordinate: 'topic' | 'partition' | 'offset' }
  | { readonly kind: 'key'; readonly field: string | null }
  | { readonly kind: 'value'; readonly field: string };

export interface SinkColumn {
  readonly name: string;
  readonly schema: ConnectSchema;
  readonly source: ColumnSource;
}

export interface FieldsMetadata {
  readonly keyColumns: readonly SinkColumn[];
  readonly valueColumns: readonly SinkColumn[];
  /** keyColumns then valueColumns: the column order of every statement. */
  readonly allColumns: readonly SinkColumn[];
}

export interface FieldsOptions {
  readonly pkMode: PkMode;
  readonly pkFields: readonly string[];
  readonly fieldsWhitelist: readonly string[];
}

const KAFKA_DEFAULT_NAMES = ['__connect_topic', '__connect_partition', '__connect_offset'] as const;
const KAFKA_SCHEMAS: readonly ConnectSchema[] = [
  { type: 'string', optional: false },
  { type: 'int32', optional: false },
  { type: 'int64', optional: false },
];

export class RecordSchemaError extends Error {
  override readonly name = 'RecordSchemaError';
}

/** Columns for records with these schemas; `tombstone` = the value is null (a delete). */
export function buildFieldsMetadata(
  opts: FieldsOptions,
  keySchema: ConnectSchema | null,
  valueSchema: ConnectSchema | null,
  tombstone: boolean,
): FieldsMetadata {
  if (!tombstone) {
    if (!valueSchema) throw new RecordSchemaError('the sink needs record values with a schema (use a schema-aware converter, e.g. avro or json with schemas.enable)');
    if (valueSchema.type !== 'struct') throw new RecordSchemaError(`the record value schema must be a struct, got ${valueSchema.type}`);
  }
  const valueFields = !tombstone && valueSchema ? (valueSchema.fields ?? []) : [];
  const keyColumns: SinkColumn[] = [];

  switch (opts.pkMode) {
    case 'none':
      break;
    case 'kafka': {
      const names = opts.pkFields.length === 3 ? opts.pkFields : KAFKA_DEFAULT_NAMES;
      (['topic', 'partition', 'offset'] as const).forEach((coordinate, i) => {
        keyColumns.push({ name: names[i], schema: KAFKA_SCHEMAS[i], source: { kind: 'kafka', coordinate } });
      });
      break;
    }
    case 'record_key': {
      if (!keySchema) throw new RecordSchemaError('pk.mode=record_key needs record keys with a schema');
      if (keySchema.type === 'struct') {
        const fields = keySchema.fields ?? [];
        const chosen = opts.pkFields.length > 0 ? opts.pkFields : fields.map((f) => f.name);
        for (const name of chosen) {
          const field = fields.find((f) => f.name === name);
          if (!field) throw new RecordSchemaError(`pk.fields names "${name}", which is not a field of the record key`);
          assertPrimitive(name, field.schema);
          keyColumns.push({ name, schema: field.schema, source: { kind: 'key', field: name } });
        }
      } else {
        if (opts.pkFields.length !== 1) {
          throw new RecordSchemaError(
            `the record key is a primitive ${keySchema.type}: pk.fields must name exactly one column for it (got ${opts.pkFields.length})`,
          );
        }
        assertPrimitive(opts.pkFields[0], keySchema);
        keyColumns.push({ name: opts.pkFields[0], schema: keySchema, source: { kind: 'key', field: null } });
      }
      break;
    }
    case 'record_value': {
      if (tombstone) throw new RecordSchemaError('a tombstone has no value to take pk.mode=record_value keys from');
      const chosen = opts.pkFields.length > 0 ? opts.pkFields : valueFields.map((f) => f.name);
      for (const name of chosen) {
        const field = valueFields.find((f) => f.name === name);
        if (!field) throw new RecordSchemaError(`pk.fields names "${name}", which is not a field of the record value`);
        keyColumns.push({ name, schema: field.schema, source: { kind: 'value', field: name } });
      }
      break;
    }
  }

  const keyNames = new Set(keyColumns.map((c) => c.name));
  const whitelist = opts.fieldsWhitelist.length > 0 ? new Set(opts.fieldsWhitelist) : null;
  const valueColumns: SinkColumn[] = [];
  for (const field of valueFields) {
    if (keyNames.has(field.name)) continue;
    if (whitelist && !whitelist.has(field.name)) continue;
    valueColumns.push({ name: field.name, schema: field.schema, source: { kind: 'value', field: field.name } });
  }
  for (const column of [...keyColumns, ...valueColumns]) {
    try {
      assertPrimitive(column.name, column.schema);
    } catch (err) {
      throw new RecordSchemaError(err instanceof UnsupportedSchemaError ? err.message : String(err));
    }
  }
  return { keyColumns, valueColumns, allColumns: [...keyColumns, ...valueColumns] };
}

/** The Connect value of `column` in `record` (undefined when a struct lacks the field). */
export function columnValue(column: SinkColumn, record: SinkRecord): unknown {
  const source = column.source;
  switch (source.kind) {
    case 'kafka':
      return source.coordinate === 'topic' ? record.topic : source.coordinate === 'partition' ? record.kafkaPartition : record.kafkaOffset;
    case 'key':
      return source.field === null ? record.key : structField(record.key, source.field);
    case 'value':
      return structField(record.value, source.field);
  }
}

function structField(struct: unknown, field: string): unknown {
  if (struct === null || typeof struct !== 'object') return undefined;
  return (struct as Struct)[field];
}
