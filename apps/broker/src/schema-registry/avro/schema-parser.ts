/**
 * Parses Avro schema JSON into the {@link AvroSchema} model, enforcing the rules of the
 * Avro specification the way Avro-Java's `Schema.Parser` (used by Confluent) does:
 *
 * - names and enum symbols match `[letter_][letter digit _]*` (Unicode letters, as Java's
 *   `Character.isLetter`), namespaces are dot-separated names; a named type may not be
 *   called after a primitive; a full name may be defined once;
 * - a name reference is resolved in the enclosing namespace first, then the null namespace;
 * - unions: no nested unions, no two branches of the same type (same full name for named
 *   types, same kind otherwise);
 * - enums: at least the `symbols` array, no duplicate symbols, `default` among the symbols;
 * - fixed: integral non-negative `size`;
 * - records: `fields` array, unique field names, `order` in ascending/descending/ignore,
 *   defaults valid for their type (see default-validation.ts for the Confluent relaxation);
 * - logical types that do not fit their underlying type are ignored (kept as properties).
 *
 * A {@link Names} registry is shared between a schema and the schemas it references, so
 * references contribute named types. Every problem throws {@link InvalidSchemaError}.
 */
import { isValidDefault } from './default-validation';
import { isJsonNumber, isJsonObject, JsonObject, JsonSyntaxError, JsonValue, parseJson, writeJson } from './json-value';
import {
  AvroName,
  AvroSchema,
  FieldOrder,
  FieldSchema,
  LogicalInfo,
  makeName,
  NamedSchema,
  PRIMITIVE_NAMES,
  PrimitiveName,
  Props,
  RecordSchema,
} from './schema-model';
import { InvalidSchemaError } from './types';

const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);
const NAME_RE = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

/** Named types known while parsing, keyed by full name. */
export class Names {
  private readonly byFullName = new Map<string, NamedSchema>();

  get(full: string): NamedSchema | undefined {
    return this.byFullName.get(full);
  }

  define(s: NamedSchema): void {
    if (this.byFullName.has(s.name.full)) throw new InvalidSchemaError(`Can't redefine: ${s.name.full}`);
    this.byFullName.set(s.name.full, s);
  }

  /** Resolves a type name written in namespace `space` (enclosing namespace, then null namespace). */
  resolve(ref: string, space: string | undefined): NamedSchema | undefined {
    const inSpace = makeName(ref, space);
    return this.byFullName.get(inSpace.full) ?? (ref.includes('.') ? undefined : this.byFullName.get(ref));
  }
}

/** Parses schema text; named types it defines are added to `names`. */
export function parseSchemaText(text: string, names: Names): AvroSchema {
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new InvalidSchemaError(`Invalid schema JSON: ${e.message}`);
    throw e;
  }
  return new Parser(names).parse(json, undefined);
}

class Parser {
  constructor(private readonly names: Names) {}

  parse(json: JsonValue, space: string | undefined): AvroSchema {
    if (typeof json === 'string') return this.parseName(json, space);
    if (Array.isArray(json)) return this.parseUnion(json, space);
    if (isJsonObject(json)) return this.parseObject(json, space);
    throw new InvalidSchemaError(`Not a schema: ${writeJson(json)}`);
  }

  private parseName(ref: string, space: string | undefined): AvroSchema {
    if (PRIMITIVE_NAMES.has(ref)) return { kind: 'primitive', type: ref as PrimitiveName, props: new Map() };
    const named = this.names.resolve(ref, space);
    if (!named) throw new InvalidSchemaError(`Undefined name: "${ref}"`);
    return named;
  }

  private parseUnion(json: JsonValue[], space: string | undefined): AvroSchema {
    const branches: AvroSchema[] = [];
    const seen = new Set<string>();
    for (const b of json) {
      const branch = this.parse(b, space);
      if (branch.kind === 'union') throw new InvalidSchemaError(`Nested union: ${writeJson(json)}`);
      const key = branch.kind === 'primitive' ? branch.type : 'name' in branch ? branch.name.full : branch.kind;
      if (seen.has(key)) throw new InvalidSchemaError(`Duplicate in union: ${key}`);
      seen.add(key);
      branches.push(branch);
    }
    return { kind: 'union', branches };
  }

  private parseObject(json: JsonObject, space: string | undefined): AvroSchema {
    const type = json.get('type');
    if (typeof type !== 'string') {
      throw new InvalidSchemaError(`No type: ${writeJson(json)}`);
    }
    if (PRIMITIVE_NAMES.has(type)) {
      const s: AvroSchema = { kind: 'primitive', type: type as PrimitiveName, props: props(json, SCHEMA_RESERVED) };
      s.logical = logicalFor(s);
      return s;
    }
    switch (type) {
      case 'record':
      case 'error':
        return this.parseRecord(json, space, type === 'error');
      case 'enum':
        return this.parseEnum(json, space);
      case 'fixed':
        return this.parseFixed(json, space);
      case 'array': {
        const items = json.get('items');
        if (items === undefined) throw new InvalidSchemaError(`Array has no items type: ${writeJson(json)}`);
        return { kind: 'array', items: this.parse(items, space), props: props(json, SCHEMA_RESERVED) };
      }
      case 'map': {
        const values = json.get('values');
        if (values === undefined) throw new InvalidSchemaError(`Map has no values type: ${writeJson(json)}`);
        return { kind: 'map', values: this.parse(values, space), props: props(json, SCHEMA_RESERVED) };
      }
      default: {
        const named = this.names.resolve(type, space);
        if (named) return named;
        throw new InvalidSchemaError(`Undefined name: "${type}"`);
      }
    }
  }

  private nameOf(json: JsonObject, space: string | undefined, what: string): AvroName {
    const name = json.get('name');
    if (typeof name !== 'string') throw new InvalidSchemaError(`No name in ${what} schema: ${writeJson(json)}`);
    const ns = json.get('namespace');
    if (ns !== undefined && ns !== null && typeof ns !== 'string') throw new InvalidSchemaError(`Invalid namespace: ${writeJson(ns)}`);
    const n = makeName(name, typeof ns === 'string' ? ns : space);
    validateName(n.name, 'name');
    if (n.space !== undefined) for (const part of n.space.split('.')) validateName(part, 'namespace part');
    if (n.space === undefined && PRIMITIVE_NAMES.has(n.name)) {
      throw new InvalidSchemaError(`Schemas may not be named after primitives: ${n.full}`);
    }
    return n;
  }

  private aliasesOf(json: JsonObject, space: string | undefined): AvroName[] {
    return stringList(json, 'aliases').map((a) => {
      const n = makeName(a, space);
      validateName(n.name, 'alias');
      return n;
    });
  }

  private parseRecord(json: JsonObject, space: string | undefined, isError: boolean): AvroSchema {
    const name = this.nameOf(json, space, 'record');
    const fieldsJson = json.get('fields');
    if (!Array.isArray(fieldsJson)) throw new InvalidSchemaError(`Record has no fields: ${writeJson(json)}`);
    const record: RecordSchema = {
      kind: 'record',
      isError,
      name,
      doc: optionalString(json, 'doc'),
      fields: [],
      props: props(json, SCHEMA_RESERVED),
      aliases: this.aliasesOf(json, name.space),
    };
    this.names.define(record);
    const seen = new Set<string>();
    fieldsJson.forEach((fj, pos) => {
      const field = this.parseField(fj, name.space, record, pos);
      if (seen.has(field.name)) throw new InvalidSchemaError(`Duplicate field ${field.name} in record ${name.full}`);
      seen.add(field.name);
      record.fields.push(field);
    });
    return record;
  }

  private parseField(fj: JsonValue, space: string | undefined, record: RecordSchema, pos: number): FieldSchema {
    if (!isJsonObject(fj)) throw new InvalidSchemaError(`Invalid field in record ${record.name.full}: ${writeJson(fj)}`);
    const name = fj.get('name');
    if (typeof name !== 'string') throw new InvalidSchemaError(`No field name: ${writeJson(fj)}`);
    validateName(name, 'field name');
    const typeJson = fj.get('type');
    if (typeJson === undefined) throw new InvalidSchemaError(`No field type: ${writeJson(fj)}`);
    const type = this.parse(typeJson, space);
    const orderJson = fj.get('order');
    let order: FieldOrder = 'ascending';
    if (orderJson !== undefined) {
      const o = typeof orderJson === 'string' ? orderJson.toLowerCase() : '';
      if (o !== 'ascending' && o !== 'descending' && o !== 'ignore') {
        throw new InvalidSchemaError(`Invalid order for field ${name}: ${writeJson(orderJson)}`);
      }
      order = o;
    }
    const field: FieldSchema = {
      name,
      type,
      doc: optionalString(fj, 'doc'),
      hasDefault: fj.has('default'),
      order,
      aliases: stringList(fj, 'aliases'),
      props: props(fj, FIELD_RESERVED),
      pos,
    };
    if (field.hasDefault) {
      const dv = fj.get('default') as JsonValue;
      field.default = dv;
      if (!isValidDefault(type, dv)) {
        throw new InvalidSchemaError(
          `Invalid default for field ${name} in record ${record.name.full}: ${writeJson(dv)} is not a valid ${describe(typeJson)}`,
        );
      }
    }
    return field;
  }

  private parseEnum(json: JsonObject, space: string | undefined): AvroSchema {
    const name = this.nameOf(json, space, 'enum');
    const symbolsJson = json.get('symbols');
    if (!Array.isArray(symbolsJson)) throw new InvalidSchemaError(`Enum has no symbols: ${writeJson(json)}`);
    const symbols: string[] = [];
    for (const s of symbolsJson) {
      if (typeof s !== 'string') throw new InvalidSchemaError(`Enum symbol is not a string: ${writeJson(s)}`);
      validateName(s, 'enum symbol');
      if (symbols.includes(s)) throw new InvalidSchemaError(`Duplicate enum symbol: ${s}`);
      symbols.push(s);
    }
    const dflt = json.get('default');
    if (dflt !== undefined && dflt !== null) {
      if (typeof dflt !== 'string' || !symbols.includes(dflt)) {
        throw new InvalidSchemaError(`The Enum Default: ${writeJson(dflt)} is not in the enum symbol set: [${symbols.join(', ')}]`);
      }
    }
    const s: AvroSchema = {
      kind: 'enum',
      name,
      doc: optionalString(json, 'doc'),
      symbols,
      default: typeof dflt === 'string' ? dflt : undefined,
      props: props(json, ENUM_RESERVED),
      aliases: this.aliasesOf(json, name.space),
    };
    this.names.define(s);
    return s;
  }

  private parseFixed(json: JsonObject, space: string | undefined): AvroSchema {
    const name = this.nameOf(json, space, 'fixed');
    const size = json.get('size');
    if (!isJsonNumber(size) || !size.isIntegral || size.value < 0 || size.value > 2 ** 31 - 1) {
      throw new InvalidSchemaError(`Invalid or no size: ${writeJson(json)}`);
    }
    const s: AvroSchema = {
      kind: 'fixed',
      name,
      doc: optionalString(json, 'doc'),
      size: size.value,
      props: props(json, SCHEMA_RESERVED),
      aliases: this.aliasesOf(json, name.space),
    };
    s.logical = logicalFor(s);
    this.names.define(s);
    return s;
  }
}

function validateName(n: string, what: string): void {
  if (!NAME_RE.test(n)) throw new InvalidSchemaError(`Illegal ${what}: "${n}"`);
}

function props(json: JsonObject, reserved: ReadonlySet<string>): Props {
  const out: Props = new Map();
  for (const [k, v] of json) if (!reserved.has(k)) out.set(k, v);
  return out;
}

function optionalString(json: JsonObject, key: string): string | undefined {
  const v = json.get(key);
  return typeof v === 'string' ? v : undefined;
}

function stringList(json: JsonObject, key: string): string[] {
  const v = json.get(key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new InvalidSchemaError(`${key} must be an array of strings: ${writeJson(v)}`);
  }
  return v;
}

function describe(typeJson: JsonValue): string {
  return writeJson(typeJson);
}

const INT_LOGICAL = new Set(['date', 'time-millis']);
const LONG_LOGICAL = new Set([
  'time-micros',
  'timestamp-millis',
  'timestamp-micros',
  'timestamp-nanos',
  'local-timestamp-millis',
  'local-timestamp-micros',
  'local-timestamp-nanos',
]);

/** The logical type of a primitive or fixed schema when it is valid for it (Avro-Java rules). */
function logicalFor(s: AvroSchema): LogicalInfo | undefined {
  if (s.kind !== 'primitive' && s.kind !== 'fixed') return undefined;
  const lt = s.props.get('logicalType');
  if (typeof lt !== 'string') return undefined;
  const underlying = s.kind === 'fixed' ? 'fixed' : s.type;
  switch (lt) {
    case 'decimal': {
      if (underlying !== 'bytes' && underlying !== 'fixed') return undefined;
      const p = s.props.get('precision');
      const sc = s.props.get('scale');
      if (!isJsonNumber(p) || !p.isIntegral || p.value <= 0) return undefined;
      let scale = 0;
      if (sc !== undefined) {
        if (!isJsonNumber(sc) || !sc.isIntegral || sc.value < 0) return undefined;
        scale = sc.value;
      }
      if (scale > p.value) return undefined;
      if (s.kind === 'fixed') {
        const maxPrecision = Math.floor(Math.log10(2) * (8 * s.size - 1));
        if (p.value > maxPrecision) return undefined;
      }
      return { name: 'decimal', precision: p.value, scale };
    }
    case 'uuid':
      return underlying === 'string' || (s.kind === 'fixed' && s.size === 16) ? { name: lt } : undefined;
    case 'duration':
      return s.kind === 'fixed' && s.size === 12 ? { name: lt } : undefined;
    case 'big-decimal':
      return underlying === 'bytes' ? { name: lt } : undefined;
    default:
      if (INT_LOGICAL.has(lt)) return underlying === 'int' ? { name: lt } : undefined;
      if (LONG_LOGICAL.has(lt)) return underlying === 'long' ? { name: lt } : undefined;
      return undefined;
  }
}
