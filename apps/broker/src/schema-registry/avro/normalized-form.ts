/**
 * Confluent's normalised Avro schema (`AvroSchema.normalize()`, used when a request or
 * the subject config says `normalize=true`).
 *
 * Confluent builds a normalised JSON text (a variant of Avro's Parsing Canonical Form that
 * keeps docs, aliases, defaults, logical types and custom properties) and re-parses it; the
 * registry then stores that schema's canonical string. The effects that survive the
 * re-parse, and which this module applies before printing with {@link canonicalString}:
 *
 * - `error` records become `record`;
 * - empty `doc` on records/enums/fixed is dropped (field docs are kept even when empty);
 * - aliases (named types and fields) are sorted (named-type aliases by full name);
 * - custom properties are sorted by key; for a valid logical type `logicalType`,
 *   `precision` and (non-zero) `scale` come first, the remaining properties sorted after;
 * - field defaults are re-encoded through the field's type (Avro-Java `Field.defaultVal()`):
 *   for a union the first branch decides; integral literals for float/double become
 *   floating (`1` -> `1.0`), float values print with float precision, bytes/fixed strings
 *   keep ISO-8859-1 characters only (others become `?`), and a default whose JSON kind
 *   does not fit the type is dropped.
 *
 * Known deviation: Confluent writes full names without `namespace`, so a null-namespace
 * type nested in a namespaced record silently moves into that namespace on re-parse; we
 * keep the type where it is.
 */
import { canonicalString } from './canonical-form';
import { isJsonNumber, isJsonObject, javaDoubleToString, JsonNumber, JsonValue } from './json-value';
import {
  AvroName,
  AvroSchema,
  FieldSchema,
  LogicalInfo,
  NamedSchema,
  Props,
} from './schema-model';

export function normalizedString(schema: AvroSchema, external: ReadonlySet<NamedSchema> = new Set()): string {
  const normalizer = new Normalizer(external);
  return canonicalString(normalizer.normalize(schema), normalizer.external);
}

class Normalizer {
  private readonly copies = new Map<NamedSchema, NamedSchema>();

  constructor(readonly external: ReadonlySet<NamedSchema>) {}

  normalize(s: AvroSchema): AvroSchema {
    switch (s.kind) {
      case 'primitive':
        return { kind: 'primitive', type: s.type, props: sortedProps(s.props, s.logical), logical: s.logical };
      case 'array':
        return { kind: 'array', items: this.normalize(s.items), props: sortedProps(s.props) };
      case 'map':
        return { kind: 'map', values: this.normalize(s.values), props: sortedProps(s.props) };
      case 'union':
        return { kind: 'union', branches: s.branches.map((b) => this.normalize(b)) };
      default:
        return this.normalizeNamed(s);
    }
  }

  private normalizeNamed(s: NamedSchema): NamedSchema {
    if (this.external.has(s)) return s;
    const existing = this.copies.get(s);
    if (existing) return existing;
    const doc = s.doc === '' ? undefined : s.doc;
    const aliases = sortAliases(s.aliases);
    switch (s.kind) {
      case 'record': {
        const copy: NamedSchema = { kind: 'record', isError: false, name: s.name, doc, fields: [], props: sortedProps(s.props), aliases };
        this.copies.set(s, copy);
        copy.fields.push(...s.fields.map((f) => this.normalizeField(f)));
        return copy;
      }
      case 'enum': {
        const copy: NamedSchema = { ...s, doc, aliases, symbols: [...s.symbols], props: sortedProps(s.props) };
        this.copies.set(s, copy);
        return copy;
      }
      case 'fixed': {
        const copy: NamedSchema = { ...s, doc, aliases, props: sortedProps(s.props, s.logical) };
        this.copies.set(s, copy);
        return copy;
      }
    }
  }

  private normalizeField(f: FieldSchema): FieldSchema {
    const type = this.normalize(f.type);
    const converted = f.hasDefault && f.default !== undefined ? convertDefault(f.default, f.type) : undefined;
    return {
      name: f.name,
      type,
      doc: f.doc,
      hasDefault: converted !== undefined,
      default: converted,
      order: f.order,
      aliases: [...f.aliases].sort(),
      props: sortedProps(f.props),
      pos: f.pos,
    };
  }
}

function sortAliases(aliases: AvroName[]): AvroName[] {
  const byFull = new Map(aliases.map((a) => [a.full, a]));
  return [...byFull.keys()].sort().map((k) => byFull.get(k) as AvroName);
}

/** Properties sorted by key; a valid logical type's own attributes first. */
function sortedProps(props: Props, logical?: LogicalInfo): Props {
  const out: Props = new Map();
  if (logical) {
    out.set('logicalType', logical.name);
    if (logical.name === 'decimal') {
      out.set('precision', new JsonNumber(String(logical.precision)));
      if (logical.scale) out.set('scale', new JsonNumber(String(logical.scale)));
    }
  }
  for (const k of [...props.keys()].sort()) out.set(k, props.get(k) as JsonValue);
  return out;
}

/**
 * Avro-Java `JacksonUtils.toObject(default, schema)` followed by re-encoding to JSON;
 * undefined when Avro-Java would yield no value.
 */
export function convertDefault(v: JsonValue, schema: AvroSchema | undefined): JsonValue | undefined {
  if (schema?.kind === 'union') return convertDefault(v, schema.branches[0]);
  if (v === null) return null;
  if (typeof v === 'boolean') return v;
  const t = schema === undefined ? undefined : schema.kind === 'primitive' ? schema.type : schema.kind;
  if (isJsonNumber(v)) {
    if (t === undefined) return v;
    if (v.isIntegral) {
      if (t === 'int' || t === 'long') return v;
    } else if (t === 'double') {
      return v;
    }
    if (t === 'double') return new JsonNumber(javaDoubleToString(v.value));
    if (t === 'float') return new JsonNumber(javaFloatToString(v.value));
    return undefined;
  }
  if (typeof v === 'string') {
    if (t === undefined || t === 'string' || t === 'enum') return v;
    if (t === 'bytes' || t === 'fixed') return latin1Only(v);
    return undefined;
  }
  if (Array.isArray(v)) {
    const items = schema?.kind === 'array' ? schema.items : undefined;
    return v.map((x) => convertDefault(x, items) ?? null);
  }
  if (isJsonObject(v)) {
    const out = new Map<string, JsonValue>();
    for (const [k, x] of v) {
      let s: AvroSchema | undefined;
      if (schema?.kind === 'map') s = schema.values;
      else if (schema?.kind === 'record') s = schema.fields.find((f) => f.name === k)?.type;
      out.set(k, convertDefault(x, s) ?? null);
    }
    return out;
  }
  return undefined;
}

/** Java's `Float.toString` of `(float) d`: shortest digits that round-trip as a float. */
export function javaFloatToString(d: number): string {
  const f = Math.fround(d);
  if (!Number.isFinite(f) || f === 0) return javaDoubleToString(f);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return javaDoubleToString(candidate);
  }
  return javaDoubleToString(f);
}

/** Java `new String(s.getBytes(ISO_8859_1), ISO_8859_1)`: characters above U+00FF become `?`. */
function latin1Only(s: string): string {
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) > 0xff ? '?' : ch;
  return out;
}
