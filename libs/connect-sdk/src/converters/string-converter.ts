/**
 * Kafka Connect's StringConverter (`org.apache.kafka.connect.storage.StringConverter`).
 *
 * - `converter.encoding`: UTF-8 (default; also "UTF8", "utf-8") or ISO-8859-1 ("latin1").
 * - fromConnectData: null -> null; strings as they are; numbers, bigints and booleans via
 *   String(); Dates as ISO-8601; anything else (structs, maps, bytes) is a ConverterError,
 *   since it has no faithful string form.
 * - toConnectData: `{ schema: optional string, value: string | null }`.
 */
import type { ConfigDef } from '../config/config-def';
import type { ConnectSchema } from '../record/connect-schema';
import { ConverterError, type Converter, type SchemaAndValue } from './converter';
import { parseConverterConfig } from './converter-config';
import { describeValue } from './logical-values';

export const OPTIONAL_STRING_SCHEMA: ConnectSchema = Object.freeze({ type: 'string', optional: true });

export const STRING_CONVERTER_CONFIG_DEF: ConfigDef = {
  keys: [{ name: 'converter.encoding', type: 'STRING', default: 'UTF-8', importance: 'HIGH', documentation: 'Character encoding: UTF-8 or ISO-8859-1 (latin1).' }],
};

const ENCODINGS: Record<string, BufferEncoding> = { 'utf-8': 'utf8', utf8: 'utf8', 'iso-8859-1': 'latin1', latin1: 'latin1', iso8859_1: 'latin1' };

export class StringConverter implements Converter {
  private encoding: BufferEncoding = 'utf8';

  configure(config: Record<string, string>, _isKey: boolean): void {
    const parsed = parseConverterConfig(STRING_CONVERTER_CONFIG_DEF, config, 'StringConverter');
    const name = String(parsed['converter.encoding']);
    const encoding = ENCODINGS[name.toLowerCase()];
    if (!encoding) throw new ConverterError(`Invalid StringConverter configuration: unsupported converter.encoding '${name}' (use UTF-8 or ISO-8859-1)`);
    this.encoding = encoding;
  }

  async fromConnectData(_topic: string, _schema: ConnectSchema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null;
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
    else if (value instanceof Date) text = value.toISOString();
    else throw new ConverterError(`StringConverter cannot convert a ${describeValue(value)} to a string`);
    return Buffer.from(text, this.encoding);
  }

  async toConnectData(_topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    return { schema: OPTIONAL_STRING_SCHEMA, value: bytes === null ? null : bytes.toString(this.encoding) };
  }
}
