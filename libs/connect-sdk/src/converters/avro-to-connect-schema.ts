/**
 * Avro schema JSON -> Connect schema: the reverse of avro-schema-mapping.ts's mapping,
 * whose table and props it reads back (Connect -> Avro -> Connect is lossless for
 * schemas), plus plain Avro: enum -> string, fixed -> bytes, Avro map -> map(string, T),
 * a union of null and one type -> optional. Other unions and recursive records throw
 * ConverterError. Field defaults are decoded from Avro's JSON encoding of defaults
 * (bytes as latin1 strings) into Connect values.
 */
import type { ConnectField, ConnectSchema, SchemaType } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import {
  AVRO_NAMESPACE,
  avroName,
  CONNECT_DOC_PROP,
  CONNECT_NAME_PROP,
  CONNECT_PARAMETERS_PROP,
  CONNECT_TYPE_PROP,
  CONNECT_VERSION_PROP,
  DECIMAL_PRECISION_PARAM,
  DEFAULT_DECIMAL_PRECISION,
  DEFAULT_RECORD_NAME,
  ENUM_PARAM,
  FIXED_SIZE_PARAM,
  MAP_ENTRY_NAME,
  type AvroObject,
  type AvroSchema,
} from './avro-schema-mapping';
import { ConverterError } from './converter';
import { bytesToDecimal, decimalScale, logicalOf } from './logical-values';

type MutableSchema = {
  type: SchemaType;
  optional: boolean;
  name?: string;
  version?: number;
  doc?: string;
  defaultValue?: unknown;
  parameters?: Readonly<Record<string, string>>;
  fields?: readonly ConnectField[];
  valueSchema?: ConnectSchema;
  keySchema?: ConnectSchema;
};

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Avro schema JSON (e.g. a registry's writer schema) -> Connect schema. */
export function avroToConnectSchema(avroSchema: AvroSchema): ConnectSchema {
  return new ToConnect().convert(avroSchema, undefined, false);
}

class ToConnect {
  private readonly named = new Map<string, ConnectSchema | 'pending'>();

  convert(avro: AvroSchema, namespace: string | undefined, optional: boolean): ConnectSchema {
    if (Array.isArray(avro)) {
      const nonNull = avro.filter((b) => b !== 'null');
      if (nonNull.length === 1 && avro.length === 2) return this.convert(nonNull[0], namespace, true);
      throw new ConverterError(`Avro union ${JSON.stringify(avro)} is not supported: only unions of null and one type map to Connect`);
    }
    if (typeof avro === 'string') {
      if (PRIMITIVES.has(avro)) return this.convert({ type: avro }, namespace, optional);
      const full = avro.includes('.') || namespace === undefined ? avro : `${namespace}.${avro}`;
      const hit = this.named.get(full) ?? this.named.get(avro);
      if (hit === undefined) throw new ConverterError(`Unknown Avro type ${avro}`);
      if (hit === 'pending') throw new ConverterError(`Recursive Avro type ${full} is not supported by Connect schemas`);
      return optional && !hit.optional ? { ...hit, optional: true } : hit;
    }
    const type = avro.type;
    if (typeof type !== 'string' && typeof type !== 'object') throw new ConverterError(`Invalid Avro schema ${JSON.stringify(avro)}`);
    if (typeof type === 'object' || (!PRIMITIVES.has(type) && !['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(type))) {
      // {"type": {...}} or {"type": "some.Named"}
      return this.convert(type as AvroSchema, namespace, optional);
    }
    const out: MutableSchema = { type: 'string', optional };
    const logical = avro.logicalType;
    let namedAs: string | undefined;
    switch (type) {
      case 'null':
        throw new ConverterError('Avro type null alone has no Connect equivalent');
      case 'boolean':
        out.type = 'boolean';
        break;
      case 'int':
        out.type = avro[CONNECT_TYPE_PROP] === 'int8' ? 'int8' : avro[CONNECT_TYPE_PROP] === 'int16' ? 'int16' : 'int32';
        if (logical === 'date') setLogical(out, DATE_LOGICAL);
        else if (logical === 'time-millis') setLogical(out, TIME_LOGICAL);
        break;
      case 'long':
        out.type = 'int64';
        if (logical === 'timestamp-millis') setLogical(out, TIMESTAMP_LOGICAL);
        break;
      case 'float':
        out.type = 'float32';
        break;
      case 'double':
        out.type = 'float64';
        break;
      case 'string':
        out.type = 'string';
        break;
      case 'bytes':
        out.type = 'bytes';
        if (logical === 'decimal') {
          setLogical(out, DECIMAL_LOGICAL);
          out.parameters = { scale: String(avro.scale ?? 0), [DECIMAL_PRECISION_PARAM]: String(avro.precision ?? DEFAULT_DECIMAL_PRECISION) };
        }
        break;
      case 'enum': {
        const full = fullName(avro, namespace);
        out.type = 'string';
        out.name = full;
        const params: Record<string, string> = { [ENUM_PARAM]: full };
        for (const symbol of (avro.symbols as string[] | undefined) ?? []) params[`${ENUM_PARAM}.${symbol}`] = symbol;
        out.parameters = params;
        namedAs = full;
        break;
      }
      case 'fixed': {
        const full = fullName(avro, namespace);
        out.type = 'bytes';
        out.name = full;
        out.parameters = { [FIXED_SIZE_PARAM]: String(avro.size) };
        namedAs = full;
        if (logical === 'decimal') {
          setLogical(out, DECIMAL_LOGICAL);
          out.parameters = { scale: String(avro.scale ?? 0), [DECIMAL_PRECISION_PARAM]: String(avro.precision ?? DEFAULT_DECIMAL_PRECISION) };
        }
        break;
      }
      case 'array': {
        const items = avro.items as AvroSchema;
        const entry = this.mapEntryOf(items, namespace);
        if (entry) {
          out.type = 'map';
          out.keySchema = entry.key;
          out.valueSchema = entry.value;
        } else {
          out.type = 'array';
          out.valueSchema = this.convert(items, namespace, false);
        }
        break;
      }
      case 'map':
        out.type = 'map';
        out.keySchema = { type: 'string', optional: false };
        out.valueSchema = this.convert(avro.values as AvroSchema, namespace, false);
        break;
      case 'record':
      case 'error':
        return this.record(avro, namespace, optional);
    }
    applyConnectProps(out, avro);
    const result = freeze(out);
    if (namedAs !== undefined) this.named.set(namedAs, optional ? freeze({ ...result, optional: false }) : result);
    return result;
  }

  private mapEntryOf(items: AvroSchema, namespace: string | undefined): { key: ConnectSchema; value: ConnectSchema } | null {
    if (typeof items !== 'object' || Array.isArray(items) || items.type !== 'record') return null;
    const full = fullName(items, namespace);
    if (!full.startsWith(`${AVRO_NAMESPACE}.${MAP_ENTRY_NAME}`)) return null;
    const fields = items.fields as AvroObject[] | undefined;
    if (!fields || fields.length !== 2 || fields[0].name !== 'key' || fields[1].name !== 'value') return null;
    const ns = namespaceOf(full);
    return { key: this.fieldSchema(fields[0], ns), value: this.fieldSchema(fields[1], ns) };
  }

  private record(avro: AvroObject, namespace: string | undefined, optional: boolean): ConnectSchema {
    const full = fullName(avro, namespace);
    this.named.set(full, 'pending');
    const ns = namespaceOf(full);
    const out: MutableSchema = { type: 'struct', optional };
    const isDefault = new RegExp(`^${AVRO_NAMESPACE.replace(/\./g, '\\.')}\\.${DEFAULT_RECORD_NAME}\\d*$`).test(full);
    if (!isDefault) out.name = full;
    if (typeof avro.doc === 'string') out.doc = avro.doc;
    const fields = (avro.fields as AvroObject[] | undefined) ?? [];
    out.fields = fields.map((f, index) => ({ name: String(f.name), index, schema: this.fieldSchema(f, ns) }));
    applyConnectProps(out, avro);
    const result = freeze(out);
    this.named.set(full, optional ? { ...result, optional: false } : result);
    return result;
  }

  private fieldSchema(field: AvroObject, namespace: string | undefined): ConnectSchema {
    const schema = this.convert(field.type as AvroSchema, namespace, false);
    if (field.default === undefined || field.default === null) return schema;
    return freeze({ ...schema, defaultValue: avroDefaultToConnect(schema, field.default) });
  }
}

function setLogical(out: MutableSchema, name: string): void {
  out.name = name;
  out.version = 1;
}

function applyConnectProps(out: MutableSchema, avro: AvroObject): void {
  if (typeof avro[CONNECT_NAME_PROP] === 'string') out.name = avro[CONNECT_NAME_PROP] as string;
  if (typeof avro[CONNECT_VERSION_PROP] === 'number') out.version = avro[CONNECT_VERSION_PROP] as number;
  if (typeof avro[CONNECT_DOC_PROP] === 'string') out.doc = avro[CONNECT_DOC_PROP] as string;
  const params = avro[CONNECT_PARAMETERS_PROP];
  if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
    out.parameters = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
  }
}

function fullName(avro: AvroObject, namespace: string | undefined): string {
  const name = String(avro.name);
  if (name.includes('.')) return name;
  const ns = typeof avro.namespace === 'string' ? avro.namespace : namespace;
  return ns ? `${ns}.${name}` : name;
}

function namespaceOf(full: string): string | undefined {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? undefined : full.slice(0, dot);
}

function freeze(s: MutableSchema): ConnectSchema {
  const out: MutableSchema = { type: s.type, optional: s.optional };
  if (s.name !== undefined) out.name = s.name;
  if (s.version !== undefined) out.version = s.version;
  if (s.doc !== undefined) out.doc = s.doc;
  if (s.defaultValue !== undefined) out.defaultValue = s.defaultValue;
  if (s.parameters !== undefined) out.parameters = s.parameters;
  if (s.fields !== undefined) out.fields = s.fields;
  if (s.keySchema !== undefined) out.keySchema = s.keySchema;
  if (s.valueSchema !== undefined) out.valueSchema = s.valueSchema;
  return out;
}

/** An Avro field default (JSON encoding) as a Connect value. */
function avroDefaultToConnect(schema: ConnectSchema, value: unknown): unknown {
  if (value === null) return null;
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      const bytes = Buffer.from(String(value), 'latin1');
      return bytesToDecimal(bytes, decimalScale(schema));
    }
    case DATE_LOGICAL:
      return new Date(Number(value) * 86_400_000);
    case TIME_LOGICAL:
    case TIMESTAMP_LOGICAL:
      return new Date(Number(value));
    default:
      break;
  }
  switch (schema.type) {
    case 'bytes':
      return Buffer.from(String(value), 'latin1');
    case 'array':
      return (value as unknown[]).map((v) => avroDefaultToConnect(schema.valueSchema as ConnectSchema, v));
    case 'map': {
      const out = new Map<unknown, unknown>();
      if (Array.isArray(value)) {
        for (const e of value as { key: unknown; value: unknown }[]) out.set(avroDefaultToConnect(schema.keySchema as ConnectSchema, e.key), avroDefaultToConnect(schema.valueSchema as ConnectSchema, e.value));
      } else {
        for (const [k, v] of Object.entries(value as AvroObject)) out.set(k, avroDefaultToConnect(schema.valueSchema as ConnectSchema, v));
      }
      return out;
    }
    case 'struct': {
      const obj = value as AvroObject;
      return Object.fromEntries((schema.fields ?? []).map((f) => [f.name, avroDefaultToConnect(f.schema, obj[avroName(f.name)] ?? null)]));
    }
    default:
      return value;
  }
}
