import type { ConnectField, ConnectSchema } from '../record/connect-schema';
import type { Struct } from '../record/connect-schema';
import { DataError } from '../errors/connect-errors';

/**
 * Helpers for transforms over the value representation of connect-schema.ts: structs are
 * plain objects next to a struct ConnectSchema; schemaless maps are a `Map` or a plain
 * object, and transforms return the same kind they received.
 */

/** A plain object (not an array, Buffer, Map, Date or class instance other than Object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws a DataError unless the schema is a struct schema and the value a struct. */
export function requireStruct(schema: ConnectSchema, value: unknown, purpose: string): Struct {
  if (schema.type !== 'struct' || !isPlainObject(value)) {
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${describeValue(value)} with schema type ${schema.type}`);
  }
  return value;
}

/** A schemaless map's entries, or a DataError for anything else. */
export function requireMapEntries(value: unknown, purpose: string): Array<[string, unknown]> {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), v]);
  if (isPlainObject(value)) return Object.entries(value);
  throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${describeValue(value)}`);
}

/** Builds a schemaless map of the same kind (Map or plain object) as `like`. */
export function mapLike(like: unknown, entries: Iterable<[string, unknown]>): Map<unknown, unknown> | Record<string, unknown> {
  if (like instanceof Map) return new Map<unknown, unknown>(entries);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = v;
  return out;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (Array.isArray(value)) return 'Array';
  if (value instanceof Map) return 'Map';
  if (value instanceof Date) return 'Date';
  if (typeof value === 'object') return value.constructor?.name ?? 'Object';
  return typeof value;
}

/**
 * A struct schema with `base`'s name, version, doc, parameters and optionality and the
 * given fields (re-indexed in order). Throws a DataError on duplicate field names.
 */
export function buildStructSchema(base: ConnectSchema, fields: ReadonlyArray<{ name: string; schema: ConnectSchema }>): ConnectSchema {
  const seen = new Set<string>();
  const built: ConnectField[] = fields.map((f, index) => {
    if (seen.has(f.name)) throw new DataError(`Cannot create field because of field name duplication ${f.name}`);
    seen.add(f.name);
    return { name: f.name, index, schema: f.schema };
  });
  const schema: { -readonly [K in keyof ConnectSchema]: ConnectSchema[K] } = { type: 'struct', optional: base.optional, fields: built };
  if (base.name !== undefined) schema.name = base.name;
  if (base.version !== undefined) schema.version = base.version;
  if (base.doc !== undefined) schema.doc = base.doc;
  if (base.parameters !== undefined) schema.parameters = base.parameters;
  return schema;
}

/** The schema made optional (same type, name and parameters). */
export function asOptional(schema: ConnectSchema): ConnectSchema {
  return schema.optional ? schema : { ...schema, optional: true };
}

/** Memoises a per-schema derived schema, as Kafka's transforms cache updated schemas. */
export class SchemaCache {
  private readonly cache = new WeakMap<ConnectSchema, ConnectSchema>();

  get(schema: ConnectSchema, build: (schema: ConnectSchema) => ConnectSchema): ConnectSchema {
    let updated = this.cache.get(schema);
    if (updated === undefined) {
      updated = build(schema);
      this.cache.set(schema, updated);
    }
    return updated;
  }
}
