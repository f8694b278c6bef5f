import type { ConfigDef } from '../config/config-def';
import { DataError } from '../errors/connect-errors';
import type { ConnectRecord } from '../record/connect-record';
import { TIMESTAMP_LOGICAL, type ConnectSchema } from '../record/connect-schema';
import { type RecordSide, sideSchema, sideValue, withSide } from './record-side';
import { SchemaCache, buildStructSchema, mapLike, requireMapEntries, requireStruct } from './struct-support';
import { configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import { TransformConfigError } from './transform-config-error';
import type { Transformation } from './transformation';

const FIELD_DOC_SUFFIX = 'Suffix with ! to make this a required field, or ? to keep it optional (the default).';

const INSERT_FIELD_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'topic.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for Kafka topic. ${FIELD_DOC_SUFFIX}` },
    { name: 'partition.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for Kafka partition. ${FIELD_DOC_SUFFIX}` },
    { name: 'offset.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for Kafka offset - only applicable to sink connectors. ${FIELD_DOC_SUFFIX}` },
    { name: 'timestamp.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for record timestamp. ${FIELD_DOC_SUFFIX}` },
    { name: 'static.field', type: 'STRING', default: null, importance: 'MEDIUM', documentation: `Field name for static data field. ${FIELD_DOC_SUFFIX}` },
    { name: 'static.value', type: 'STRING', default: null, importance: 'MEDIUM', documentation: 'Static field value, if field name configured.' },
  ],
};

interface InsertionSpec {
  readonly name: string;
  readonly optional: boolean;
}

type Insertion = 'topic' | 'partition' | 'offset' | 'timestamp' | 'static';

const INSERTION_SCHEMA_BASE: Record<Insertion, Omit<ConnectSchema, 'optional'>> = {
  topic: { type: 'string' },
  partition: { type: 'int32' },
  offset: { type: 'int64' },
  timestamp: { type: 'int64', name: TIMESTAMP_LOGICAL, version: 1 },
  static: { type: 'string' },
};

/**
 * InsertField (`org.apache.kafka.connect.transforms.InsertField$Key|$Value`): adds the
 * record's topic (string), partition (int32), offset (int64, sink records only),
 * timestamp (Timestamp logical type; a Date with a schema, epoch millis without) and a
 * static string to the key or value.
 *
 * - With a schema the key/value must be a struct; the new schema is the old one plus the
 *   inserted fields (optional unless the field name ends in `!`; `?` or no suffix =
 *   optional), keeping the schema's name and version. Inserting a field that already
 *   exists is a DataError, as is a null value for a required (`!`) field.
 * - Without a schema the key/value must be a map (Map or plain object); the same kind is
 *   returned with the fields added (a null timestamp/partition is not inserted).
 * - A null key/value (e.g. a tombstone) passes through unchanged.
 */
export class InsertField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = INSERT_FIELD_CONFIG_DEF;
  private readonly fields = new Map<Insertion, InsertionSpec>();
  private staticValue: string | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly side: RecordSide) {}

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    this.fields.clear();
    for (const kind of ['topic', 'partition', 'offset', 'timestamp', 'static'] as const) {
      const spec = parseSpec(configString(parsed, `${kind}.field`));
      if (spec !== null) this.fields.set(kind, spec);
    }
    this.staticValue = configString(parsed, 'static.value');
    if (this.fields.has('static') && this.staticValue === null) {
      throw TransformConfigError.missing('static.value');
    }
  }

  apply(record: R): R | null {
    const value = sideValue(record, this.side);
    if (value === null || value === undefined) return record;
    const schema = sideSchema(record, this.side);
    return schema === null ? this.applySchemaless(record, value) : this.applyWithSchema(record, schema, value);
  }

  private insertedValues(record: R, withSchema: boolean): Map<Insertion, unknown> {
    const values = new Map<Insertion, unknown>();
    for (const kind of this.fields.keys()) {
      switch (kind) {
        case 'topic':
          values.set(kind, record.topic);
          break;
        case 'partition':
          values.set(kind, record.kafkaPartition);
          break;
        case 'offset': {
          const offset = (record as { kafkaOffset?: unknown }).kafkaOffset;
          if (typeof offset !== 'number' && typeof offset !== 'bigint') {
            throw new DataError('Offset insertion is only supported for sink connectors, record has no Kafka offset');
          }
          values.set(kind, offset);
          break;
        }
        case 'timestamp':
          values.set(kind, record.timestamp === null ? null : withSchema ? new Date(record.timestamp) : record.timestamp);
          break;
        case 'static':
          values.set(kind, this.staticValue);
          break;
      }
    }
    return values;
  }

  private applySchemaless(record: R, value: unknown): R {
    const entries = requireMapEntries(value, 'field insertion');
    for (const [kind, v] of this.insertedValues(record, false)) {
      if (v === null) continue;
      const name = (this.fields.get(kind) as InsertionSpec).name;
      const existing = entries.findIndex(([k]) => k === name);
      if (existing >= 0) entries[existing] = [name, v];
      else entries.push([name, v]);
    }
    return withSide(record, this.side, null, mapLike(value, entries));
  }

  private applyWithSchema(record: R, schema: ConnectSchema, value: unknown): R {
    const struct = requireStruct(schema, value, 'field insertion');
    const updatedSchema = this.schemas.get(schema, (s) =>
      buildStructSchema(s, [
        ...(s.fields ?? []).map((f) => ({ name: f.name, schema: f.schema })),
        ...[...this.fields].map(([kind, spec]) => ({ name: spec.name, schema: { ...INSERTION_SCHEMA_BASE[kind], optional: spec.optional } })),
      ]),
    );
    const updated: Record<string, unknown> = {};
    for (const f of schema.fields ?? []) updated[f.name] = struct[f.name] ?? null;
    for (const [kind, v] of this.insertedValues(record, true)) {
      const spec = this.fields.get(kind) as InsertionSpec;
      if (v === null && !spec.optional) throw new DataError(`Invalid value: null used for required field: "${spec.name}", schema type: ${INSERTION_SCHEMA_BASE[kind].type}`);
      updated[spec.name] = v;
    }
    return withSide(record, this.side, updatedSchema, updated);
  }
}

function parseSpec(text: string | null): InsertionSpec | null {
  if (text === null || text === '') return null;
  if (text.endsWith('!')) return { name: text.slice(0, -1), optional: false };
  if (text.endsWith('?')) return { name: text.slice(0, -1), optional: true };
  return { name: text, optional: true };
}
