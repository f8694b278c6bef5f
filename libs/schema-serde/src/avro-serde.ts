/**
 * Avro serializer/deserializer speaking the Confluent wire format (see wire-format.ts).
 *
 * - `serialize(subject, schema, value)`: the schema is registered under `subject` (or only
 *   looked up, with `autoRegister: false`) once; afterwards (subject, schema) -> (id, avsc
 *   Type) comes from memory, so the hot path does no HTTP and no schema parsing.
 * - `deserialize(buffer, { readerSchema })`: the writer schema is fetched by id once and
 *   kept as an avsc Type; with a reader schema, the avsc resolver for (writer id, reader
 *   schema) is built once and reused (Avro schema resolution: defaults, promotions, ...).
 * - Schemas with references: referenced schemas are fetched by (subject, version),
 *   recursively, and fed to avsc's type registry before the schema itself.
 *
 * Values use avsc's representation (records as plain objects, bytes as Buffer, unions per
 * `typeOptions.wrapUnions`, avsc's default being unwrapped for nullable unions).
 */
import * as avro from 'avsc';
import { SchemaReference, SchemaRegistryClient } from './schema-registry-client';
import { DeserializationError, SerializationError } from './serde-errors';
import { decodeFrame, encodeFrameHeader, HEADER_SIZE } from './wire-format';

export type AvroTypeOptions = Parameters<typeof avro.Type.forSchema>[1];

export interface AvroSerdeOptions {
  client: SchemaRegistryClient;
  /** register unknown schemas (default true); false = look them up only */
  autoRegister?: boolean;
  /** passed to avsc `Type.forSchema` (e.g. wrapUnions, logicalTypes) */
  typeOptions?: AvroTypeOptions;
}

export interface SerializeOptions {
  /** references of `schema` (Confluent schema references) */
  references?: SchemaReference[];
}

export interface DeserializeOptions {
  /** decode into this schema instead of the writer's (Avro schema resolution) */
  readerSchema?: string | object;
}

/** A schema resolved for writing: its registry id and compiled avsc Type. */
export interface AvroWriter {
  readonly subject: string;
  readonly id: number;
  readonly type: avro.Type;
}

type Resolver = ReturnType<avro.Type['createResolver']>;

export class AvroSerde {
  private readonly writers = new Map<string, AvroWriter>();
  private readonly pendingWriters = new Map<string, Promise<AvroWriter>>();
  private readonly typesById = new Map<number, avro.Type>();
  private readonly pendingById = new Map<number, Promise<avro.Type>>();
  private readonly typesBySchema = new Map<string, avro.Type>();
  private readonly resolvers = new Map<string, { reader: avro.Type; resolver: Resolver }>();
  private readonly schemaTexts = new WeakMap<object, string>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly options: AvroSerdeOptions) {}

  /** Avro-encodes `value` with `schema` and frames it with the schema's registry id. */
  async serialize(subject: string, schema: string | object, value: unknown, opts: SerializeOptions = {}): Promise<Buffer> {
    return this.encode(await this.writer(subject, schema, opts), value);
  }

  /**
   * The registry id and compiled avsc Type `serialize` uses for `schema` under `subject`
   * (registered, or looked up, once). A caller that keeps it can `encode` without any
   * lookup per value.
   */
  async writer(subject: string, schema: string | object, opts: SerializeOptions = {}): Promise<AvroWriter> {
    const text = this.textOf(schema);
    const refs = opts.references ?? [];
    const key = refs.length === 0 ? `${subject}\u0000${text}` : `${subject}\u0000${text}\u0000${JSON.stringify(refs)}`;
    return this.writers.get(key) ?? (await this.loadWriter(key, subject, text, refs));
  }

  /** `value` Avro-encoded with a writer and framed with its id (encoded once into a reused buffer, then copied out). */
  encode(writer: AvroWriter, value: unknown): Buffer {
    let end: number;
    try {
      end = writer.type.encode(value, this.scratch, HEADER_SIZE);
      if (end < 0) {
        this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
        end = writer.type.encode(value, this.scratch, HEADER_SIZE);
      }
    } catch (e) {
      throw new SerializationError(`Value does not match the schema registered as id ${writer.id} for subject '${writer.subject}': ${describeInvalid(writer.type, value, e)}`, { cause: e });
    }
    const out = Buffer.allocUnsafe(end);
    this.scratch.copy(out, HEADER_SIZE, HEADER_SIZE, end);
    return encodeFrameHeader(out, writer.id);
  }

  /** Decodes a wire-format buffer (writer schema fetched by id, cached). */
  async deserialize(buffer: Buffer, opts: DeserializeOptions = {}): Promise<unknown> {
    const { schemaId, payload } = decodeFrame(buffer);
    const writer = this.typesById.get(schemaId) ?? (await this.loadById(schemaId));
    try {
      if (opts.readerSchema === undefined) return writer.fromBuffer(payload);
      const { reader, resolver } = this.resolverFor(schemaId, writer, opts.readerSchema);
      return reader.fromBuffer(payload, resolver);
    } catch (e) {
      if (e instanceof DeserializationError) throw e;
      const reason = e instanceof Error ? e.message : String(e);
      throw new DeserializationError(`Cannot decode Avro data written with schema id ${schemaId}: ${reason}`, { cause: e });
    }
  }

  /** The avsc Type for a registry id (fetched once). */
  async typeForId(id: number): Promise<avro.Type> {
    return this.typesById.get(id) ?? this.loadById(id);
  }

  private textOf(schema: string | object): string {
    if (typeof schema === 'string') return schema;
    let text = this.schemaTexts.get(schema);
    if (text === undefined) {
      text = JSON.stringify(schema);
      this.schemaTexts.set(schema, text);
    }
    return text;
  }

  private loadWriter(key: string, subject: string, text: string, refs: SchemaReference[]): Promise<AvroWriter> {
    let p = this.pendingWriters.get(key);
    if (!p) {
      p = (async () => {
        const type = await this.typeFor(text, refs);
        const client = this.options.client;
        const id = this.options.autoRegister === false ? await client.lookupSchema(subject, text, refs) : await client.register(subject, text, refs);
        const entry = { subject, id, type };
        this.writers.set(key, entry);
        if (!this.typesById.has(id)) this.typesById.set(id, type);
        return entry;
      })();
      this.pendingWriters.set(key, p);
      p.then(
        () => this.pendingWriters.delete(key),
        () => this.pendingWriters.delete(key),
      );
    }
    return p;
  }

  private loadById(id: number): Promise<avro.Type> {
    let p = this.pendingById.get(id);
    if (!p) {
      p = (async () => {
        const registered = await this.options.client.getSchemaById(id);
        if (registered.schemaType !== 'AVRO') {
          throw new DeserializationError(`Schema id ${id} is a ${registered.schemaType} schema, not AVRO`);
        }
        const type = await this.typeFor(registered.schema, registered.references);
        this.typesById.set(id, type);
        return type;
      })();
      this.pendingById.set(id, p);
      p.then(
        () => this.pendingById.delete(id),
        () => this.pendingById.delete(id),
      );
    }
    return p;
  }

  /** avsc Type for schema text + references, cached by both. */
  private async typeFor(text: string, refs: SchemaReference[]): Promise<avro.Type> {
    const key = refs.length === 0 ? text : `${text}\u0000${JSON.stringify(refs)}`;
    const hit = this.typesBySchema.get(key);
    if (hit) return hit;
    const registry: Record<string, avro.Type> = {};
    const loaded = new Set<string>();
    const loadRefs = async (list: SchemaReference[], depth: number): Promise<void> => {
      if (depth > 32) throw new SerializationError('Schema references nested deeper than 32 levels (cycle?)');
      for (const ref of list) {
        const refKey = `${ref.subject}\u0000${ref.version}`;
        if (loaded.has(refKey)) continue;
        loaded.add(refKey);
        const v = await this.options.client.getSchemaByVersion(ref.subject, ref.version);
        await loadRefs(v.references, depth + 1);
        this.forSchema(v.schema, registry);
      }
    };
    await loadRefs(refs, 0);
    const type = this.forSchema(text, registry);
    this.typesBySchema.set(key, type);
    return type;
  }

  private forSchema(text: string, registry: Record<string, avro.Type>): avro.Type {
    try {
      return avro.Type.forSchema(JSON.parse(text) as avro.Schema, { ...this.options.typeOptions, registry });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new SerializationError(`Invalid Avro schema: ${reason}`, { cause: e });
    }
  }

  private resolverFor(id: number, writer: avro.Type, readerSchema: string | object): { reader: avro.Type; resolver: Resolver } {
    const text = this.textOf(readerSchema);
    const key = `${id}\u0000${text}`;
    let hit = this.resolvers.get(key);
    if (!hit) {
      const reader = this.typesBySchema.get(text) ?? this.forSchema(text, {});
      this.typesBySchema.set(text, reader);
      let resolver: Resolver;
      try {
        resolver = reader.createResolver(writer);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new DeserializationError(`Reader schema cannot read data written with schema id ${id}: ${reason}`, { cause: e });
      }
      hit = { reader, resolver };
      this.resolvers.set(key, hit);
    }
    return hit;
  }
}

/** Lists the paths at which `value` violates `type` (only computed on failure). */
function describeInvalid(type: avro.Type, value: unknown, error: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], v: unknown, t: avro.Type) => {
      problems.push(`${path.length > 0 ? path.join('.') : '<root>'}: ${safeJson(v)} is not a valid ${t.typeName}`);
    },
  });
  if (problems.length > 0) return problems.join('; ');
  return error instanceof Error ? error.message : String(error);
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}
