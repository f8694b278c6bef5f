/**
 * Connect values <-> JSON trees (json-text.ts), after Kafka's JsonConverter:
 *
 * - int8..int64 as JSON integers (int64 beyond 2^53 as exact digits), float32/float64 as
 *   JSON numbers written like Java does ("1.0" for an integral float; float32 with the
 *   shortest digits that read back as the same float32), boolean, string; bytes as base64;
 *   array as a JSON array; struct as an object in field order; map with string keys as an
 *   object, any other map as an array of [key, value] pairs.
 * - Logical types: Decimal as base64 of the unscaled two's complement bytes (`BASE64`) or
 *   as an exact JSON number (`NUMERIC`); Date/Time as int32; Timestamp as int64.
 * - null: the schema's default when it has one (unless `replaceNullWithDefault` is off),
 *   null when optional, otherwise an error.
 * - Without a schema (schemaless) the JSON type decides: integers -> int64 (number, or
 *   bigint beyond 2^53), other numbers -> float64, objects -> plain objects, arrays ->
 *   arrays. Writing schemaless data: Buffers as base64, Dates as epoch milliseconds,
 *   Maps with non-string keys as [key, value] pairs.
 * Reading with a schema, maps become `Map`s and structs plain objects in field order.
 */
import type { ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { ConverterError } from './converter';
import { JsonRawNumber, type JsonTree } from './json-text';
import {
  bytesToDecimal,
  checkArray,
  checkBoolean,
  checkBytes,
  checkFloat,
  checkInt,
  checkString,
  checkStruct,
  childPath,
  dateToDays,
  daysToDate,
  decimalScale,
  decimalToBytes,
  decimalToUnscaled,
  describeValue,
  int64ToBigint,
  logicalOf,
  mapEntries,
  millisToTime,
  normalizeInt64,
  timeToMillis,
  timestampToMillis,
  unscaledToDecimal,
} from './logical-values';

export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface JsonDataOptions {
  readonly decimalFormat: DecimalFormat;
  /** Kafka's `replace.null.with.default` (default true). */
  readonly replaceNullWithDefault: boolean;
}

export const DEFAULT_JSON_DATA_OPTIONS: JsonDataOptions = { decimalFormat: 'BASE64', replaceNullWithDefault: true };

function at(path: string): string {
  return path ? ` at ${path}` : '';
}

/** Java's Float.toString / Double.toString digits, as JSON number text. */
export function floatText(value: number, type: 'float32' | 'float64'): JsonRawNumber {
  if (!Number.isFinite(value)) throw new ConverterError(`Cannot write ${value} as a JSON number`);
  let text: string;
  if (type === 'float32') {
    const f = Math.fround(value);
    text = String(f);
    for (let p = 1; p <= 9; p++) {
      const candidate = Number(f.toPrecision(p));
      if (Math.fround(candidate) === f) {
        text = String(candidate);
        break;
      }
    }
  } else {
    text = String(value);
  }
  if (/^-?\d+$/.test(text)) text += '.0';
  return new JsonRawNumber(text);
}

/** A Connect value as a JSON tree. */
export function connectToJson(schema: ConnectSchema | null, value: unknown, opts: JsonDataOptions, path = ''): JsonTree {
  if (value === null || value === undefined) {
    if (schema === null) return null;
    if (opts.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null) {
      return connectToJson(schema, schema.defaultValue, opts, path);
    }
    if (schema.optional) return null;
    throw new ConverterError(`Conversion error: null value for field that is required and has no default value${at(path)}`);
  }
  if (schema === null) return schemalessToJson(value, opts, path);
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      const scale = decimalScale(schema, path);
      if (opts.decimalFormat === 'NUMERIC') return new JsonRawNumber(unscaledToDecimal(decimalToUnscaled(value, scale, path), scale));
      return decimalToBytes(value, scale, path).toString('base64');
    }
    case DATE_LOGICAL:
      return dateToDays(value, path);
    case TIME_LOGICAL:
      return timeToMillis(value, path);
    case TIMESTAMP_LOGICAL:
      return timestampToMillis(value, path);
    default:
      break;
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return checkInt(value, schema.type, path);
    case 'int64':
      return normalizeInt64(int64ToBigint(value, path));
    case 'float32':
    case 'float64':
      return floatText(checkFloat(value, schema.type, path), schema.type);
    case 'boolean':
      return checkBoolean(value, path);
    case 'string':
      return checkString(value, path);
    case 'bytes':
      return checkBytes(value, path).toString('base64');
    case 'array': {
      const items = checkArray(value, path);
      const valueSchema = schema.valueSchema ?? null;
      return items.map((item, i) => connectToJson(valueSchema, item, opts, childPath(path, i)));
    }
    case 'map': {
      const entries = mapEntries(value, path);
      const keySchema = schema.keySchema ?? null;
      const valueSchema = schema.valueSchema ?? null;
      if (keySchema === null || keySchema.type === 'string') {
        const obj: { [key: string]: JsonTree } = {};
        for (const [k, v] of entries) {
          const key = connectToJson(keySchema, k, opts, path);
          setKey(obj, typeof key === 'string' ? key : String(key), connectToJson(valueSchema, v, opts, childPath(path, String(k))));
        }
        return obj;
      }
      return entries.map(([k, v]) => [connectToJson(keySchema, k, opts, path), connectToJson(valueSchema, v, opts, childPath(path, String(k)))]);
    }
    case 'struct': {
      const struct = checkStruct(value, path);
      const obj: { [key: string]: JsonTree } = {};
      for (const field of schema.fields ?? []) setKey(obj, field.name, connectToJson(field.schema, struct[field.name], opts, childPath(path, field.name)));
      return obj;
    }
  }
}

function setKey(obj: { [key: string]: JsonTree }, key: string, value: JsonTree): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function schemalessToJson(value: unknown, opts: JsonDataOptions, path: string): JsonTree {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new ConverterError(`Cannot write ${value} as a JSON number${at(path)}`);
      return value;
    case 'bigint':
      return value;
    default:
      break;
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return checkBytes(value, path).toString('base64');
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map((v, i) => schemalessToJson(v, opts, childPath(path, i)));
  if (value instanceof Map) {
    const entries = [...value.entries()];
    if (entries.every(([k]) => typeof k === 'string')) {
      const obj: { [key: string]: JsonTree } = {};
      for (const [k, v] of entries) setKey(obj, k as string, schemalessToJson(v, opts, childPath(path, k as string)));
      return obj;
    }
    return entries.map(([k, v]) => [schemalessToJson(k, opts, path), schemalessToJson(v, opts, childPath(path, String(k)))]);
  }
  if (typeof value === 'object') {
    const obj: { [key: string]: JsonTree } = {};
    for (const [k, v] of Object.entries(value)) setKey(obj, k, schemalessToJson(v, opts, childPath(path, k)));
    return obj;
  }
  throw new ConverterError(`Cannot convert a ${describeValue(value)} to JSON${at(path)}`);
}

function jsonKind(json: JsonTree | undefined): string {
  if (json === undefined || json === null) return 'null';
  if (json instanceof JsonRawNumber || typeof json === 'bigint') return 'number';
  if (Array.isArray(json)) return 'array';
  return typeof json;
}

function isJsonObject(json: JsonTree | undefined): json is { [key: string]: JsonTree } {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && !(json instanceof JsonRawNumber);
}

function wrongType(what: string, expected: string, json: JsonTree | undefined, path: string): ConverterError {
  return new ConverterError(`Invalid value for ${what}${at(path)}: expected ${expected} but found a JSON ${jsonKind(json)}`);
}

function jsonInteger(json: JsonTree | undefined, what: string, path: string): bigint {
  if (typeof json === 'bigint') return json;
  if (typeof json === 'number' && Number.isInteger(json)) return BigInt(json);
  throw wrongType(what, 'an integer', json, path);
}

/** A JSON tree as a Connect value of `schema` (null: schemaless). */
export function jsonToConnect(schema: ConnectSchema | null, json: JsonTree | undefined, path = ''): unknown {
  if (schema === null) return schemalessFromJson(json);
  if (json === null || json === undefined) {
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return schema.defaultValue;
    if (schema.optional) return null;
    throw new ConverterError(`Invalid null value for required ${schema.type.toUpperCase()} field${at(path)}`);
  }
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      const scale = decimalScale(schema, path);
      if (typeof json === 'string') return bytesToDecimal(Buffer.from(json, 'base64'), scale);
      if (typeof json === 'number' || typeof json === 'bigint') return unscaledToDecimal(decimalToUnscaled(json, scale, path), scale);
      if (json instanceof JsonRawNumber) return unscaledToDecimal(decimalToUnscaled(json.text, scale, path), scale);
      throw wrongType('Decimal', 'a number or base64 bytes', json, path);
    }
    case DATE_LOGICAL:
      return daysToDate(Number(jsonInteger(json, 'Date', path)));
    case TIME_LOGICAL:
      return millisToTime(Number(jsonInteger(json, 'Time', path)));
    case TIMESTAMP_LOGICAL:
      return new Date(Number(jsonInteger(json, 'Timestamp', path)));
    default:
      break;
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return checkInt(Number(jsonInteger(json, schema.type.toUpperCase(), path)), schema.type, path);
    case 'int64':
      return normalizeInt64(int64ToBigint(jsonInteger(json, 'INT64', path), path));
    case 'float32':
    case 'float64':
      if (typeof json === 'number') return json;
      if (typeof json === 'bigint') return Number(json);
      if (json instanceof JsonRawNumber) return json.toNumber();
      throw wrongType(schema.type.toUpperCase(), 'a number', json, path);
    case 'boolean':
      if (typeof json !== 'boolean') throw wrongType('BOOLEAN', 'a boolean', json, path);
      return json;
    case 'string':
      if (typeof json !== 'string') throw wrongType('STRING', 'a string', json, path);
      return json;
    case 'bytes':
      if (typeof json !== 'string') throw wrongType('BYTES', 'a base64 string', json, path);
      return Buffer.from(json, 'base64');
    case 'array': {
      if (!Array.isArray(json)) throw wrongType('ARRAY', 'an array', json, path);
      const valueSchema = schema.valueSchema ?? null;
      return json.map((item, i) => jsonToConnect(valueSchema, item, childPath(path, i)));
    }
    case 'map': {
      const keySchema = schema.keySchema ?? null;
      const valueSchema = schema.valueSchema ?? null;
      const out = new Map<unknown, unknown>();
      if (keySchema === null || keySchema.type === 'string') {
        if (!isJsonObject(json)) throw new ConverterError(`Maps with string fields should be encoded as JSON objects, but found ${jsonKind(json)}${at(path)}`);
        for (const [k, v] of Object.entries(json)) out.set(k, jsonToConnect(valueSchema, v, childPath(path, k)));
        return out;
      }
      if (!Array.isArray(json)) throw new ConverterError(`Maps with non-string fields should be encoded as JSON array of tuples, but found ${jsonKind(json)}${at(path)}`);
      for (const entry of json) {
        if (!Array.isArray(entry) || entry.length !== 2) throw new ConverterError(`Found invalid map entry, expected an array of length 2${at(path)}`);
        const key = jsonToConnect(keySchema, entry[0], path);
        out.set(key, jsonToConnect(valueSchema, entry[1], childPath(path, String(key))));
      }
      return out;
    }
    case 'struct': {
      if (!isJsonObject(json)) throw new ConverterError(`Structs should be encoded as JSON objects, but found ${jsonKind(json)}${at(path)}`);
      const out: Record<string, unknown> = {};
      for (const field of schema.fields ?? []) {
        const v = jsonToConnect(field.schema, Object.prototype.hasOwnProperty.call(json, field.name) ? json[field.name] : undefined, childPath(path, field.name));
        if (field.name === '__proto__') Object.defineProperty(out, field.name, { value: v, enumerable: true, writable: true, configurable: true });
        else out[field.name] = v;
      }
      return out;
    }
  }
}

function schemalessFromJson(json: JsonTree | undefined): unknown {
  if (json === null || json === undefined) return null;
  if (json instanceof JsonRawNumber) return json.toNumber();
  if (Array.isArray(json)) return json.map(schemalessFromJson);
  if (typeof json === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: schemalessFromJson(v), enumerable: true, writable: true, configurable: true });
      else out[k] = schemalessFromJson(v);
    }
    return out;
  }
  return json;
}
