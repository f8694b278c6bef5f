import type { ConfigDef } from '../config/config-def';
import { DataError } from '../errors/connect-errors';
import type { ConnectHeader, ConnectRecord } from '../record/connect-record';
import type { ConnectSchema } from '../record/connect-schema';
import { SchemaCache, asOptional, buildStructSchema, isPlainObject, mapLike, requireMapEntries } from './struct-support';
import { configBoolean, configList, configString } from '../config/config-readers';
import { parseTransformConfig } from './transform-config';
import type { Transformation } from './transformation';

const EXTRACT_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'drop.tombstones', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Debezium by default generates a tombstone record to enable Kafka compaction after a delete record was generated. This record is usually filtered out to avoid duplicates as a delete record is converted to a tombstone record, too.' },
    {
      name: 'delete.handling.mode',
      type: 'STRING',
      default: 'drop',
      allowedValues: ['drop', 'rewrite', 'none'],
      importance: 'MEDIUM',
      documentation: "How to handle delete records. Options are: none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records.",
    },
    { name: 'add.fields', type: 'LIST', default: '', importance: 'LOW', documentation: 'Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: version,connector,source.ts_ms would add __version, __connector and __source_ts_ms fields. Plain names are read from the envelope when it has them (op, ts_ms), otherwise from source.' },
    { name: 'add.fields.prefix', type: 'STRING', default: '__', importance: 'LOW', documentation: 'Adds this prefix to each field listed.' },
    { name: 'add.headers', type: 'LIST', default: '', importance: 'LOW', documentation: 'Adds each field listed to the header, __ (or __<struct>_ if the struct is specified). Example: version,connector,source.ts_ms would add __version, __connector and __source_ts_ms headers.' },
    { name: 'add.headers.prefix', type: 'STRING', default: '__', importance: 'LOW', documentation: 'Adds this prefix listed to each header.' },
  ],
};

type DeleteHandling = 'drop' | 'rewrite' | 'none';

/** Where an `add.fields` / `add.headers` entry is read from and what it is called. */
interface FieldReference {
  /** Envelope field holding the value, or holding the struct that holds it. */
  readonly envelopeField: string;
  /** Field inside `envelopeField`'s struct, or null for the envelope field itself. */
  readonly nested: string | null;
  /** Output name without prefix: `op`, `table`, `source_ts_ms`. */
  readonly outputName: string;
}

const DELETED_FIELD = '__deleted';

/**
 * Debezium's ExtractNewRecordState (`io.debezium.transforms.ExtractNewRecordState`):
 * replaces a change-event envelope `{before, after, source, op, ts_ms}` by its `after`
 * state (a struct with its schema, or a plain object / Map schemaless).
 *
 * - Truncate events (`op` = "t", no before/after): dropped.
 * - Tombstones (null value): dropped when `drop.tombstones=true` (default), else kept.
 * - Deletes (`op` = "d"): `delete.handling.mode=drop` (default) drops them; `none` keeps
 *   the record with a null value (schema: the `after` schema); `rewrite` emits `before`
 *   plus `__deleted: "true"` — in rewrite mode every other event gets `__deleted: "false"`
 *   (an optional string field, last).
 * - `add.fields=op,table,source.ts_ms` adds `__op`, `__table`, `__source_ts_ms`: a plain
 *   name comes from the envelope when the envelope has that field (op, ts_ms), otherwise
 *   from `source`; `struct.field` names a field of an envelope struct (prefix
 *   `add.fields.prefix`, dots become underscores). With a schema each added field has the
 *   source field's schema made optional; a field missing from the event's schema is a
 *   DataError.
 * - `add.headers` adds the same values as string headers (`add.headers.prefix`); null
 *   values become null headers.
 * - A value that is not an envelope (no `op` / `after` fields: heartbeats, schema change
 *   events) passes through unchanged.
 */
export class ExtractNewRecordState<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  readonly configDef = EXTRACT_CONFIG_DEF;
  private dropTombstones = true;
  private deleteHandling: DeleteHandling = 'drop';
  private addFields: FieldReference[] = [];
  private addFieldsPrefix = '__';
  private addHeaders: FieldReference[] = [];
  private addHeadersPrefix = '__';
  private readonly schemas = new SchemaCache();

  configure(config: Record<string, string>): void {
    const parsed = parseTransformConfig(this.configDef, config);
    this.dropTombstones = configBoolean(parsed, 'drop.tombstones');
    this.deleteHandling = (configString(parsed, 'delete.handling.mode') ?? 'drop') as DeleteHandling;
    this.addFields = configList(parsed, 'add.fields').map(parseReference);
    this.addFieldsPrefix = configString(parsed, 'add.fields.prefix') ?? '__';
    this.addHeaders = configList(parsed, 'add.headers').map(parseReference);
    this.addHeadersPrefix = configString(parsed, 'add.headers.prefix') ?? '__';
  }

  apply(record: R): R | null {
    if (record.value === null || record.value === undefined) return this.dropTombstones ? null : record;
    const schema = record.valueSchema;
    const envelope = readEnvelope(record.value, schema);
    if (envelope === null) return record;
    const op = envelope.get('op');
    // a truncate event (op t) has no row state to extract: dropped, so sinks never see a keyless null
    if (op === 't') return null;
    const isDelete = op === 'd';
    if (isDelete && this.deleteHandling === 'drop') return null;

    const headers = this.addHeaders.length === 0 ? record.headers : [...record.headers, ...this.headersFor(envelope)];
    const afterSchema = schema?.fields?.find((f) => f.name === 'after')?.schema ?? null;
    if (isDelete && this.deleteHandling === 'none') return { ...record, valueSchema: afterSchema, value: null, headers };

    const state = isDelete ? envelope.get('before') : envelope.get('after');
    if (state === null || state === undefined) return { ...record, valueSchema: afterSchema, value: null, headers };
    const rewrite = this.deleteHandling === 'rewrite';
    const extra: Array<[string, unknown]> = this.addFields.map((ref) => [this.addFieldsPrefix + ref.outputName, valueOf(envelope, ref)]);
    if (rewrite) extra.push([DELETED_FIELD, isDelete ? 'true' : 'false']);

    if (schema === null || afterSchema === null) {
      const entries = requireMapEntries(state, 'ExtractNewRecordState');
      return { ...record, valueSchema: null, value: mapLike(state, [...entries, ...extra]), headers };
    }
    if (!isPlainObject(state)) throw new DataError('ExtractNewRecordState: the after/before state is not a struct');
    const updatedSchema = this.schemas.get(schema, (s) => this.updatedSchema(s, afterSchema, rewrite));
    const value: Record<string, unknown> = {};
    for (const f of afterSchema.fields ?? []) value[f.name] = state[f.name] ?? null;
    for (const [name, v] of extra) value[name] = v ?? null;
    return { ...record, valueSchema: updatedSchema, value, headers };
  }

  private updatedSchema(envelopeSchema: ConnectSchema, afterSchema: ConnectSchema, rewrite: boolean): ConnectSchema {
    if (this.addFields.length === 0 && !rewrite) return afterSchema;
    const fields = (afterSchema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema }));
    for (const ref of this.addFields) fields.push({ name: this.addFieldsPrefix + ref.outputName, schema: asOptional(schemaOf(envelopeSchema, ref)) });
    if (rewrite) fields.push({ name: DELETED_FIELD, schema: { type: 'string', optional: true } });
    return buildStructSchema(afterSchema, fields);
  }

  private headersFor(envelope: Envelope): ConnectHeader[] {
    return this.addHeaders.map((ref) => {
      const v = valueOf(envelope, ref);
      return { key: this.addHeadersPrefix + ref.outputName, value: v === null || v === undefined ? null : headerText(v) };
    });
  }
}

/** Read access to an envelope, whichever representation it has. */
interface Envelope {
  get(field: string): unknown;
  has(field: string): boolean;
}

function readEnvelope(value: unknown, schema: ConnectSchema | null): Envelope | null {
  if (schema !== null) {
    if (schema.type !== 'struct' || !isPlainObject(value)) return null;
    const names = new Set((schema.fields ?? []).map((f) => f.name));
    if (!names.has('op') || !names.has('after')) return null;
    return { get: (f) => value[f], has: (f) => names.has(f) };
  }
  if (value instanceof Map) {
    if (!value.has('op') || !value.has('after')) return null;
    return { get: (f) => value.get(f), has: (f) => value.has(f) };
  }
  if (isPlainObject(value)) {
    if (!('op' in value) || !('after' in value)) return null;
    return { get: (f) => value[f], has: (f) => f in value };
  }
  return null;
}

function parseReference(text: string): FieldReference {
  const dot = text.indexOf('.');
  if (dot > 0) return { envelopeField: text.slice(0, dot), nested: text.slice(dot + 1), outputName: text.replace(/\./g, '_') };
  return { envelopeField: '', nested: text, outputName: text };
}

/** Resolves a plain name: an envelope field when the envelope has it, else a source field. */
function resolve(ref: FieldReference, hasEnvelopeField: (f: string) => boolean): { envelopeField: string; nested: string | null } {
  if (ref.envelopeField !== '') return ref;
  const name = ref.nested as string;
  return hasEnvelopeField(name) ? { envelopeField: name, nested: null } : { envelopeField: 'source', nested: name };
}

function valueOf(envelope: Envelope, ref: FieldReference): unknown {
  const { envelopeField, nested } = resolve(ref, (f) => envelope.has(f));
  const outer = envelope.get(envelopeField);
  if (nested === null) return outer ?? null;
  if (outer instanceof Map) return outer.get(nested) ?? null;
  if (isPlainObject(outer)) return outer[nested] ?? null;
  return null;
}

function schemaOf(envelopeSchema: ConnectSchema, ref: FieldReference): ConnectSchema {
  const fields = envelopeSchema.fields ?? [];
  const { envelopeField, nested } = resolve(ref, (f) => fields.some((x) => x.name === f));
  const outer = fields.find((f) => f.name === envelopeField)?.schema;
  const found = nested === null ? outer : outer?.fields?.find((f) => f.name === nested)?.schema;
  if (found === undefined) throw new DataError(`ExtractNewRecordState: field ${ref.envelopeField === '' ? ref.nested : `${ref.envelopeField}.${ref.nested}`} not found in the change event schema ${envelopeSchema.name ?? ''}`.trim());
  return found;
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return String(value.getTime());
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}
