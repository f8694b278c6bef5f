import type { ConnectHeader, ConnectSchema, RawAvroSchema, SinkRecord } from '@millrace/connect-sdk';

const UNDECODED: unique symbol = Symbol('undecoded');

/**
 * A SinkRecord whose value stays the consumed Avro bytes (SinkRecord.rawValue, for a
 * task declaring `acceptsRawAvroValues`): `value` decodes them on first read, through
 * the converter's own decoding (RawAvroSchema.decode), and keeps the result, so a task
 * reading it sees exactly what the usual conversion gives. Every other field is a plain
 * own property, so a record spread into a new object (`{ ...record, value }`) keeps them
 * (and `hasRawAvroValue` tells the copy's stale raw value by its changed valueSchema).
 */
export class RawValueSinkRecord implements SinkRecord {
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
  readonly valueSchema: ConnectSchema;
  private decoded: unknown = UNDECODED;

  constructor(
    readonly topic: string,
    readonly kafkaPartition: number,
    readonly kafkaOffset: number,
    readonly keySchema: ConnectSchema | null,
    readonly key: unknown,
    readonly rawValue: Buffer,
    readonly rawSchema: RawAvroSchema,
    readonly timestamp: number | null,
    readonly headers: readonly ConnectHeader[],
  ) {
    this.originalTopic = topic;
    this.originalKafkaPartition = kafkaPartition;
    this.originalKafkaOffset = kafkaOffset;
    this.valueSchema = rawSchema.connect;
  }

  /** The Connect value (decoded once, on first read; bad data throws ConverterError). */
  get value(): unknown {
    if (this.decoded === UNDECODED) this.decoded = this.rawSchema.decode(this.rawValue);
    return this.decoded;
  }
}
