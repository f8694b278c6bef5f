/**
 * Connect schemas <-> Avro schemas, after Confluent's AvroData (what AvroConverter
 * registers, byte-compatible with Confluent's JSON text for the common cases):
 *
 *   int8 / int16      {"type":"int","connect.type":"int8" | "int16"}
 *   int32, int64      "int", "long";  float32, float64 -> "float", "double"
 *   boolean, string, bytes as themselves
 *   Decimal           {"type":"bytes","scale":s,"precision":p,...,"logicalType":"decimal"}
 *                     p from parameter "connect.decimal.precision" (default 64)
 *   Date / Time       {"type":"int",...,"logicalType":"date" | "time-millis"}
 *   Timestamp         {"type":"long",...,"logicalType":"timestamp-millis"}
 *   array             {"type":"array","items":T}
 *   map, string keys  {"type":"map","values":T}
 *   map, other keys   array of records io.confluent.connect.avro.MapEntry {key, value}
 *   struct            record named by the schema name (namespace = up to the last dot), or
 *                     io.confluent.connect.avro.ConnectDefault (numbered when several)
 *   optional          union ["null", T] (field default null), or [T, "null"] when the
 *                     schema has a non-null default (field default = that value)
 * Connect metadata travels as props, in Confluent's order: "connect.version",
 * "connect.doc", "connect.parameters", "connect.name" (records carry "doc" instead of connect.doc).
 * Invalid characters in record names become "_" (the exact name stays in connect.name).
 * A struct schema met again (same name, same definition) is referenced by its full name.
 *
 * The reverse mapping reads those props back (so Connect -> Avro -> Connect is lossless
 * for schemas), and maps plain Avro too: enum -> string, fixed -> bytes, Avro map ->
 * map(string, T), unions with null -> optional. Other unions and recursive records are
 * not supported (ConverterError). That direction lives in avro-to-connect-schema.ts; this
 * file holds the Connect -> Avro direction and the names and props both share.
 */
import type { ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { ConverterError } from './converter';
import { dateToDays, decimalScale, decimalToBytes, logicalOf, mapEntries, timestampToMillis, timeToMillis } from './logical-values';

export const AVRO_NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_RECORD_NAME = 'ConnectDefault';
export const MAP_ENTRY_NAME = 'MapEntry';
export const CONNECT_NAME_PROP = 'connect.name';
export const CONNECT_DOC_PROP = 'connect.doc';
export const CONNECT_VERSION_PROP = 'connect.version';
export const CONNECT_PARAMETERS_PROP = 'connect.parameters';
export const CONNECT_TYPE_PROP = 'connect.type';
export const DECIMAL_PRECISION_PARAM = 'connect.decimal.precision';
export const DEFAULT_DECIMAL_PRECISION = 64;
export const ENUM_PARAM = 'io.confluent.connect.avro.Enum';
export const FIXED_SIZE_PARAM = 'connect.fixed.size';

/** An Avro schema as JSON (what avsc and the registry take). */
export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };
/** An Avro schema object (record, field, array, ...). */
export type AvroObject = { [key: string]: unknown };

/** Connect schema -> Avro schema JSON. */
export function connectToAvroSchema(schema: ConnectSchema): AvroSchema {
  return new ToAvro().convert(schema, true);
}

class ToAvro {
  private readonly defined = new Map<string, string>();
  private defaultCount = 0;
  private mapEntryCount = 0;
  /** Namespace of the enclosing record (Avro's default for nested names). */
  private ns: string | undefined;

  convert(schema: ConnectSchema, wrapOptional: boolean): AvroSchema {
    const base = this.base(schema);
    if (!wrapOptional || !schema.optional) return base;
    return hasDefault(schema) ? [base, 'null'] : ['null', base];
  }

  private base(schema: ConnectSchema): AvroSchema {
    if (schema.type === 'struct') return this.record(schema);
    const out: AvroObject = {};
    switch (logicalOf(schema)) {
      case DECIMAL_LOGICAL: {
        const scale = decimalScale(schema);
        const p = schema.parameters?.[DECIMAL_PRECISION_PARAM];
        out.type = 'bytes';
        out.scale = scale;
        out.precision = p === undefined ? DEFAULT_DECIMAL_PRECISION : Number(p);
        break;
      }
      case DATE_LOGICAL:
      case TIME_LOGICAL:
        out.type = 'int';
        break;
      case TIMESTAMP_LOGICAL:
        out.type = 'long';
        break;
      default:
        switch (schema.type) {
          case 'int8':
          case 'int16':
            out.type = 'int';
            out[CONNECT_TYPE_PROP] = schema.type;
            break;
          case 'int32':
            out.type = 'int';
            break;
          case 'int64':
            out.type = 'long';
            break;
          case 'float32':
            out.type = 'float';
            break;
          case 'float64':
            out.type = 'double';
            break;
          case 'boolean':
          case 'string':
          case 'bytes':
            out.type = schema.type;
            break;
          case 'array':
            out.type = 'array';
            out.items = this.convert(required(schema.valueSchema, 'Array schema did not specify the element type'), true);
            break;
          case 'map': {
            const keySchema = required(schema.keySchema, 'Map schema did not specify the key type');
            const valueSchema = required(schema.valueSchema, 'Map schema did not specify the value type');
            out.type = keySchema.type === 'string' && !keySchema.optional && keySchema.name === undefined ? 'map' : 'array';
            if (out.type === 'map') out.values = this.convert(valueSchema, true);
            else out.items = this.mapEntry(keySchema, valueSchema);
            break;
          }
        }
    }
    addConnectProps(out, schema);
    const logical = logicalOf(schema);
    if (logical === DECIMAL_LOGICAL) out.logicalType = 'decimal';
    else if (logical === DATE_LOGICAL) out.logicalType = 'date';
    else if (logical === TIME_LOGICAL) out.logicalType = 'time-millis';
    else if (logical === TIMESTAMP_LOGICAL) out.logicalType = 'timestamp-millis';
    const keys = Object.keys(out);
    return keys.length === 1 ? (out.type as string) : out;
  }

  private mapEntry(keySchema: ConnectSchema, valueSchema: ConnectSchema): AvroSchema {
    this.mapEntryCount++;
    const name = this.mapEntryCount === 1 ? MAP_ENTRY_NAME : `${MAP_ENTRY_NAME}${this.mapEntryCount}`;
    return this.named(name, AVRO_NAMESPACE, () => [this.field('key', keySchema), this.field('value', valueSchema)], {});
  }

  /**
   * A record definition, written as Avro's Java toString does: "namespace" only when it
   * differs from the enclosing one ("" to leave a namespace), nested names resolved
   * against it.
   */
  private named(name: string, namespace: string | undefined, fields: () => AvroObject[], extra: { doc?: string }): AvroObject {
    const out: AvroObject = { type: 'record', name };
    if (namespace !== this.ns) out.namespace = namespace ?? '';
    if (extra.doc !== undefined) out.doc = extra.doc;
    const outer = this.ns;
    this.ns = namespace;
    try {
      out.fields = fields();
    } finally {
      this.ns = outer;
    }
    return out;
  }

  private record(schema: ConnectSchema): AvroSchema {
    let name: string;
    let namespace: string | undefined;
    if (schema.name !== undefined && schema.name !== '') {
      const clean = schema.name
        .split('.')
        .map((part) => avroName(part))
        .join('.');
      const dot = clean.lastIndexOf('.');
      name = dot < 0 ? clean : clean.slice(dot + 1);
      namespace = dot < 0 ? undefined : clean.slice(0, dot);
    } else {
      this.defaultCount++;
      name = this.defaultCount === 1 ? DEFAULT_RECORD_NAME : `${DEFAULT_RECORD_NAME}${this.defaultCount}`;
      namespace = AVRO_NAMESPACE;
    }
    const fullName = namespace ? `${namespace}.${name}` : name;
    const fingerprint = schemaFingerprint({ ...schema, optional: false, defaultValue: undefined });
    const seen = this.defined.get(fullName);
    if (seen !== undefined) {
      if (seen === fingerprint) return namespace === this.ns ? name : fullName;
      throw new ConverterError(`Two different struct schemas share the name ${fullName}; Avro needs distinct names`);
    }
    this.defined.set(fullName, fingerprint);
    const out = this.named(name, namespace, () => (schema.fields ?? []).map((f) => this.field(f.name, f.schema)), { doc: schema.doc });
    addConnectProps(out, schema, false);
    return out;
  }

  private field(name: string, schema: ConnectSchema): AvroObject {
    const out: AvroObject = { name: avroName(name), type: this.convert(schema, true) };
    if (hasDefault(schema)) out.default = avroDefault(schema, schema.defaultValue);
    else if (schema.optional) out.default = null;
    return out;
  }
}

function required<T>(v: T | undefined, message: string): T {
  if (v === undefined) throw new ConverterError(message);
  return v;
}

function hasDefault(schema: ConnectSchema): boolean {
  return schema.defaultValue !== undefined && schema.defaultValue !== null;
}

function addConnectProps(out: AvroObject, schema: ConnectSchema, withDoc = true): void {
  if (schema.version !== undefined) out[CONNECT_VERSION_PROP] = schema.version;
  if (withDoc && schema.doc !== undefined) out[CONNECT_DOC_PROP] = schema.doc;
  if (schema.parameters !== undefined) out[CONNECT_PARAMETERS_PROP] = { ...schema.parameters };
  if (schema.name !== undefined) out[CONNECT_NAME_PROP] = schema.name;
}

/** An Avro name: [A-Za-z_][A-Za-z0-9_]*, other characters replaced by "_". */
export function avroName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

function schemaFingerprint(schema: ConnectSchema): string {
  return JSON.stringify(schema, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v));
}

/** A Connect default value in Avro's JSON encoding of defaults (bytes as latin1 strings). */
function avroDefault(schema: ConnectSchema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL:
      return decimalToBytes(value, decimalScale(schema)).toString('latin1');
    case DATE_LOGICAL:
      return dateToDays(value);
    case TIME_LOGICAL:
      return timeToMillis(value);
    case TIMESTAMP_LOGICAL:
      return timestampToMillis(value);
    default:
      break;
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'bytes':
      return Buffer.isBuffer(value) ? value.toString('latin1') : value;
    case 'array':
      return (value as unknown[]).map((v) => avroDefault(schema.valueSchema as ConnectSchema, v));
    case 'map': {
      const entries = mapEntries(value);
      const keySchema = schema.keySchema as ConnectSchema;
      const valueSchema = schema.valueSchema as ConnectSchema;
      if (keySchema.type === 'string' && !keySchema.optional && keySchema.name === undefined) {
        return Object.fromEntries(entries.map(([k, v]) => [String(k), avroDefault(valueSchema, v)]));
      }
      return entries.map(([k, v]) => ({ key: avroDefault(keySchema, k), value: avroDefault(valueSchema, v) }));
    }
    case 'struct': {
      const struct = value as Record<string, unknown>;
      return Object.fromEntries((schema.fields ?? []).map((f) => [avroName(f.name), avroDefault(f.schema, struct[f.name] ?? f.schema.defaultValue ?? null)]));
    }
    default:
      return value;
  }
}
