/**
 * The schema text Confluent stores and returns: `AvroSchema.canonicalString()`, which is
 * Avro-Java's compact `Schema.toString(referencedSchemas, false)`. Rules reproduced:
 *
 * - a primitive without properties prints as `"int"`, with properties as
 *   `{"type":"int",<props in document order>}`;
 * - record: `type` (record|error), `name` (unqualified), `namespace` only when it differs
 *   from the enclosing one (`""` for a null namespace inside a non-null one), `doc`,
 *   `fields`, props, `aliases` (each relative to the type's namespace); a record's
 *   namespace becomes the enclosing namespace for what it contains;
 * - enum: type, name, namespace, doc, symbols, default, props, aliases;
 * - fixed: type, name, namespace, doc, size, props, aliases;
 * - array/map: type, items/values, props; union: JSON array;
 * - field: name, type, doc, default, order (unless ascending), aliases, props;
 * - a named type already printed (or defined by a reference) prints as its name,
 *   unqualified when in the enclosing namespace;
 * - numbers as Jackson prints them (`1.0`, `1.0E10`), strings with JSON escapes.
 */
import { writeJson } from './json-value';
import { AvroSchema, FieldSchema, NamedSchema, Props, qualified } from './schema-model';

export function canonicalString(schema: AvroSchema, external: ReadonlySet<NamedSchema> = new Set()): string {
  return new CanonicalWriter(external).write(schema, undefined);
}

class CanonicalWriter {
  private readonly known: Set<string>;

  constructor(external: ReadonlySet<NamedSchema>) {
    this.known = new Set([...external].map((s) => s.name.full));
  }

  write(s: AvroSchema, space: string | undefined): string {
    switch (s.kind) {
      case 'primitive':
        return s.props.size === 0 ? JSON.stringify(s.type) : obj([['type', JSON.stringify(s.type)], ...propEntries(s.props)]);
      case 'array':
        return obj([['type', '"array"'], ['items', this.write(s.items, space)], ...propEntries(s.props)]);
      case 'map':
        return obj([['type', '"map"'], ['values', this.write(s.values, space)], ...propEntries(s.props)]);
      case 'union':
        return `[${s.branches.map((b) => this.write(b, space)).join(',')}]`;
      default:
        return this.writeNamed(s, space);
    }
  }

  private writeNamed(s: NamedSchema, space: string | undefined): string {
    if (this.known.has(s.name.full)) return JSON.stringify(qualified(s.name, space));
    this.known.add(s.name.full);
    const e: [string, string][] = [];
    e.push(['type', JSON.stringify(s.kind === 'record' && s.isError ? 'error' : s.kind)]);
    e.push(['name', JSON.stringify(s.name.name)]);
    if (s.name.space !== undefined) {
      if (s.name.space !== space) e.push(['namespace', JSON.stringify(s.name.space)]);
    } else if (space !== undefined) {
      e.push(['namespace', '""']);
    }
    if (s.doc !== undefined) e.push(['doc', JSON.stringify(s.doc)]);
    if (s.kind === 'record') {
      e.push(['fields', `[${s.fields.map((f) => this.writeField(f, s.name.space)).join(',')}]`]);
    } else if (s.kind === 'enum') {
      e.push(['symbols', JSON.stringify(s.symbols)]);
      if (s.default !== undefined) e.push(['default', JSON.stringify(s.default)]);
    } else {
      e.push(['size', String(s.size)]);
    }
    e.push(...propEntries(s.props));
    if (s.aliases.length > 0) {
      e.push(['aliases', JSON.stringify(s.aliases.map((a) => qualified(a, s.name.space)))]);
    }
    return obj(e);
  }

  private writeField(f: FieldSchema, space: string | undefined): string {
    const e: [string, string][] = [
      ['name', JSON.stringify(f.name)],
      ['type', this.write(f.type, space)],
    ];
    if (f.doc !== undefined) e.push(['doc', JSON.stringify(f.doc)]);
    if (f.hasDefault && f.default !== undefined) e.push(['default', writeJson(f.default)]);
    if (f.order !== 'ascending') e.push(['order', JSON.stringify(f.order)]);
    if (f.aliases.length > 0) e.push(['aliases', JSON.stringify(f.aliases)]);
    e.push(...propEntries(f.props));
    return obj(e);
  }
}

function propEntries(props: Props): [string, string][] {
  return [...props].map(([k, v]) => [k, writeJson(v)]);
}

function obj(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}
