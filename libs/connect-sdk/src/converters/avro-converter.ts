/**
 * Confluent's AvroConverter (`io.confluent.connect.avro.AvroConverter`) over
 * @millrace/schema-serde (Confluent wire format, caching registry client, avsc).
 *
 * Settings:
 * - `schema.registry.url` (required; a comma-separated list is tried in order when one does not answer).
 *   The runtime supplies the platform registry (MILLRACE_REGISTRY_URL) as a default.
 * - `auto.register.schemas` (default true): register the value's schema under the subject;
 *   false: only look it up (unknown schema -> ConverterError).
 * - `use.latest.version` (default false): write with the subject's latest registered
 *   schema (fetched once per subject) instead of the value's own.
 * - `basic.auth.user.info` ("user:password"): HTTP basic auth to the registry.
 *
 * Subjects follow TopicNameStrategy: `<topic>-key` / `<topic>-value`.
 * fromConnectData: null value -> null (tombstone); a schema is required otherwise. The
 * Connect schema is mapped to Avro by avro-schema-mapping.ts (cached per schema object).
 * The registered id and compiled avsc Type are resolved once per schema object (and
 * subject) and kept. A schema the direct encoder takes (avro-direct-encoder.ts: structs
 * of primitives and logical types, the shape of database rows) is written straight from
 * the Connect value into a shared slab, with the bytes of the general path; other schemas
 * (and `use.latest.version`, whose writer schema is not the value's own) cost one compiled
 * value mapping (avro-value-mapping.ts) and one avsc encode into a reused buffer.
 * toConnectData: the writer schema is fetched by the id in the bytes, once per id, and
 * mapped back to a Connect schema (one object per id); the payload is decoded with the
 * id's compiled avsc Type. After warm-up neither direction makes HTTP calls (the serde and
 * the client cache ids and schemas).
 *
 * Bad data, unknown ids and schemas the registry refuses (HTTP 4xx) are ConverterErrors;
 * registry unavailability (no answer, HTTP 5xx) is thrown as SchemaRegistryError.
 */
import { AvroSerde, SchemaRegistryClient, SchemaRegistryError, decodeFrame, frameSchemaId, DeserializationError, SerializationError, WireFormatError, type AvroWriter } from '@millrace/schema-serde';
import type * as avro from 'avsc';
import type { ConfigDef } from '../config/config-def';
import { urlLike } from '../config/common-validators';
import type { ConnectSchema } from '../record/connect-schema';
import { int64TypeHook } from './avro-long-type';
import { connectToAvroSchema, type AvroSchema } from './avro-schema-mapping';
import { avroToConnectSchema } from './avro-to-connect-schema';
import { avroToConnectValue, connectToAvroValue } from './avro-value-mapping';
import { compileDirectEncoder, FrameWriter, type DirectEncoder } from './avro-direct-encoder';
import { ConverterError, NEEDS_ASYNC, type Converter, type SchemaAndValue } from './converter';
import { parseConverterConfig } from './converter-config';
import type { RawAvroSchema } from './raw-avro-value';

export const AVRO_CONVERTER_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'schema.registry.url', type: 'LIST', importance: 'HIGH', documentation: 'Schema registry URL(s); requests fail over to the next when one does not answer or answers 5xx.', validator: urlLike() },
    { name: 'auto.register.schemas', type: 'BOOLEAN', default: true, importance: 'MEDIUM', documentation: 'Register schemas that are not registered yet.' },
    { name: 'use.latest.version', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: "Serialize with the subject's latest schema." },
    { name: 'basic.auth.user.info', type: 'PASSWORD', default: null, importance: 'MEDIUM', documentation: 'user:password for HTTP basic auth to the registry.' },
  ],
};

export interface AvroConverterOptions {
  /** Builds the registry client (tests, or sharing one client between converters). */
  readonly clientFactory?: (options: { baseUrl: string; fallbackUrls?: string[]; headers?: Record<string, string> }) => SchemaRegistryClient;
}

interface WriterSchema {
  readonly text: string;
}

interface ReaderEntry {
  readonly schema: ConnectSchema;
  /** The writer schema's compiled avsc Type (values are decoded with it directly). */
  readonly type: avro.Type;
  /** What `rawAvroSchemaSync` hands out for this id. */
  readonly raw: RawAvroSchema;
}

export class AvroConverter implements Converter {
  private isKey = false;
  private serde?: AvroSerde;
  private client?: SchemaRegistryClient;
  private useLatest = false;
  private readonly writerSchemas = new WeakMap<ConnectSchema, WriterSchema>();
  /** The last subject's resolved writer per schema object (a schema is written to one topic in the common case). */
  private readonly writers = new WeakMap<ConnectSchema, AvroWriter>();
  private readonly latestBySubject = new Map<string, Promise<string>>();
  /** Direct encoders per schema object (null: the schema needs the general path). */
  private readonly directEncoders = new WeakMap<ConnectSchema, DirectEncoder | null>();
  private readonly frames = new FrameWriter();
  /** The last (topic, schema) written directly: a task's next record usually has both, and skips the lookups. */
  private hot: { readonly topic: string; readonly schema: ConnectSchema; readonly writer: AvroWriter; readonly encoder: DirectEncoder } | null = null;
  private readonly readers = new Map<number, ReaderEntry>();
  private readonly pendingReaders = new Map<number, Promise<ReaderEntry>>();

  constructor(private readonly options: AvroConverterOptions = {}) {}

  configure(config: Record<string, string>, isKey: boolean): void {
    const parsed = parseConverterConfig(AVRO_CONVERTER_CONFIG_DEF, config, 'AvroConverter');
    const urls = parsed['schema.registry.url'] as string[];
    if (urls.length === 0) throw new ConverterError('Invalid AvroConverter configuration: Missing required configuration "schema.registry.url" which has no default value.');
    const userInfo = parsed['basic.auth.user.info'] as string | null;
    const headers = userInfo ? { Authorization: `Basic ${Buffer.from(userInfo, 'utf8').toString('base64')}` } : undefined;
    const clientOptions = { baseUrl: urls[0], fallbackUrls: urls.slice(1), headers };
    this.client = this.options.clientFactory ? this.options.clientFactory(clientOptions) : new SchemaRegistryClient(clientOptions);
    this.useLatest = parsed['use.latest.version'] as boolean;
    const autoRegister = (parsed['auto.register.schemas'] as boolean) && !this.useLatest;
    const typeHook = int64TypeHook as unknown as (schema: avro.Schema, opts: object) => avro.Type | undefined;
    this.serde = new AvroSerde({ client: this.client, autoRegister, typeOptions: { typeHook } });
    this.isKey = isKey;
    this.hot = null;
  }

  /** The subject of `topic` (TopicNameStrategy). */
  subjectFor(topic: string): string {
    return `${topic}-${this.isKey ? 'key' : 'value'}`;
  }

  /** The Avro schema text this converter registers for `schema`. */
  avroSchemaText(schema: ConnectSchema): string {
    let hit = this.writerSchemas.get(schema);
    if (!hit) {
      hit = { text: JSON.stringify(connectToAvroSchema(schema)) };
      this.writerSchemas.set(schema, hit);
    }
    return hit.text;
  }

  async fromConnectData(topic: string, schema: ConnectSchema | null, value: unknown): Promise<Buffer | null> {
    const serde = this.ready();
    if (value === null || value === undefined) return null;
    if (schema === null) throw new ConverterError('AvroConverter needs a schema for non-null data (use the JsonConverter with schemas.enable=false for schemaless data)');
    const subject = this.subjectFor(topic);
    let writer = this.writerFor(schema, subject);
    if (writer) {
      const direct = this.encodeDirect(schema, writer, value);
      if (direct) return direct;
    }
    const avroValue = connectToAvroValue(schema, value);
    try {
      writer ??= await this.loadWriter(serde, schema, subject);
      return serde.encode(writer, avroValue);
    } catch (e) {
      throw asConverterError(e, `Failed to serialize Avro data for subject '${subject}'`);
    }
  }

  /** fromConnectData without a promise once the schema's writer is resolved (see Converter). */
  fromConnectDataSync(topic: string, schema: ConnectSchema | null, value: unknown): Buffer | null | typeof NEEDS_ASYNC {
    const serde = this.ready();
    if (value === null || value === undefined) return null;
    if (schema === null) return NEEDS_ASYNC;
    const hot = this.hot;
    if (hot !== null && hot.schema === schema && hot.topic === topic) {
      try {
        return this.frames.frame(hot.writer.id, hot.encoder, value);
      } catch {
        // refused: the general path below words the error
      }
    }
    const subject = this.subjectFor(topic);
    const writer = this.writerFor(schema, subject);
    if (!writer) return NEEDS_ASYNC;
    const direct = this.encodeDirect(schema, writer, value);
    if (direct) {
      this.hot = { topic, schema, writer, encoder: this.directEncoders.get(schema) as DirectEncoder };
      return direct;
    }
    const avroValue = connectToAvroValue(schema, value);
    try {
      return serde.encode(writer, avroValue);
    } catch (e) {
      throw asConverterError(e, `Failed to serialize Avro data for subject '${subject}'`);
    }
  }

  /** toConnectData without a promise once the writer schema id is known (see Converter). */
  toConnectDataSync(_topic: string, bytes: Buffer | null): SchemaAndValue | typeof NEEDS_ASYNC {
    this.ready();
    if (bytes === null) return { schema: null, value: null };
    let schemaId: number;
    let payload: Buffer;
    try {
      ({ schemaId, payload } = decodeFrame(bytes));
    } catch {
      return NEEDS_ASYNC;
    }
    const reader = this.readers.get(schemaId);
    if (!reader) return NEEDS_ASYNC;
    let avroValue: unknown;
    try {
      avroValue = reader.type.fromBuffer(payload);
    } catch {
      return NEEDS_ASYNC;
    }
    try {
      return { schema: reader.schema, value: avroToConnectValue(reader.schema, avroValue) };
    } catch (e) {
      throw asConverterError(e, 'Failed to deserialize Avro data');
    }
  }

  /** The writer schema of framed Avro bytes whose id is resolved, without decoding them (see Converter). */
  rawAvroSchemaSync(bytes: Buffer): RawAvroSchema | typeof NEEDS_ASYNC {
    const id = frameSchemaId(bytes);
    return (id === undefined ? undefined : this.readers.get(id)?.raw) ?? NEEDS_ASYNC;
  }

  /**
   * `value` framed by the direct encoder, or undefined when the general path must run:
   * the schema is not one it takes, the writer schema is not the value's own
   * (use.latest.version), or the value is refused (the general path then words the error).
   */
  private encodeDirect(schema: ConnectSchema, writer: AvroWriter, value: unknown): Buffer | undefined {
    if (this.useLatest) return undefined;
    let encoder = this.directEncoders.get(schema);
    if (encoder === undefined) {
      encoder = compileDirectEncoder(schema);
      this.directEncoders.set(schema, encoder);
    }
    if (encoder === null) return undefined;
    try {
      return this.frames.frame(writer.id, encoder, value);
    } catch {
      return undefined;
    }
  }

  /** The resolved writer of (schema object, subject), once `loadWriter` has run for it. */
  private writerFor(schema: ConnectSchema, subject: string): AvroWriter | undefined {
    const hit = this.writers.get(schema);
    return hit?.subject === subject ? hit : undefined;
  }

  private async loadWriter(serde: AvroSerde, schema: ConnectSchema, subject: string): Promise<AvroWriter> {
    const text = this.useLatest ? await this.latestSchema(subject) : this.avroSchemaText(schema);
    const writer = await serde.writer(subject, text);
    this.writers.set(schema, writer);
    return writer;
  }

  async toConnectData(_topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    const serde = this.ready();
    if (bytes === null) return { schema: null, value: null };
    try {
      const { schemaId, payload } = decodeFrame(bytes);
      const reader = this.readers.get(schemaId) ?? (await this.loadReader(serde, schemaId));
      return { schema: reader.schema, value: decodePayload(schemaId, reader.type, reader.schema, payload) };
    } catch (e) {
      throw asConverterError(e, 'Failed to deserialize Avro data');
    }
  }

  private ready(): AvroSerde {
    if (!this.serde) throw new Error('AvroConverter used before configure()');
    return this.serde;
  }

  private latestSchema(subject: string): Promise<string> {
    let p = this.latestBySubject.get(subject);
    if (!p) {
      const client = this.client as SchemaRegistryClient;
      p = client.getLatestSchema(subject).then((v) => v.schema);
      this.latestBySubject.set(subject, p);
      p.catch(() => this.latestBySubject.delete(subject));
    }
    return p.catch((e: unknown) => {
      throw asConverterError(e, `Failed to fetch the latest schema of subject '${subject}'`);
    });
  }

  private loadReader(serde: AvroSerde, id: number): Promise<ReaderEntry> {
    let p = this.pendingReaders.get(id);
    if (!p) {
      const client = this.client as SchemaRegistryClient;
      p = client.getSchemaById(id).then(async (registered) => {
        if (registered.schemaType !== 'AVRO') throw new ConverterError(`Schema id ${id} is a ${registered.schemaType} schema, not AVRO`);
        const avroSchema = JSON.parse(registered.schema) as AvroSchema;
        const schema = avroToConnectSchema(avroSchema);
        const type = await serde.typeForId(id);
        const raw: RawAvroSchema = { id, avro: avroSchema, connect: schema, decode: (bytes) => decodeValue(id, type, schema, bytes) };
        const entry: ReaderEntry = { schema, type, raw };
        this.readers.set(id, entry);
        return entry;
      });
      this.pendingReaders.set(id, p);
      p.then(
        () => this.pendingReaders.delete(id),
        () => this.pendingReaders.delete(id),
      );
    }
    return p;
  }
}

/** The Connect value of framed bytes of schema id `id` (RawAvroSchema.decode). */
function decodeValue(id: number, type: avro.Type, schema: ConnectSchema, bytes: Buffer): unknown {
  try {
    const { schemaId, payload } = decodeFrame(bytes);
    if (schemaId !== id) throw new ConverterError(`Avro value of schema id ${schemaId} decoded as schema id ${id}`);
    return decodePayload(id, type, schema, payload);
  } catch (e) {
    throw asConverterError(e, 'Failed to deserialize Avro data');
  }
}

/** The Connect value of an Avro payload (the bytes after the frame header) of schema id `id`; a payload the type cannot read is a DeserializationError. */
function decodePayload(id: number, type: avro.Type, schema: ConnectSchema, payload: Buffer): unknown {
  let avroValue: unknown;
  try {
    avroValue = type.fromBuffer(payload);
  } catch (e) {
    throw new DeserializationError(`Cannot decode Avro data written with schema id ${id}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return avroToConnectValue(schema, avroValue);
}

/** Data problems become ConverterErrors; registry unavailability is rethrown as is. */
function asConverterError(e: unknown, context: string): unknown {
  if (e instanceof ConverterError) return e;
  if (e instanceof SchemaRegistryError) {
    if (e.status >= 400 && e.status < 500) return new ConverterError(`${context}: ${e.message}`, { cause: e });
    return e;
  }
  if (e instanceof SerializationError || e instanceof DeserializationError || e instanceof WireFormatError) {
    return new ConverterError(`${context}: ${e.message}`, { cause: e });
  }
  return e;
}
