/**
 * Avro support for the schema registry: validation, Confluent's canonical and normalised
 * schema strings, and Confluent compatibility checks.
 *
 * `parseAvro(schema, references, resolve, { normalize })`:
 * - throws {@link InvalidSchemaError} for invalid JSON, invalid Avro, an unresolvable
 *   reference or an invalid referenced schema (registry: 42201);
 * - `canonical`: the text Confluent stores/returns (`AvroSchema.canonicalString()`, i.e.
 *   Avro-Java's compact `Schema.toString`, types from references printed by name);
 * - `normalized`: with `normalize: true`, the text Confluent stores for a normalised
 *   schema (`AvroSchema.normalize().canonicalString()`); with `normalize: false`, equal to
 *   `canonical`.
 *   Nested references (a referenced schema with its own references) are read through
 *   `opts.referencesOf`.
 *
 * `checkCompatibility(candidate, previous, level)`: see compatibility-check.ts.
 */
import { canonicalString } from './canonical-form';
import { normalizedString } from './normalized-form';
import { parseWithReferences } from './reference-resolution';
import { ReferenceResolver, SchemaReference } from './types';

export { checkCompatibility, describeIncompatibility } from './compatibility-check';
export type { CompatibilityResult } from './compatibility-check';
export { readerWriterIncompatibilities } from './reader-writer-compatibility';
export type { Incompatibility, IncompatibilityType } from './reader-writer-compatibility';
export { InvalidSchemaError } from './types';
export type { CompatibilityLevel, ParsedInput, ReferenceResolver, SchemaReference } from './types';

export interface ParseAvroOptions {
  normalize: boolean;
  /** References declared by a referenced schema (for nested references). */
  referencesOf?: (ref: SchemaReference) => SchemaReference[];
}

export function parseAvro(
  schema: string,
  references: SchemaReference[],
  resolve: ReferenceResolver,
  opts: ParseAvroOptions,
): { canonical: string; normalized: string } {
  const parsed = parseWithReferences(schema, references, resolve, opts.referencesOf);
  const canonical = canonicalString(parsed.schema, parsed.external);
  const normalized = opts.normalize ? normalizedString(parsed.schema, parsed.external) : canonical;
  return { canonical, normalized };
}

/**
 * Confluent sorts and de-duplicates references when normalising (by name, then subject,
 * then version); exposed for the registry to apply together with `normalized`.
 */
export function normalizeReferences(references: SchemaReference[]): SchemaReference[] {
  const key = (r: SchemaReference): string => `${r.name}\u0000${r.subject}\u0000${r.version}`;
  const unique = new Map(references.map((r) => [key(r), r]));
  return [...unique.values()].sort(
    (a, b) => cmp(a.name, b.name) || cmp(a.subject, b.subject) || a.version - b.version,
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
