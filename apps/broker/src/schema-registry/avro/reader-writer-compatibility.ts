/**
 * Avro schema resolution as a compatibility walker: can a reader schema decode every datum
 * written with a writer schema? Collects EVERY incompatibility (avsc's resolver stops at
 * the first), with the same types, locations and details as Avro-Java's
 * `SchemaCompatibility`, which Confluent uses:
 *
 * - same kind: primitives match; arrays/maps recurse into `/items` / `/values`;
 *   records, enums and fixed first compare names (NAME_MISMATCH at `/name`): names match
 *   when the UNQUALIFIED names are equal or the reader's aliases contain the writer's full
 *   name; fixed sizes must be equal (FIXED_SIZE_MISMATCH at `/size`); every writer enum
 *   symbol must exist in the reader unless the reader enum has a default
 *   (MISSING_ENUM_SYMBOLS at `/symbols`); each reader field is matched to the writer field
 *   of the same name or of one of the reader field's aliases and checked at
 *   `/fields/<pos>/type`; an unmatched reader field needs a default
 *   (READER_FIELD_MISSING_DEFAULT_VALUE at `/fields/<pos>`); writer-only fields are
 *   skipped; a writer union needs, for every branch `i`, a compatible reader branch
 *   (MISSING_UNION_BRANCH at `/<i>`);
 * - different kinds: a writer union requires each branch to be readable (checked at
 *   `/<i>`); a reader union needs one branch compatible with the writer
 *   (MISSING_UNION_BRANCH); promotions int->long->float->double, string<->bytes;
 *   anything else is TYPE_MISMATCH;
 * - beyond Avro-Java (the Avro spec's rule, which Confluent ignores): two decimals match
 *   only with equal precision and scale (TYPE_MISMATCH, detail `decimal(p,s)`).
 *   Other logical types resolve through their underlying types.
 *
 * Recursive types: a (reader, writer) pair already under examination counts as compatible.
 */
import { AvroSchema, NamedSchema, RecordSchema, typeKindName } from './schema-model';

export type IncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface Incompatibility {
  type: IncompatibilityType;
  /** JSON-pointer-like location in the reader schema, e.g. `/fields/1/type`. */
  path: string;
  /** Avro-Java's message: field name, `expected: X`, symbol list, ... */
  detail: string;
  /** true when this is the decimal precision/scale rule. */
  decimal?: boolean;
}

interface Relative {
  type: IncompatibilityType;
  segments: string[];
  detail: string;
  decimal?: boolean;
}

/** Every reason `reader` cannot read data written with `writer` (empty = compatible). */
export function readerWriterIncompatibilities(reader: AvroSchema, writer: AvroSchema): Incompatibility[] {
  return new Walker().check(reader, writer).map((r) => ({
    type: r.type,
    path: r.segments.length === 0 ? '/' : `/${r.segments.join('/')}`,
    detail: r.detail,
    ...(r.decimal ? { decimal: true } : {}),
  }));
}

class Walker {
  private readonly memo = new Map<AvroSchema, Map<AvroSchema, Relative[]>>();
  private readonly inProgress = new Map<AvroSchema, Set<AvroSchema>>();

  check(reader: AvroSchema, writer: AvroSchema): Relative[] {
    const cached = this.memo.get(reader)?.get(writer);
    if (cached) return cached;
    const active = this.inProgress.get(reader);
    if (active?.has(writer)) return [];
    if (active) active.add(writer);
    else this.inProgress.set(reader, new Set([writer]));
    const result = this.compute(reader, writer);
    this.inProgress.get(reader)?.delete(writer);
    let m = this.memo.get(reader);
    if (!m) {
      m = new Map();
      this.memo.set(reader, m);
    }
    m.set(writer, result);
    return result;
  }

  private compute(reader: AvroSchema, writer: AvroSchema): Relative[] {
    if (reader.kind === writer.kind && (reader.kind !== 'primitive' || sameType(reader, writer))) {
      return this.sameKind(reader, writer);
    }
    if (writer.kind === 'union') {
      const out: Relative[] = [];
      writer.branches.forEach((b, i) => out.push(...prefix([String(i)], this.check(reader, b))));
      return out;
    }
    if (reader.kind === 'union') {
      if (reader.branches.some((b) => this.check(b, writer).length === 0)) return [];
      return [{ type: 'MISSING_UNION_BRANCH', segments: [], detail: `reader union lacking writer type: ${typeKindName(writer).toUpperCase()}` }];
    }
    if (reader.kind === 'primitive' && writer.kind === 'primitive' && promotable(writer.type, reader.type)) return [];
    return [typeMismatch(reader, writer)];
  }

  private sameKind(reader: AvroSchema, writer: AvroSchema): Relative[] {
    switch (reader.kind) {
      case 'primitive':
        return writer.kind === 'primitive' ? decimalMismatch(reader, writer) : [];
      case 'array':
        return writer.kind === 'array' ? prefix(['items'], this.check(reader.items, writer.items)) : [];
      case 'map':
        return writer.kind === 'map' ? prefix(['values'], this.check(reader.values, writer.values)) : [];
      case 'fixed': {
        if (writer.kind !== 'fixed') return [];
        const out = nameCheck(reader, writer);
        if (reader.size !== writer.size) {
          out.push({ type: 'FIXED_SIZE_MISMATCH', segments: ['size'], detail: `expected: ${writer.size}, found: ${reader.size}` });
        }
        out.push(...decimalMismatch(reader, writer));
        return out;
      }
      case 'enum': {
        if (writer.kind !== 'enum') return [];
        const out = nameCheck(reader, writer);
        const missing = writer.symbols.filter((s) => !reader.symbols.includes(s));
        if (missing.length > 0 && !(reader.default !== undefined && reader.symbols.includes(reader.default))) {
          out.push({ type: 'MISSING_ENUM_SYMBOLS', segments: ['symbols'], detail: `[${missing.join(', ')}]` });
        }
        return out;
      }
      case 'record':
        return writer.kind === 'record' ? [...nameCheck(reader, writer), ...this.fields(reader, writer)] : [];
      case 'union': {
        if (writer.kind !== 'union') return [];
        const out: Relative[] = [];
        writer.branches.forEach((b, i) => {
          if (this.check(reader, b).length > 0) {
            out.push({ type: 'MISSING_UNION_BRANCH', segments: [String(i)], detail: `reader union lacking writer type: ${typeKindName(b).toUpperCase()}` });
          }
        });
        return out;
      }
    }
  }

  private fields(reader: RecordSchema, writer: RecordSchema): Relative[] {
    const out: Relative[] = [];
    for (const rf of reader.fields) {
      const wf = writer.fields.find((f) => f.name === rf.name) ?? writer.fields.find((f) => rf.aliases.includes(f.name));
      if (!wf) {
        if (!rf.hasDefault) {
          out.push({ type: 'READER_FIELD_MISSING_DEFAULT_VALUE', segments: ['fields', String(rf.pos)], detail: rf.name });
        }
        continue;
      }
      out.push(...prefix(['fields', String(rf.pos), 'type'], this.check(rf.type, wf.type)));
    }
    return out;
  }
}

function sameType(a: AvroSchema, b: AvroSchema): boolean {
  return a.kind === 'primitive' && b.kind === 'primitive' && a.type === b.type;
}

function prefix(segments: string[], rs: Relative[]): Relative[] {
  return rs.map((r) => ({ ...r, segments: [...segments, ...r.segments] }));
}

function nameCheck(reader: NamedSchema, writer: NamedSchema): Relative[] {
  if (reader.name.name === writer.name.name) return [];
  if (reader.aliases.some((a) => a.full === writer.name.full)) return [];
  return [{ type: 'NAME_MISMATCH', segments: ['name'], detail: `expected: ${writer.name.full}` }];
}

const PROMOTIONS: Record<string, readonly string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

/** Can a value written as `writer` be read as `reader` (Avro primitive promotions)? */
function promotable(writer: string, reader: string): boolean {
  return PROMOTIONS[reader]?.includes(writer) ?? false;
}

function typeMismatch(reader: AvroSchema, writer: AvroSchema): Relative {
  return {
    type: 'TYPE_MISMATCH',
    segments: [],
    detail: `reader type: ${typeKindName(reader).toUpperCase()} not compatible with writer type: ${typeKindName(writer).toUpperCase()}`,
  };
}

function decimalMismatch(reader: AvroSchema, writer: AvroSchema): Relative[] {
  const r = 'logical' in reader ? reader.logical : undefined;
  const w = 'logical' in writer ? writer.logical : undefined;
  if (r?.name !== 'decimal' || w?.name !== 'decimal') return [];
  if (r.precision === w.precision && r.scale === w.scale) return [];
  return [
    {
      type: 'TYPE_MISMATCH',
      segments: [],
      detail: `reader type: decimal(${r.precision},${r.scale}) not compatible with writer type: decimal(${w.precision},${w.scale})`,
      decimal: true,
    },
  ];
}
