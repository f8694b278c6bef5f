/**
 * Kafka Connect's JSON schema format (the `schema` half of JsonConverter's envelope) <->
 * ConnectSchema. Keys are written in Kafka's order:
 *   {"type": ..., ["items" | "keys","values" | "fields"], "optional", ["name"], ["version"],
 *    ["doc"], ["parameters"], ["default"]}
 * with struct fields as the field's schema followed by `"field": name`. Type names are
 * Kafka's: boolean, int8, int16, int32, int64, float (float32), double (float64), bytes,
 * string, array, map, struct. Defaults are written with json-data.ts (same options as the
 * payload). Reading is lenient where Kafka is (optional false unless true; unknown keys
 * ignored) and strict where Kafka is (type required and known, parameters strings).
 */
import type { ConnectField, ConnectSchema, SchemaType } from '../record/connect-schema';
import { ConverterError } from './converter';
import { connectToJson, jsonToConnect, type JsonDataOptions } from './json-data';
import { JsonRawNumber, type JsonTree } from './json-text';

type JsonObject = { [key: string]: JsonTree };

const TYPE_NAMES: Record<SchemaType, string> = {
  boolean: 'boolean',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  bytes: 'bytes',
  string: 'string',
  array: 'array',
  map: 'map',
  struct: 'struct',
};

const SCHEMA_TYPES: Record<string, SchemaType> = Object.fromEntries(Object.entries(TYPE_NAMES).map(([k, v]) => [v, k as SchemaType]));

/** ConnectSchema -> JSON schema tree. */
export function connectSchemaToJson(schema: ConnectSchema, opts: JsonDataOptions): JsonObject {
  const out: JsonObject = { type: TYPE_NAMES[schema.type] };
  if (out.type === undefined) throw new ConverterError(`Couldn't translate unsupported schema type ${String(schema.type)}.`);
  switch (schema.type) {
    case 'array':
      if (!schema.valueSchema) throw new ConverterError('Array schema did not specify the element type');
      out.items = connectSchemaToJson(schema.valueSchema, opts);
      break;
    case 'map':
      if (!schema.keySchema || !schema.valueSchema) throw new ConverterError('Map schema did not specify the key and value types');
      out.keys = connectSchemaToJson(schema.keySchema, opts);
      out.values = connectSchemaToJson(schema.valueSchema, opts);
      break;
    case 'struct':
      out.fields = (schema.fields ?? []).map((f) => ({ ...connectSchemaToJson(f.schema, opts), field: f.name }));
      break;
    default:
      break;
  }
  out.optional = schema.optional;
  if (schema.name !== undefined) out.name = schema.name;
  if (schema.version !== undefined) out.version = schema.version;
  if (schema.doc !== undefined) out.doc = schema.doc;
  if (schema.parameters !== undefined) out.parameters = { ...schema.parameters };
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) out.default = connectToJson(schema, schema.defaultValue, opts, 'default');
  return out;
}

function isObject(node: JsonTree | undefined): node is JsonObject {
  return node !== null && node !== undefined && typeof node === 'object' && !Array.isArray(node) && !(node instanceof JsonRawNumber);
}

/** JSON schema tree -> ConnectSchema; null for a JSON null. */
export function jsonToConnectSchema(node: JsonTree | undefined): ConnectSchema | null {
  if (node === null || node === undefined) return null;
  if (!isObject(node)) throw new ConverterError('Schema must be a JSON object');
  const typeName = node.type;
  if (typeof typeName !== 'string') throw new ConverterError("Schema must contain 'type' field");
  const type = SCHEMA_TYPES[typeName];
  if (type === undefined) throw new ConverterError(`Unknown schema type: ${typeName}`);
  const schema: {
    type: SchemaType;
    optional: boolean;
    name?: string;
    version?: number;
    doc?: string;
    defaultValue?: unknown;
    parameters?: Record<string, string>;
    fields?: ConnectField[];
    valueSchema?: ConnectSchema;
    keySchema?: ConnectSchema;
  } = { type, optional: node.optional === true };
  switch (type) {
    case 'array': {
      const items = jsonToConnectSchema(node.items);
      if (!items) throw new ConverterError('Array schema did not specify the element type');
      schema.valueSchema = items;
      break;
    }
    case 'map': {
      const keys = jsonToConnectSchema(node.keys);
      if (!keys) throw new ConverterError('Map schema did not specify the key type');
      const values = jsonToConnectSchema(node.values);
      if (!values) throw new ConverterError('Map schema did not specify the value type');
      schema.keySchema = keys;
      schema.valueSchema = values;
      break;
    }
    case 'struct': {
      const fields = node.fields;
      if (!Array.isArray(fields)) throw new ConverterError('Struct schema\'s "fields" argument is not an array.');
      schema.fields = fields.map((f, index) => {
        if (!isObject(f) || typeof f.field !== 'string') throw new ConverterError("Struct schema's field name not specified properly");
        return { name: f.field, index, schema: jsonToConnectSchema(f) as ConnectSchema };
      });
      break;
    }
    default:
      break;
  }
  if (typeof node.name === 'string') schema.name = node.name;
  if (typeof node.version === 'number' && Number.isInteger(node.version)) schema.version = node.version;
  if (typeof node.doc === 'string') schema.doc = node.doc;
  if (isObject(node.parameters)) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(node.parameters)) {
      if (typeof v !== 'string') throw new ConverterError('Schema parameters must have string values.');
      params[k] = v;
    }
    schema.parameters = params;
  }
  if (node.default !== undefined && node.default !== null) schema.defaultValue = jsonToConnect(schema, node.default, 'default');
  return schema;
}
