/**
 * The record format of the `_schemas` topic, as Confluent Schema Registry writes it, so
 * that either registry can read the other's topic.
 *
 * Keys and values are UTF-8 JSON. The key names a row; the latest record per key wins
 * (the topic is compacted) and a null value (tombstone) deletes the row.
 *
 * | keytype          | key                                                            | value                                                                    |
 * | ---------------- | -------------------------------------------------------------- | ------------------------------------------------------------------------ |
 * | `SCHEMA`         | `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}`       | `{"subject","version","id","schemaType"?,"references"?,"schema","deleted"}` (schemaType omitted for AVRO, references omitted when empty) |
 * | `CONFIG`         | `{"keytype":"CONFIG","subject":s or null,"magic":0}`           | `{"compatibilityLevel"?,"normalize"?}`; tombstone = config removed        |
 * | `MODE`           | `{"keytype":"MODE","subject":s or null,"magic":0}`             | `{"mode":"READWRITE"/"READONLY"/"IMPORT"}`; tombstone = mode removed      |
 * | `DELETE_SUBJECT` | `{"keytype":"DELETE_SUBJECT","subject":s,"magic":0}`           | `{"subject":s,"version":v}`: every version <= v of s is soft-deleted      |
 * | `CLEAR_SUBJECT`  | `{"keytype":"CLEAR_SUBJECT","subject":s,"magic":0}`            | `{"subject":s}`: forget the soft-deleted versions of s (before IMPORT)   |
 * | `NOOP`           | `{"keytype":"NOOP","magic":0}`                                 | ignored                                                                  |
 * | `ID_WATERMARK`   | `{"keytype":"ID_WATERMARK","magic":0}` (Millrace extension)    | `{"maxId":n}`: ids <= n are spent even if their SCHEMA rows were tombstoned |
 *
 * `subject: null` in CONFIG and MODE keys is the global row. ID_WATERMARK is written only
 * before permanent deletes (so that compaction of tombstoned rows can never let an id be
 * reused); Confluent's reader skips key types it does not know.
 */

export const SCHEMAS_TOPIC = '_schemas';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';
export type Mode = 'READWRITE' | 'READONLY' | 'IMPORT';

export interface SchemaReferenceRecord {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaKey {
  keytype: 'SCHEMA';
  subject: string;
  version: number;
}
export interface ConfigKey {
  keytype: 'CONFIG';
  subject: string | null;
}
export interface ModeKey {
  keytype: 'MODE';
  subject: string | null;
}
export interface DeleteSubjectKey {
  keytype: 'DELETE_SUBJECT';
  subject: string;
}
export interface ClearSubjectKey {
  keytype: 'CLEAR_SUBJECT';
  subject: string;
}
export interface NoopKey {
  keytype: 'NOOP';
}
export interface IdWatermarkKey {
  keytype: 'ID_WATERMARK';
}
export type RegistryKey = SchemaKey | ConfigKey | ModeKey | DeleteSubjectKey | ClearSubjectKey | NoopKey | IdWatermarkKey;

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReferenceRecord[];
  schema: string;
  deleted: boolean;
}
export interface ConfigValue {
  compatibilityLevel?: string;
  normalize?: boolean;
}
export interface ModeValue {
  mode: Mode;
}
export interface DeleteSubjectValue {
  subject: string;
  version: number;
}
export interface ClearSubjectValue {
  subject: string;
}
export interface IdWatermarkValue {
  maxId: number;
}

/** A decoded `_schemas` record: the value is null for a tombstone. */
export type RegistryRecord =
  | { key: SchemaKey; value: SchemaValue | null }
  | { key: ConfigKey; value: ConfigValue | null }
  | { key: ModeKey; value: ModeValue | null }
  | { key: DeleteSubjectKey; value: DeleteSubjectValue | null }
  | { key: ClearSubjectKey; value: ClearSubjectValue | null }
  | { key: NoopKey; value: null }
  | { key: IdWatermarkKey; value: IdWatermarkValue | null };

/** Encodes a key with Confluent's field order (keytype, subject, version, magic). */
export function encodeKey(key: RegistryKey): string {
  switch (key.keytype) {
    case 'SCHEMA':
      return JSON.stringify({ keytype: key.keytype, subject: key.subject, version: key.version, magic: 1 });
    case 'CONFIG':
    case 'MODE':
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      return JSON.stringify({ keytype: key.keytype, subject: key.subject, magic: 0 });
    case 'NOOP':
    case 'ID_WATERMARK':
      return JSON.stringify({ keytype: key.keytype, magic: 0 });
  }
}

/** Encodes a value; null stays null (tombstone). */
export function encodeValue(record: RegistryRecord): string | null {
  if (record.value === null) return null;
  if (record.key.keytype === 'SCHEMA') {
    const v = record.value as SchemaValue;
    return JSON.stringify({
      subject: v.subject,
      version: v.version,
      id: v.id,
      ...(v.schemaType !== 'AVRO' ? { schemaType: v.schemaType } : {}),
      ...(v.references.length > 0 ? { references: v.references } : {}),
      schema: v.schema,
      deleted: v.deleted,
    });
  }
  return JSON.stringify(record.value);
}

/** Thrown for a record this registry cannot interpret; the reader logs and skips it. */
export class RecordFormatError extends Error {}

const MODES: ReadonlySet<string> = new Set(['READWRITE', 'READONLY', 'IMPORT', 'READONLY_OVERRIDE']);
const SCHEMA_TYPES: ReadonlySet<string> = new Set(['AVRO', 'JSON', 'PROTOBUF']);

function asObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RecordFormatError(`${what} is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RecordFormatError(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

function str(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw new RecordFormatError(`field ${field} must be a string`);
  return v;
}

function int(o: Record<string, unknown>, field: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RecordFormatError(`field ${field} must be an integer`);
  return v;
}

function optionalSubject(o: Record<string, unknown>): string | null {
  const v = o.subject;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new RecordFormatError('field subject must be a string or null');
  return v;
}

function decodeReferences(v: unknown): SchemaReferenceRecord[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RecordFormatError('references must be an array');
  return v.map((r: unknown) => {
    if (typeof r !== 'object' || r === null) throw new RecordFormatError('a reference must be an object');
    const o = r as Record<string, unknown>;
    return { name: str(o, 'name'), subject: str(o, 'subject'), version: int(o, 'version') };
  });
}

/**
 * Decodes one record. Throws RecordFormatError for a key or value it cannot interpret
 * (including key types this registry does not know, e.g. Confluent's CONTEXT).
 */
export function decodeRecord(keyText: string, valueText: string | null): RegistryRecord {
  const k = asObject(keyText, 'key');
  const keytype = k.keytype;
  const value = valueText === null ? null : asObject(valueText, 'value');
  switch (keytype) {
    case 'SCHEMA': {
      const key: SchemaKey = { keytype, subject: str(k, 'subject'), version: int(k, 'version') };
      if (value === null) return { key, value: null };
      const schemaType = value.schemaType === undefined || value.schemaType === null ? 'AVRO' : str(value, 'schemaType');
      if (!SCHEMA_TYPES.has(schemaType)) throw new RecordFormatError(`unknown schemaType ${schemaType}`);
      return {
        key,
        value: {
          subject: str(value, 'subject'),
          version: int(value, 'version'),
          id: int(value, 'id'),
          schemaType: schemaType as SchemaType,
          references: decodeReferences(value.references),
          schema: str(value, 'schema'),
          deleted: value.deleted === true,
        },
      };
    }
    case 'CONFIG': {
      const key: ConfigKey = { keytype, subject: optionalSubject(k) };
      if (value === null) return { key, value: null };
      const config: ConfigValue = {};
      if (typeof value.compatibilityLevel === 'string') config.compatibilityLevel = value.compatibilityLevel;
      else if (typeof value.compatibility === 'string') config.compatibilityLevel = value.compatibility;
      if (typeof value.normalize === 'boolean') config.normalize = value.normalize;
      return { key, value: config };
    }
    case 'MODE': {
      const key: ModeKey = { keytype, subject: optionalSubject(k) };
      if (value === null) return { key, value: null };
      const mode = str(value, 'mode');
      if (!MODES.has(mode)) throw new RecordFormatError(`unknown mode ${mode}`);
      return { key, value: { mode: (mode === 'READONLY_OVERRIDE' ? 'READONLY' : mode) as Mode } };
    }
    case 'DELETE_SUBJECT': {
      const key: DeleteSubjectKey = { keytype, subject: str(k, 'subject') };
      if (value === null) return { key, value: null };
      return { key, value: { subject: str(value, 'subject'), version: int(value, 'version') } };
    }
    case 'CLEAR_SUBJECT': {
      const key: ClearSubjectKey = { keytype, subject: optionalSubject(k) ?? '' };
      if (value === null) return { key, value: null };
      return { key, value: { subject: optionalSubject(value) ?? '' } };
    }
    case 'NOOP':
      return { key: { keytype }, value: null };
    case 'ID_WATERMARK': {
      const key: IdWatermarkKey = { keytype };
      if (value === null) return { key, value: null };
      return { key, value: { maxId: int(value, 'maxId') } };
    }
    default:
      throw new RecordFormatError(`unknown keytype ${String(keytype)}`);
  }
}
