/**
 * In-memory model of a parsed Avro schema, close to Avro-Java's `Schema` objects so the
 * canonical writer can reproduce `Schema.toString()`:
 *
 * - named types are shared objects (a reference by name points at the same object, which
 *   is how recursive types are represented);
 * - `props` are the non-reserved attributes in document order, `logicalType`, `precision`
 *   and `scale` included (Avro-Java keeps them as properties too);
 * - `logical` is set only when the logical type is valid for its underlying type
 *   (Avro-Java ignores invalid logical types and keeps the attributes as plain props).
 */
import { JsonValue } from './json-value';

export type PrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export const PRIMITIVE_NAMES: ReadonlySet<string> = new Set<PrimitiveName>([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);

/** A named type's name: `name` unqualified, `space` undefined for the null namespace. */
export interface AvroName {
  name: string;
  space: string | undefined;
  full: string;
}

export type Props = Map<string, JsonValue>;

export interface LogicalInfo {
  name: string;
  /** decimal only */
  precision?: number;
  /** decimal only; 0 when absent */
  scale?: number;
}

export interface PrimitiveSchema {
  kind: 'primitive';
  type: PrimitiveName;
  props: Props;
  logical?: LogicalInfo;
}

export interface RecordSchema {
  kind: 'record';
  isError: boolean;
  name: AvroName;
  doc?: string;
  fields: FieldSchema[];
  props: Props;
  aliases: AvroName[];
}

export interface EnumSchema {
  kind: 'enum';
  name: AvroName;
  doc?: string;
  symbols: string[];
  default?: string;
  props: Props;
  aliases: AvroName[];
}

export interface FixedSchema {
  kind: 'fixed';
  name: AvroName;
  doc?: string;
  size: number;
  props: Props;
  aliases: AvroName[];
  logical?: LogicalInfo;
}

export interface ArraySchema {
  kind: 'array';
  items: AvroSchema;
  props: Props;
}

export interface MapSchema {
  kind: 'map';
  values: AvroSchema;
  props: Props;
}

export interface UnionSchema {
  kind: 'union';
  branches: AvroSchema[];
}

export type FieldOrder = 'ascending' | 'descending' | 'ignore';

export interface FieldSchema {
  name: string;
  type: AvroSchema;
  doc?: string;
  /** The JSON default as written (JSON null is `null`); absent when `hasDefault` is false. */
  default?: JsonValue;
  hasDefault: boolean;
  order: FieldOrder;
  /** Field aliases exactly as written. */
  aliases: string[];
  props: Props;
  /** 0-based position in the record */
  pos: number;
}

export type NamedSchema = RecordSchema | EnumSchema | FixedSchema;
export type AvroSchema = PrimitiveSchema | NamedSchema | ArraySchema | MapSchema | UnionSchema;

export function isNamed(s: AvroSchema): s is NamedSchema {
  return s.kind === 'record' || s.kind === 'enum' || s.kind === 'fixed';
}

/** The type name used in messages and by union branch identity: full name or primitive/kind. */
export function typeLabel(s: AvroSchema): string {
  if (isNamed(s)) return s.name.full;
  if (s.kind === 'primitive') return s.type;
  return s.kind;
}

/** Avro-Java's `Schema.Type` name (record/enum/.../string), used in messages. */
export function typeKindName(s: AvroSchema): string {
  return s.kind === 'primitive' ? s.type : s.kind;
}

/** Builds an AvroName from a possibly dotted name and the namespace in effect. */
export function makeName(name: string, space: string | undefined): AvroName {
  const dot = name.lastIndexOf('.');
  let sp = space;
  let short = name;
  if (dot >= 0) {
    sp = name.slice(0, dot);
    short = name.slice(dot + 1);
  }
  if (sp === '') sp = undefined;
  return { name: short, space: sp, full: sp === undefined ? short : `${sp}.${short}` };
}

/** Avro-Java `Name.getQualified`: the short name when in `defaultSpace` (or nameless space). */
export function qualified(n: AvroName, defaultSpace: string | undefined): string {
  return n.space === undefined || n.space === defaultSpace ? n.name : n.full;
}
