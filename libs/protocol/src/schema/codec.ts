import { ProtocolDecodeError, ProtocolEncodeError } from '../codec/decode-error';
import type { Reader } from '../codec/reader';
import { Writer } from '../codec/writer';
import { defaultValue, isDefault } from './defaults';
import type { AnyField, Infer, InferInput, StructField } from './fields';
import { inVersions } from './versions';

type Read = (r: Reader) => unknown;
type Write = (w: Writer, v: unknown) => void;

/** A struct compiled for one (version, flexible) pair. */
interface CompiledStruct {
  readonly read: (r: Reader) => Record<string, unknown>;
  readonly write: (w: Writer, v: Readonly<Record<string, unknown>>) => void;
}

const cache = new WeakMap<AnyField, Map<number, CompiledStruct>>();

/**
 * Decodes one `schema` struct at `version`. `flexible` selects compact strings/bytes/
 * arrays and tagged-field sections (it is the API's flexible-version flag, passed
 * down unchanged to nested structs). Fields absent in `version` get their default;
 * unknown tags are skipped. Throws ProtocolDecodeError on malformed input.
 */
export function decode<S extends StructField>(schema: S, reader: Reader, version: number, flexible: boolean): Infer<S> {
  return compileStruct(schema, version, flexible).read(reader) as Infer<S>;
}

/**
 * Encodes `value` as `schema` at `version`. Omitted (undefined) fields are written as
 * their default; fields absent in `version` are skipped; tagged fields are written only
 * when they differ from their default, in ascending tag order. Throws
 * ProtocolEncodeError for null in a non-nullable position.
 */
export function encode<S extends StructField>(
  schema: S,
  writer: Writer,
  version: number,
  flexible: boolean,
  value: InferInput<S>,
): void {
  compileStruct(schema, version, flexible).write(writer, value as Readonly<Record<string, unknown>>);
}

/**
 * Compiles (once, cached per struct object) a struct for a version into closures.
 * Exposed for callers that want to hold the compiled codec on a hot path.
 */
export function compileStruct(schema: AnyField, version: number, flexible: boolean): CompiledStruct {
  let byVersion = cache.get(schema);
  if (byVersion === undefined) {
    byVersion = new Map();
    cache.set(schema, byVersion);
  }
  const key = version * 2 + (flexible ? 1 : 0);
  let compiled = byVersion.get(key);
  if (compiled === undefined) {
    compiled = buildStruct(schema, version, flexible);
    byVersion.set(key, compiled);
  }
  return compiled;
}

interface TaggedSlot {
  readonly name: string;
  readonly tag: number;
  readonly field: AnyField;
  readonly read: Read;
  readonly write: Write;
}

function buildStruct(schema: AnyField, version: number, flexible: boolean): CompiledStruct {
  if (schema.kind !== 'struct' || schema.fields === undefined) throw new Error(`not a struct: ${schema.kind}`);
  const names: string[] = [];
  const reads: Read[] = [];
  const writeNames: string[] = [];
  const writes: Write[] = [];
  const tagged: TaggedSlot[] = [];
  for (const [name, field] of Object.entries(schema.fields)) {
    names.push(name);
    const present = inVersions(field.versions, version);
    const isTagged = present && flexible && inVersions(field.taggedVersions, version);
    if (!present || isTagged) {
      // Immutable defaults (numbers, strings, null, the empty Buffer) are computed once;
      // arrays and structs are created afresh for every decoded value.
      const constant = defaultValue(field);
      const fresh = constant !== null && typeof constant === 'object' && !Buffer.isBuffer(constant);
      reads.push(fresh ? () => defaultValue(field) : () => constant);
      if (isTagged) {
        const codec = valueCodec(field, name, version, flexible);
        tagged.push({ name, tag: field.tag ?? 0, field, ...codec });
      }
      continue;
    }
    const codec = valueCodec(field, name, version, flexible);
    reads.push(codec.read);
    writeNames.push(name);
    writes.push(codec.write);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));
  return {
    read: generatedRead(names, reads, flexible ? (r, o) => readTagged(r, byTag, o) : null),
    write: generatedWrite(writeNames, writes, flexible ? (w, v) => writeTagged(w, tagged, v) : null),
  };
}

/*
 * Each struct gets its own generated read and write function (compiled once per struct
 * and version, see compileStruct): a read builds its object as one literal with the
 * struct's field names, a write loads each field by its name. V8 then sees one object
 * shape and monomorphic property accesses per struct; a generic loop over the field
 * names (`o[names[i]] = ...`) is one function shared by every struct of every API,
 * whose keyed loads and stores are megamorphic (profiled: ~5% of the broker's CPU for
 * one small produce and the fetch it wakes). The generated source contains only the
 * field names (as JSON string literals) and indexes into the closures passed in.
 */
function generatedRead(
  names: readonly string[],
  reads: readonly Read[],
  tail: ((r: Reader, o: Record<string, unknown>) => void) | null,
): (r: Reader) => Record<string, unknown> {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: reads[${i}](r)`).join(', ');
  const source = `return function read(r) { const o = { ${fields} }; if (tail !== null) tail(r, o); return o; };`;
  return new Function('reads', 'tail', source)(reads, tail) as (r: Reader) => Record<string, unknown>;
}

function generatedWrite(
  names: readonly string[],
  writes: readonly Write[],
  tail: ((w: Writer, v: Readonly<Record<string, unknown>>) => void) | null,
): (w: Writer, v: Readonly<Record<string, unknown>>) => void {
  const fields = names.map((name, i) => `writes[${i}](w, v[${JSON.stringify(name)}]);`).join(' ');
  const source =
    `return function write(w, v) { if (v === null || typeof v !== 'object') notObject(); ${fields} if (tail !== null) tail(w, v); };`;
  const notObject = (): never => {
    throw new ProtocolEncodeError('struct value must be an object');
  };
  return new Function('writes', 'tail', 'notObject', source)(writes, tail, notObject) as (w: Writer, v: Readonly<Record<string, unknown>>) => void;
}

function readTagged(r: Reader, byTag: ReadonlyMap<number, TaggedSlot>, o: Record<string, unknown>): void {
  const count = r.uvarint();
  if (count > r.remaining) throw new ProtocolDecodeError(`tagged field count ${count} exceeds remaining bytes`, r.offset);
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const slot = byTag.get(tag);
    if (slot === undefined) {
      r.skip(size);
    } else {
      o[slot.name] = slot.read(r.sub(size));
    }
  }
}

function writeTagged(w: Writer, tagged: readonly TaggedSlot[], v: Readonly<Record<string, unknown>>): void {
  let count = 0;
  for (const t of tagged) if (!isDefault(t.field, v[t.name])) count++;
  w.uvarint(count);
  if (count === 0) return;
  for (const t of tagged) {
    const value = v[t.name];
    if (isDefault(t.field, value)) continue;
    const scratch = new Writer({ initialCapacity: 64 });
    t.write(scratch, value);
    const bytes = scratch.finish();
    w.uvarint(t.tag);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

function valueCodec(field: AnyField, name: string, version: number, flexible: boolean): { read: Read; write: Write } {
  const nullable = inVersions(field.nullableVersions, version);
  const fallback = (): unknown => defaultValue(field);
  const notNull = (): never => {
    throw new ProtocolEncodeError(`field "${name}" is not nullable in version ${version}`);
  };
  const base = baseCodec(field, name, version, flexible, nullable);
  return {
    read: base.read,
    write: (w, v) => {
      const value = v === undefined ? fallback() : v;
      if (value === null && !nullable) notNull();
      base.write(w, value);
    },
  };
}

function baseCodec(
  field: AnyField,
  name: string,
  version: number,
  flexible: boolean,
  nullable: boolean,
): { read: Read; write: Write } {
  switch (field.kind) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as number) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'uint32':
      return { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string) };
    case 'string':
      if (flexible) {
        return nullable
          ? { read: (r) => r.compactNullableString(), write: (w, v) => w.compactNullableString(v as string | null) }
          : { read: (r) => r.compactString(), write: (w, v) => w.compactString(v as string) };
      }
      return nullable
        ? { read: (r) => r.nullableString(), write: (w, v) => w.nullableString(v as string | null) }
        : { read: (r) => r.string(), write: (w, v) => w.string(v as string) };
    case 'bytes':
    case 'records':
      if (flexible) {
        return nullable
          ? { read: (r) => r.compactNullableBytes(), write: (w, v) => w.compactNullableBytes(v as Buffer | null) }
          : { read: (r) => r.compactBytes(), write: (w, v) => w.compactBytes(v as Buffer) };
      }
      return nullable
        ? { read: (r) => r.nullableBytes(), write: (w, v) => w.nullableBytes(v as Buffer | null) }
        : { read: (r) => r.bytes(), write: (w, v) => w.bytes(v as Buffer) };
    case 'struct': {
      const s = compileStruct(field, version, flexible);
      return { read: s.read, write: (w, v) => s.write(w, v as Record<string, unknown>) };
    }
    case 'array':
      return arrayCodec(field, name, version, flexible, nullable);
  }
}

function arrayCodec(
  field: AnyField,
  name: string,
  version: number,
  flexible: boolean,
  nullable: boolean,
): { read: Read; write: Write } {
  const element = field.element;
  if (element === undefined) throw new Error(`array field "${name}" has no element type`);
  const item =
    element.kind === 'struct'
      ? compileStruct(element, version, flexible)
      : baseCodec(element, `${name}[]`, version, flexible, false);
  const readItem = item.read;
  const writeItem = item.write as Write;
  const read = (r: Reader): unknown => {
    const at = r.offset;
    const n = flexible ? r.compactArrayLength() : r.arrayLength();
    if (n < 0) {
      if (!nullable) throw new ProtocolDecodeError(`null array "${name}" is not nullable in version ${version}`, at);
      return null;
    }
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(readItem(r));
    return out;
  };
  const write = (w: Writer, v: unknown): void => {
    if (v === null) {
      if (flexible) w.compactArrayLength(null);
      else w.arrayLength(null);
      return;
    }
    if (!Array.isArray(v)) throw new ProtocolEncodeError(`field "${name}" must be an array`);
    if (flexible) w.compactArrayLength(v.length);
    else w.arrayLength(v.length);
    for (let i = 0; i < v.length; i++) writeItem(w, v[i]);
  };
  return { read, write };
}
