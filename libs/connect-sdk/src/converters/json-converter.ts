/**
 * Kafka Connect's JsonConverter (`org.apache.kafka.connect.json.JsonConverter`).
 *
 * Settings: `schemas.enable` (default true), `decimal.format` (BASE64 | NUMERIC, default
 * BASE64), `schemas.cache.size` (default 1000), `replace.null.with.default` (default true).
 *
 * - schemas.enable=true: bytes are the envelope `{"schema": <Connect JSON schema or null>,
 *   "payload": <value>}` (json-schema-format.ts, json-data.ts); reading requires exactly
 *   these two fields, with Kafka's message otherwise.
 * - schemas.enable=false: bytes are the plain JSON value; reading gives schemaless data
 *   (schema null).
 * - A null value without schema is written as null (tombstone); null bytes read as
 *   `{ schema: null, value: null }`. Numbers are kept exact (json-text.ts).
 * Caches (bounded by schemas.cache.size): schema -> JSON text when writing (by object
 * identity), JSON schema text -> ConnectSchema when reading, so equal schemas read back
 * as the same object.
 */
import type { ConfigDef } from '../config/config-def';
import { oneOf } from '../config/common-validators';
import type { ConnectSchema } from '../record/connect-schema';
import { ConverterError, type Converter, type SchemaAndValue } from './converter';
import { parseConverterConfig } from './converter-config';
import { connectToJson, DEFAULT_JSON_DATA_OPTIONS, jsonToConnect, type DecimalFormat, type JsonDataOptions } from './json-data';
import { connectSchemaToJson, jsonToConnectSchema } from './json-schema-format';
import { JsonRawNumber, parseJsonText, stringifyJsonTree, type JsonTree } from './json-text';
import { errorMessage } from '@millrace/app-common';

export const JSON_CONVERTER_CONFIG_DEF: ConfigDef = {
  keys: [
    { name: 'schemas.enable', type: 'BOOLEAN', default: true, importance: 'HIGH', documentation: 'Include the schema in the serialized value (the schema/payload envelope).' },
    {
      name: 'decimal.format',
      type: 'STRING',
      default: 'BASE64',
      importance: 'LOW',
      documentation: 'Serialization of Decimal values: BASE64 (the unscaled bytes) or NUMERIC (a JSON number).',
      validator: oneOf(['BASE64', 'NUMERIC'], true),
      allowedValues: ['BASE64', 'NUMERIC'],
    },
    { name: 'schemas.cache.size', type: 'INT', default: 1000, importance: 'HIGH', documentation: 'Maximum number of schemas cached per direction.' },
    { name: 'replace.null.with.default', type: 'BOOLEAN', default: true, importance: 'LOW', documentation: 'Write the schema default for a null value that has one.' },
  ],
};

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ' +
  'If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

export class JsonConverter implements Converter {
  private schemasEnabled = true;
  private cacheSize = 1000;
  private options: JsonDataOptions = DEFAULT_JSON_DATA_OPTIONS;
  private writeCache = new WeakMap<ConnectSchema, string>();
  private writeCacheCount = 0;
  private readonly readCache = new Map<string, ConnectSchema | null>();

  configure(config: Record<string, string>, _isKey: boolean): void {
    const parsed = parseConverterConfig(JSON_CONVERTER_CONFIG_DEF, config, 'JsonConverter');
    this.schemasEnabled = parsed['schemas.enable'] as boolean;
    this.cacheSize = Math.max(0, parsed['schemas.cache.size'] as number);
    this.options = {
      decimalFormat: (parsed['decimal.format'] as string).toUpperCase() as DecimalFormat,
      replaceNullWithDefault: parsed['replace.null.with.default'] as boolean,
    };
    this.writeCache = new WeakMap();
    this.writeCacheCount = 0;
    this.readCache.clear();
  }

  async fromConnectData(_topic: string, schema: ConnectSchema | null, value: unknown): Promise<Buffer | null> {
    return this.serialize(schema, value);
  }

  async toConnectData(_topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    return this.deserialize(bytes);
  }

  /** Synchronous core of fromConnectData. */
  serialize(schema: ConnectSchema | null, value: unknown): Buffer | null {
    if (schema === null && (value === null || value === undefined)) return null;
    const payload = stringifyJsonTree(connectToJson(schema, value, this.options));
    if (!this.schemasEnabled) return Buffer.from(payload, 'utf8');
    const schemaText = schema === null ? 'null' : this.schemaText(schema);
    return Buffer.from(`{"schema":${schemaText},"payload":${payload}}`, 'utf8');
  }

  /** Synchronous core of toConnectData. */
  deserialize(bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null };
    let json: JsonTree;
    try {
      json = parseJsonText(bytes.toString('utf8'));
    } catch (e) {
      const reason = errorMessage(e);
      throw new ConverterError(`Converting byte[] to Kafka Connect data failed due to serialization error: ${reason}`, { cause: e });
    }
    if (!this.schemasEnabled) return { schema: null, value: jsonToConnect(null, json) };
    if (json === null || typeof json !== 'object' || Array.isArray(json) || json instanceof JsonRawNumber) throw new ConverterError(ENVELOPE_ERROR);
    const keys = Object.keys(json);
    if (keys.length !== 2 || !keys.includes('schema') || !keys.includes('payload')) throw new ConverterError(ENVELOPE_ERROR);
    const schema = this.readSchema(json.schema);
    return { schema, value: jsonToConnect(schema, json.payload) };
  }

  private schemaText(schema: ConnectSchema): string {
    let text = this.writeCache.get(schema);
    if (text === undefined) {
      text = stringifyJsonTree(connectSchemaToJson(schema, this.options));
      if (this.writeCacheCount >= this.cacheSize) {
        this.writeCache = new WeakMap();
        this.writeCacheCount = 0;
      }
      if (this.cacheSize > 0) {
        this.writeCache.set(schema, text);
        this.writeCacheCount++;
      }
    }
    return text;
  }

  private readSchema(node: JsonTree): ConnectSchema | null {
    if (node === null) return null;
    const key = stringifyJsonTree(node);
    const hit = this.readCache.get(key);
    if (hit !== undefined) return hit;
    const schema = jsonToConnectSchema(node);
    if (this.readCache.size >= this.cacheSize) this.readCache.clear();
    if (this.cacheSize > 0) this.readCache.set(key, schema);
    return schema;
  }
}
