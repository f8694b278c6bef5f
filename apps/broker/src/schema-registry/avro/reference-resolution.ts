/**
 * Parses a schema together with the schemas it references (Confluent schema references).
 *
 * Each reference's text comes from the resolver. A referenced schema may itself declare
 * references; the text alone does not say which, so the caller (the registry, which
 * stored them with that version) supplies them through the optional `nested` hook.
 * Referenced schemas are parsed depth-first, each (subject, version) once, cycles
 * rejected, into one shared name registry, the way Confluent feeds all resolved
 * references to one Avro parser before parsing the schema itself.
 *
 * The top-level named type of every referenced schema is "external": the canonical
 * writer prints it as a name, never inline (Avro-Java `Schema.toString(referencedSchemas)`).
 */
import { isNamed, AvroSchema, NamedSchema } from './schema-model';
import { Names, parseSchemaText } from './schema-parser';
import { InvalidSchemaError, ReferenceResolver, SchemaReference } from './types';

export interface ResolvedSchema {
  schema: AvroSchema;
  /** Named types defined by references (printed by name in canonical forms). */
  external: Set<NamedSchema>;
}

/**
 * Looks up the references a referenced schema itself declares (subject, version) — the
 * registry knows them from the stored version; defaults to none.
 */
export type NestedReferences = (ref: SchemaReference) => SchemaReference[];

export function parseWithReferences(
  schema: string,
  references: SchemaReference[],
  resolve: ReferenceResolver,
  nested: NestedReferences = () => [],
): ResolvedSchema {
  const names = new Names();
  const external = new Set<NamedSchema>();
  const done = new Set<string>();
  const inProgress = new Set<string>();

  const load = (ref: SchemaReference, chain: string[]): void => {
    const key = `${ref.subject}\u0000${ref.version}`;
    if (done.has(key)) return;
    const label = `${ref.name} (subject '${ref.subject}' version ${ref.version})`;
    if (inProgress.has(key)) throw new InvalidSchemaError(`Circular schema reference: ${[...chain, label].join(' -> ')}`);
    inProgress.add(key);
    for (const inner of nested(ref)) load(inner, [...chain, label]);
    const text = resolve(ref);
    if (text === undefined) throw new InvalidSchemaError(`Invalid schema: reference ${label} could not be resolved`);
    let parsed: AvroSchema;
    try {
      parsed = parseSchemaText(text, names);
    } catch (e) {
      if (e instanceof InvalidSchemaError) throw new InvalidSchemaError(`Invalid referenced schema ${label}: ${e.message}`);
      throw e;
    }
    if (isNamed(parsed)) external.add(parsed);
    inProgress.delete(key);
    done.add(key);
  };

  for (const ref of references) {
    validateReference(ref);
    load(ref, []);
  }
  return { schema: parseSchemaText(schema, names), external };
}

function validateReference(ref: SchemaReference): void {
  if (typeof ref !== 'object' || ref === null) throw new InvalidSchemaError('Invalid schema reference');
  if (typeof ref.name !== 'string' || ref.name === '') throw new InvalidSchemaError('Invalid schema reference: missing name');
  if (typeof ref.subject !== 'string' || ref.subject === '') {
    throw new InvalidSchemaError(`Invalid schema reference ${ref.name}: missing subject`);
  }
  if (!Number.isInteger(ref.version)) throw new InvalidSchemaError(`Invalid schema reference ${ref.name}: invalid version`);
}
