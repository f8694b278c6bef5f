import { InvalidSchemaError, normalizeReferences, parseAvro, type ParsedInput, type SchemaReference } from './avro';
import { RegistryErrors } from './registry-errors';
import type { SchemaReferenceRecord, SchemaType, SchemaValue } from './registry-records';
import { LATEST_VERSION } from './request-params';
import type { SchemaRequest } from './schema-request.dto';
import { schemaIdentity, type SchemaRegistryState } from './schema-registry.state';

/** A candidate schema after validation: the text to store and how it is identified. */
export interface PreparedSchema {
  schemaType: SchemaType;
  references: SchemaReferenceRecord[];
  /** What is stored and compared: canonical, or normalized when normalize applies. */
  stored: string;
  normalized: string;
  identity: string;
  /** Whether normalize applied (then stored === normalized). */
  normalize: boolean;
}

/**
 * Turns a schema request into what the registry stores and compares, resolving
 * references against the registry's state: Avro parsing, canonical and normalized
 * forms, reference pinning, and the inputs the compatibility checker needs.
 *
 * Contracts: only AVRO is accepted; every failure is a RegistryError 42201 (invalid
 * schema, other schema type, unresolvable reference). It reads the state and never
 * writes it; a caller that must act on the result consistently holds the write lock.
 */
export class SchemaPreparer {
  constructor(private readonly state: SchemaRegistryState) {}

  /** Validates a schema request (type, references, Avro) and computes what would be stored. Throws 42201. */
  prepare(request: SchemaRequest, normalize: boolean): PreparedSchema {
    const schemaType = (request.schemaType ?? 'AVRO').toUpperCase();
    if (schemaType === 'JSON' || schemaType === 'PROTOBUF') {
      throw RegistryErrors.invalidSchema(`Invalid schema type ${schemaType}: this registry supports only AVRO schemas`);
    }
    if (schemaType !== 'AVRO') throw RegistryErrors.invalidSchema(`Invalid schema type ${request.schemaType}: this registry supports only AVRO schemas`);
    let references = (request.references ?? []).map((r) => this.pinReference(r));
    let parsed: { canonical: string; normalized: string };
    try {
      parsed = parseAvro(request.schema, references, this.resolver, { normalize, referencesOf: this.referencesOf });
    } catch (err) {
      if (err instanceof InvalidSchemaError) throw RegistryErrors.invalidSchema(`Invalid schema: ${err.message}`);
      throw err;
    }
    if (normalize) references = normalizeReferences(references);
    const stored = normalize ? parsed.normalized : parsed.canonical;
    return { schemaType: 'AVRO', references, stored, normalized: parsed.normalized, identity: schemaIdentity('AVRO', stored, references), normalize };
  }

  /** A reference with version -1 means the subject's latest live version at registration. */
  pinReference(ref: SchemaReferenceRecord): SchemaReferenceRecord {
    const row = this.state.getVersion(ref.subject, ref.version, ref.version !== LATEST_VERSION);
    if (!row) throw RegistryErrors.invalidSchema(`Invalid schema: reference ${ref.name} names subject '${ref.subject}' version ${ref.version}, which does not exist`);
    return { name: ref.name, subject: ref.subject, version: row.version };
  }

  /** A schema as the compatibility checker takes it, with references resolved against the state. */
  input(schema: string, references: SchemaReferenceRecord[], version?: number): ParsedInput {
    return { schema, references, resolve: this.resolver, referencesOf: this.referencesOf, ...(version !== undefined ? { version } : {}) };
  }

  /** With normalize, a stored version matches when its normalized form equals the candidate's. */
  findNormalizedMatch(rows: SchemaValue[], prepared: PreparedSchema): SchemaValue | undefined {
    if (!prepared.normalize) return undefined;
    const wanted = schemaIdentity(prepared.schemaType, prepared.normalized, normalizeReferences(prepared.references));
    for (const r of rows) {
      try {
        const n = parseAvro(r.schema, r.references, this.resolver, { normalize: true, referencesOf: this.referencesOf }).normalized;
        if (schemaIdentity(r.schemaType, n, normalizeReferences(r.references)) === wanted) return r;
      } catch (err) {
        if (!(err instanceof InvalidSchemaError)) throw err;
      }
    }
    return undefined;
  }

  private readonly resolver = (ref: SchemaReference): string | undefined => this.state.getVersion(ref.subject, ref.version, true)?.schema;

  private readonly referencesOf = (ref: SchemaReference): SchemaReference[] => this.state.getVersion(ref.subject, ref.version, true)?.references ?? [];
}
