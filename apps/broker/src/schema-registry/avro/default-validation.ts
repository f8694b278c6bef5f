/**
 * Checks a field's JSON default against the field's schema.
 *
 * Rules follow Avro-Java's `Schema.isValidDefault` (int needs an integral literal within
 * int32, long within int64, float/double accept any number, string/bytes/enum/fixed a
 * JSON string, arrays/maps/records recursively, a record field absent from the default
 * object falls back to that field's own default) with ONE deliberate relaxation matching
 * what Confluent registers: a union default is accepted when it is valid for ANY branch,
 * not only the first one (Confluent registers `["null","string"]` with default `"null"`).
 */
import { isJsonNumber, isJsonObject, JsonValue } from './json-value';
import { AvroSchema } from './schema-model';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function isValidDefault(schema: AvroSchema, value: JsonValue): boolean {
  switch (schema.kind) {
    case 'primitive':
      switch (schema.type) {
        case 'null':
          return value === null;
        case 'boolean':
          return typeof value === 'boolean';
        case 'int':
          return isJsonNumber(value) && value.isIntegral && inRange(BigInt(value.raw), INT_MIN, INT_MAX);
        case 'long':
          return isJsonNumber(value) && value.isIntegral && inRange(BigInt(value.raw), LONG_MIN, LONG_MAX);
        case 'float':
        case 'double':
          return isJsonNumber(value);
        case 'bytes':
        case 'string':
          return typeof value === 'string';
      }
      return false;
    case 'enum':
    case 'fixed':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value) && value.every((v) => isValidDefault(schema.items, v));
    case 'map':
      return isJsonObject(value) && [...value.values()].every((v) => isValidDefault(schema.values, v));
    case 'union':
      return schema.branches.some((b) => isValidDefault(b, value));
    case 'record': {
      if (!isJsonObject(value)) return false;
      for (const f of schema.fields) {
        const v = value.has(f.name) ? value.get(f.name) : f.hasDefault ? f.default : undefined;
        if (v === undefined) return false;
        if (!isValidDefault(f.type, v)) return false;
      }
      return true;
    }
  }
}

function inRange(v: bigint, min: bigint, max: bigint): boolean {
  return v >= min && v <= max;
}
