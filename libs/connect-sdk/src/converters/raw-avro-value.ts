import type { ConnectSchema } from '../record/connect-schema';
import type { AvroSchema } from './avro-schema-mapping';

/**
 * The writer schema of Avro values registered under one schema id, as a sink task with
 * a direct Avro path needs it (SinkRecord.rawValue): one object per id and converter,
 * so tasks may cache what they compile from it by identity.
 */
export interface RawAvroSchema {
  /** The registry's schema id (bytes 1-4 of every value written with it). */
  readonly id: number;
  /** The writer schema as the registry holds it (parsed JSON). */
  readonly avro: AvroSchema;
  /** The Connect schema `toConnectData` gives values of this id: SinkRecord.valueSchema. */
  readonly connect: ConnectSchema;
  /** The Connect value of framed bytes of this id, exactly as `toConnectData` gives it; bad data throws ConverterError. */
  decode(bytes: Buffer): unknown;
}
