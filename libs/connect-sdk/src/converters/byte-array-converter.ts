/**
 * Kafka Connect's ByteArrayConverter (`org.apache.kafka.connect.converters.ByteArrayConverter`):
 * bytes pass through unchanged. Writing requires a null or bytes schema and a Buffer (or
 * Uint8Array) value; reading gives `{ schema: optional bytes, value: Buffer | null }`.
 */
import type { ConnectSchema } from '../record/connect-schema';
import { ConverterError, type Converter, type SchemaAndValue } from './converter';
import { describeValue } from './logical-values';

export const OPTIONAL_BYTES_SCHEMA: ConnectSchema = Object.freeze({ type: 'bytes', optional: true });

export class ByteArrayConverter implements Converter {
  configure(_config: Record<string, string>, _isKey: boolean): void {
    // no settings
  }

  async fromConnectData(_topic: string, schema: ConnectSchema | null, value: unknown): Promise<Buffer | null> {
    if (schema !== null && schema.type !== 'bytes') throw new ConverterError(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()}`);
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw new ConverterError(`ByteArrayConverter is not compatible with objects of type ${describeValue(value)}`);
  }

  async toConnectData(_topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    return { schema: OPTIONAL_BYTES_SCHEMA, value: bytes };
  }
}
