/**
 * Converters turn Connect data (schema + value, see record/connect-schema.ts) into the bytes
 * of a Kafka key or value and back, as Kafka Connect's `Converter` does.
 *
 * Contract:
 * - `configure` is called once, before any conversion, with the converter's own settings
 *   (the `key.converter.` / `value.converter.` prefix already stripped) and whether it
 *   converts keys or values. It may be async (e.g. nothing to fetch yet: registries are
 *   contacted lazily).
 * - `fromConnectData` returns null for a null value (a tombstone, or an absent key) unless
 *   the format has a representation for "null with a schema" (the JSON envelope).
 * - `toConnectData(topic, null)` returns a null value: with a null schema (JSON, Avro) or
 *   the converter's fixed optional schema (String, ByteArray), as Kafka does.
 * - Bad input (a value that does not match its schema, bytes that are not in the expected
 *   format) throws {@link ConverterError} with a message saying what and where; the runtime
 *   routes it to errors.tolerance / the dead letter queue. Infrastructure failures (the
 *   schema registry is down) are thrown as they are, to be retried.
 * - Optional synchronous paths (`fromConnectDataSync`, `toConnectDataSync`) give the same
 *   result or throw the same errors as the async methods, or return {@link NEEDS_ASYNC}
 *   when only the async method can answer now (e.g. a schema not fetched yet). The runtime
 *   uses them to convert a batch without a promise per record, and falls back to the
 *   async method (under the error-handling operator) whenever they do not answer.
 */
import type { ConnectSchema } from '../record/connect-schema';
import type { RawAvroSchema } from './raw-avro-value';

export interface SchemaAndValue {
  readonly schema: ConnectSchema | null;
  readonly value: unknown;
}

/** What a converter's synchronous path returns when only its async method can answer now. */
export const NEEDS_ASYNC: unique symbol = Symbol('converter needs its async path');

export interface Converter {
  configure(config: Record<string, string>, isKey: boolean): Promise<void> | void;
  fromConnectData(topic: string, schema: ConnectSchema | null, value: unknown): Promise<Buffer | null>;
  toConnectData(topic: string, bytes: Buffer | null): Promise<SchemaAndValue>;
  fromConnectDataSync?(topic: string, schema: ConnectSchema | null, value: unknown): Buffer | null | typeof NEEDS_ASYNC;
  toConnectDataSync?(topic: string, bytes: Buffer | null): SchemaAndValue | typeof NEEDS_ASYNC;
  /**
   * Avro converters only: the writer schema of framed Avro `bytes` without decoding the
   * value (SinkRecord.rawValue), or NEEDS_ASYNC when the id is not resolved yet or the
   * bytes are not framed Avro (the runtime then converts the record as usual).
   */
  rawAvroSchemaSync?(bytes: Buffer): RawAvroSchema | typeof NEEDS_ASYNC;
}

/** Data that cannot be converted (Kafka Connect's DataException). */
export class ConverterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConverterError';
  }
}
