/**
 * Connect values <-> avsc values, for schemas mapped by avro-schema-mapping.ts:
 * - int64 as number or bigint (avro-long-type.ts keeps all 64 bits);
 * - Decimal <-> unscaled two's complement bytes; Date <-> days; Time <-> ms of day;
 *   Timestamp <-> epoch ms;
 * - maps with (required, unnamed) string keys <-> avsc map objects, other maps <-> arrays
 *   of {key, value} records;
 * - structs <-> plain objects keyed by the (Avro-safe) field names; optional values are
 *   unwrapped (avsc's default for ["null", T] unions).
 * Writing null uses the schema default when there is one, null when optional, and is an
 * error otherwise (Confluent's AvroData behaviour). Errors are ConverterErrors with a path.
 */
import type { ConnectSchema } from '../record/connect-schema';
import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL } from '../record/connect-schema';
import { avroName } from './avro-schema-mapping';
import { ConverterError } from './converter';
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
  describeValue,
  int64ToBigint,
  logicalOf,
  mapEntries,
  millisToTime,
  normalizeInt64,
  timestampToMillis,
  timeToMillis,
} from './logical-values';

function at(path: string): string {
  return path ? ` at ${path}` : '';
}

function isAvroMap(schema: ConnectSchema): boolean {
  const k = schema.keySchema;
  return k !== undefined && k.type === 'string' && !k.optional && k.name === undefined;
}

function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A Connect value as the avsc value of the mapped Avro schema. */
export function connectToAvroValue(schema: ConnectSchema, value: unknown, path = ''): unknown {
  if (value === null || value === undefined) {
    if (schema.defaultValue !== undefined && schema.defaultValue !== null) return connectToAvroValue(schema, schema.defaultValue, path);
    if (schema.optional) return null;
    throw new ConverterError(`Found null value for non-optional schema${at(path)}`);
  }
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL:
      return decimalToBytes(value, decimalScale(schema, path), path);
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
      return checkFloat(value, schema.type, path);
    case 'boolean':
      return checkBoolean(value, path);
    case 'string':
      return checkString(value, path);
    case 'bytes':
      return checkBytes(value, path);
    case 'array': {
      const valueSchema = schema.valueSchema as ConnectSchema;
      return checkArray(value, path).map((v, i) => connectToAvroValue(valueSchema, v, childPath(path, i)));
    }
    case 'map': {
      const keySchema = schema.keySchema as ConnectSchema;
      const valueSchema = schema.valueSchema as ConnectSchema;
      const entries = mapEntries(value, path);
      if (isAvroMap(schema)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
          if (typeof k !== 'string') throw new ConverterError(`Invalid map key${at(path)}: expected a string but was ${describeValue(k)}`);
          defineKey(out, k, connectToAvroValue(valueSchema, v, childPath(path, k)));
        }
        return out;
      }
      return entries.map(([k, v]) => ({ key: connectToAvroValue(keySchema, k, path), value: connectToAvroValue(valueSchema, v, childPath(path, String(k))) }));
    }
    case 'struct': {
      const struct = checkStruct(value, path);
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) defineKey(out, avroName(f.name), connectToAvroValue(f.schema, struct[f.name], childPath(path, f.name)));
      return out;
    }
  }
}

/** An avsc value decoded with the Avro schema `schema` was mapped from, as a Connect value. */
export function avroToConnectValue(schema: ConnectSchema, value: unknown, path = ''): unknown {
  if (value === null || value === undefined) return null;
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL:
      return bytesToDecimal(checkBytes(value, path), decimalScale(schema, path));
    case DATE_LOGICAL:
      return daysToDate(Number(value));
    case TIME_LOGICAL:
      return millisToTime(Number(value));
    case TIMESTAMP_LOGICAL:
      return new Date(Number(value));
    default:
      break;
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? normalizeInt64(value) : value;
    case 'array': {
      const valueSchema = schema.valueSchema as ConnectSchema;
      return checkArray(value, path).map((v, i) => avroToConnectValue(valueSchema, v, childPath(path, i)));
    }
    case 'map': {
      const keySchema = schema.keySchema as ConnectSchema;
      const valueSchema = schema.valueSchema as ConnectSchema;
      const out = new Map<unknown, unknown>();
      if (Array.isArray(value)) {
        for (const e of value as { key: unknown; value: unknown }[]) {
          const key = avroToConnectValue(keySchema, e.key, path);
          out.set(key, avroToConnectValue(valueSchema, e.value, childPath(path, String(key))));
        }
      } else {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.set(k, avroToConnectValue(valueSchema, v, childPath(path, k)));
      }
      return out;
    }
    case 'struct': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) defineKey(out, f.name, avroToConnectValue(f.schema, record[avroName(f.name)], childPath(path, f.name)));
      return out;
    }
    default:
      return value;
  }
}
