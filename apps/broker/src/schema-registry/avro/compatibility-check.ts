/**
 * Confluent compatibility levels on top of the reader/writer walker.
 *
 * - BACKWARD(new, old): the new schema reads data written with the old (reader=new,
 *   writer=old); FORWARD: the old reads the new; FULL: both.
 * - Plain levels compare with the LAST element of `previous` (the latest version);
 *   *_TRANSITIVE levels with every element. NONE is always compatible.
 * - One message per incompatibility, in Confluent's verbose style:
 *   `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'x' at path
 *   '/fields/1' in the new schema has no default value and is missing in the old schema',
 *   additionalInfo:'x', oldSchemaVersion:2, compatibility:'BACKWARD'}` where
 *   `oldSchemaVersion` is the previous schema's `version` when given, otherwise
 *   `oldSchemaIndex` (its index in `previous`).
 *
 * The candidate must be valid (InvalidSchemaError otherwise); a previous schema that no
 * longer parses is reported as an incompatibility message, not thrown.
 */
import { Incompatibility, readerWriterIncompatibilities } from './reader-writer-compatibility';
import { parseWithReferences } from './reference-resolution';
import { AvroSchema } from './schema-model';
import { CompatibilityLevel, InvalidSchemaError, ParsedInput } from './types';

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

type Direction = 'BACKWARD' | 'FORWARD';

const LEVELS: Record<CompatibilityLevel, { directions: Direction[]; transitive: boolean }> = {
  NONE: { directions: [], transitive: false },
  BACKWARD: { directions: ['BACKWARD'], transitive: false },
  BACKWARD_TRANSITIVE: { directions: ['BACKWARD'], transitive: true },
  FORWARD: { directions: ['FORWARD'], transitive: false },
  FORWARD_TRANSITIVE: { directions: ['FORWARD'], transitive: true },
  FULL: { directions: ['BACKWARD', 'FORWARD'], transitive: false },
  FULL_TRANSITIVE: { directions: ['BACKWARD', 'FORWARD'], transitive: true },
};

export function parseInput(input: ParsedInput): AvroSchema {
  return parseWithReferences(input.schema, input.references, input.resolve, input.referencesOf).schema;
}

export function checkCompatibility(candidate: ParsedInput, previous: ParsedInput[], level: CompatibilityLevel): CompatibilityResult {
  const spec = LEVELS[level];
  if (!spec) throw new InvalidSchemaError(`Unknown compatibility level: ${String(level)}`);
  if (spec.directions.length === 0 || previous.length === 0) return { compatible: true, messages: [] };
  const newSchema = parseInput(candidate);
  const targets = spec.transitive ? previous.map((p, i) => ({ p, i })) : [{ p: previous[previous.length - 1], i: previous.length - 1 }];
  const messages: string[] = [];
  // Confluent reports the newest offending version first.
  for (const { p, i } of [...targets].reverse()) {
    const context = p.version !== undefined ? `oldSchemaVersion:${p.version}` : `oldSchemaIndex:${i}`;
    let oldSchema: AvroSchema;
    try {
      oldSchema = parseInput(p);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      messages.push(`{errorType:'OLD_SCHEMA_UNPARSEABLE', description:'The old schema could not be parsed: ${reason}', ${context}}`);
      continue;
    }
    for (const direction of spec.directions) {
      const found =
        direction === 'BACKWARD' ? readerWriterIncompatibilities(newSchema, oldSchema) : readerWriterIncompatibilities(oldSchema, newSchema);
      const readerRole = direction === 'BACKWARD' ? 'new' : 'old';
      const writerRole = direction === 'BACKWARD' ? 'old' : 'new';
      for (const inc of found) messages.push(formatMessage(inc, readerRole, writerRole, `${context}, compatibility:'${level}'`));
    }
  }
  return { compatible: messages.length === 0, messages };
}

/** Confluent-style description of one incompatibility. */
export function describeIncompatibility(inc: Incompatibility, readerRole: string, writerRole: string): string {
  switch (inc.type) {
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      return `The field '${inc.detail}' at path '${inc.path}' in the ${readerRole} schema has no default value and is missing in the ${writerRole} schema`;
    case 'NAME_MISMATCH':
      return `The name of the schema has changed (path '${inc.path}'): the ${readerRole} schema's name does not match the ${writerRole} schema's name or aliases`;
    case 'FIXED_SIZE_MISMATCH':
      return `The size of FIXED type field at path '${inc.path}' in the ${readerRole} schema does not match with the ${writerRole} schema`;
    case 'MISSING_ENUM_SYMBOLS':
      return `The ${readerRole} schema is missing enum symbols '${inc.detail}' at path '${inc.path}' in the ${writerRole} schema`;
    case 'MISSING_UNION_BRANCH':
      return `The ${readerRole} schema is missing a type inside a union field at path '${inc.path}' in the ${writerRole} schema`;
    case 'TYPE_MISMATCH':
      return inc.decimal
        ? `The decimal precision or scale at path '${inc.path}' in the ${readerRole} schema does not match the ${writerRole} schema`
        : `The type (path '${inc.path}') of a field in the ${readerRole} schema does not match with the ${writerRole} schema`;
  }
}

function formatMessage(inc: Incompatibility, readerRole: string, writerRole: string, context: string): string {
  return `{errorType:'${inc.type}', description:'${describeIncompatibility(inc, readerRole, writerRole)}', additionalInfo:'${inc.detail}', ${context}}`;
}
