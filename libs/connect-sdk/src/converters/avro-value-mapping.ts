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
 *
 * Each direction is compiled once per schema object (a closure per schema node, cached in
 * a WeakMap): field names, Avro-safe names, scales and child mappers are resolved at
 * compile time, so a record costs one walk over its values with no schema inspection.
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

/** Maps one value at `path` (the path is only read to word an error). */
type ValueMapper = (value: unknown, path: string) => unknown;

const toAvroCache = new WeakMap<ConnectSchema, ValueMapper>();
const toConnectCache = new WeakMap<ConnectSchema, ValueMapper>();

/** A Connect value as the avsc value of the mapped Avro schema. */
export function connectToAvroValue(schema: ConnectSchema, value: unknown, path = ''): unknown {
  return toAvroMapper(schema)(value, path);
}

/** An avsc value decoded with the Avro schema `schema` was mapped from, as a Connect value. */
export function avroToConnectValue(schema: ConnectSchema, value: unknown, path = ''): unknown {
  return toConnectMapper(schema)(value, path);
}

function toAvroMapper(schema: ConnectSchema): ValueMapper {
  let mapper = toAvroCache.get(schema);
  if (!mapper) {
    mapper = compileToAvro(schema);
    toAvroCache.set(schema, mapper);
  }
  return mapper;
}

function toConnectMapper(schema: ConnectSchema): ValueMapper {
  let mapper = toConnectCache.get(schema);
  if (!mapper) {
    mapper = compileToConnect(schema);
    toConnectCache.set(schema, mapper);
  }
  return mapper;
}

/** The scale of a Decimal schema, or undefined when its parameter is invalid (the mapper then throws per value, with the path). */
function staticScale(schema: ConnectSchema): number | undefined {
  try {
    return decimalScale(schema);
  } catch {
    return undefined;
  }
}

interface FieldPlan {
  readonly name: string;
  readonly avroName: string;
  readonly map: ValueMapper;
}

function fieldPlans(schema: ConnectSchema, mapperOf: (s: ConnectSchema) => ValueMapper): FieldPlan[] {
  return (schema.fields ?? []).map((f) => ({ name: f.name, avroName: avroName(f.name), map: mapperOf(f.schema) }));
}

function compileToAvro(schema: ConnectSchema): ValueMapper {
  const map = compileToAvroPresent(schema);
  const fallback = schema.defaultValue;
  const optional = schema.optional;
  return (value, path) => {
    if (value === null || value === undefined) {
      if (fallback !== undefined && fallback !== null) return map(fallback, path);
      if (optional) return null;
      throw new ConverterError(`Found null value for non-optional schema${at(path)}`);
    }
    return map(value, path);
  };
}

function compileToAvroPresent(schema: ConnectSchema): ValueMapper {
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      const scale = staticScale(schema);
      return (v, path) => decimalToBytes(v, scale ?? decimalScale(schema, path), path);
    }
    case DATE_LOGICAL:
      return dateToDays;
    case TIME_LOGICAL:
      return timeToMillis;
    case TIMESTAMP_LOGICAL:
      return timestampToMillis;
    default:
      break;
  }
  const type = schema.type;
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return (v, path) => checkInt(v, type, path);
    case 'int64':
      return (v, path) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : normalizeInt64(int64ToBigint(v, path)));
    case 'float32':
    case 'float64':
      return (v, path) => checkFloat(v, type, path);
    case 'boolean':
      return checkBoolean;
    case 'string':
      return checkString;
    case 'bytes':
      return checkBytes;
    case 'array': {
      const item = toAvroMapper(schema.valueSchema as ConnectSchema);
      return (v, path) => checkArray(v, path).map((x, i) => item(x, childPath(path, i)));
    }
    case 'map': {
      const key = toAvroMapper(schema.keySchema as ConnectSchema);
      const val = toAvroMapper(schema.valueSchema as ConnectSchema);
      if (isAvroMap(schema)) {
        return (v, path) => {
          const out: Record<string, unknown> = {};
          for (const [k, x] of mapEntries(v, path)) {
            if (typeof k !== 'string') throw new ConverterError(`Invalid map key${at(path)}: expected a string but was ${describeValue(k)}`);
            defineKey(out, k, val(x, childPath(path, k)));
          }
          return out;
        };
      }
      return (v, path) => mapEntries(v, path).map(([k, x]) => ({ key: key(k, path), value: val(x, childPath(path, String(k))) }));
    }
    case 'struct': {
      const fields = fieldPlans(schema, toAvroMapper);
      return (v, path) => {
        const struct = checkStruct(v, path);
        const out: Record<string, unknown> = {};
        for (const f of fields) defineKey(out, f.avroName, f.map(struct[f.name], childPath(path, f.name)));
        return out;
      };
    }
  }
}

function compileToConnect(schema: ConnectSchema): ValueMapper {
  const map = compileToConnectPresent(schema);
  return (value, path) => (value === null || value === undefined ? null : map(value, path));
}

function compileToConnectPresent(schema: ConnectSchema): ValueMapper {
  switch (logicalOf(schema)) {
    case DECIMAL_LOGICAL: {
      const scale = staticScale(schema);
      return (v, path) => bytesToDecimal(checkBytes(v, path), scale ?? decimalScale(schema, path));
    }
    case DATE_LOGICAL:
      return (v) => daysToDate(Number(v));
    case TIME_LOGICAL:
      return (v) => millisToTime(Number(v));
    case TIMESTAMP_LOGICAL:
      return (v) => new Date(Number(v));
    default:
      break;
  }
  switch (schema.type) {
    case 'int64':
      return (v) => (typeof v === 'bigint' ? normalizeInt64(v) : v);
    case 'array': {
      const item = toConnectMapper(schema.valueSchema as ConnectSchema);
      return (v, path) => checkArray(v, path).map((x, i) => item(x, childPath(path, i)));
    }
    case 'map': {
      const key = toConnectMapper(schema.keySchema as ConnectSchema);
      const val = toConnectMapper(schema.valueSchema as ConnectSchema);
      return (v, path) => {
        const out = new Map<unknown, unknown>();
        if (Array.isArray(v)) {
          for (const e of v as { key: unknown; value: unknown }[]) {
            const k = key(e.key, path);
            out.set(k, val(e.value, childPath(path, String(k))));
          }
        } else {
          for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.set(k, val(x, childPath(path, k)));
        }
        return out;
      };
    }
    case 'struct': {
      const fields = fieldPlans(schema, toConnectMapper);
      return (v, path) => {
        const record = v as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const f of fields) defineKey(out, f.name, f.map(record[f.avroName], childPath(path, f.name)));
        return out;
      };
    }
    default:
      return (v) => v;
  }
}
