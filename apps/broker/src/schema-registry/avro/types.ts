/**
 * Public types of the Avro module (the REST layer codes against these) and the error
 * it throws for schemas it refuses.
 */

export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

/** A reference as carried in Confluent's register request: `name` is the Avro full name. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** Returns the schema text registered as `ref.subject` version `ref.version`, or undefined. */
export type ReferenceResolver = (ref: SchemaReference) => string | undefined;

/** A schema plus what is needed to resolve its references. */
export interface ParsedInput {
  schema: string;
  references: SchemaReference[];
  resolve: ReferenceResolver;
  /** Registry version of this schema, when known; only used to label compatibility messages. */
  version?: number;
  /**
   * The references a REFERENCED schema itself declares (the registry knows them from the
   * stored version). Needed only for nested references; defaults to none.
   */
  referencesOf?: (ref: SchemaReference) => SchemaReference[];
}

/** The schema is not valid Avro, or a reference cannot be resolved. The registry answers 42201. */
export class InvalidSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSchemaError';
  }
}
