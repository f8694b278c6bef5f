import type { ConnectSchema } from './connect-schema';
import type { RawAvroSchema } from '../converters/raw-avro-value';

export interface ConnectHeader {
  readonly key: string;
  /** Header values travel as bytes on Kafka; converters may decode them. */
  readonly value: Buffer | string | null;
}

/**
 * A record between a connector and Kafka, in Kafka Connect's shape. Key and value are
 * in the schema model of connect-schema.ts; a null schema means "schemaless" (the value
 * is plain JSON-like data).
 */
export interface ConnectRecord {
  readonly topic: string;
  /** null lets the producer's partitioner choose (by key). */
  readonly kafkaPartition: number | null;
  readonly keySchema: ConnectSchema | null;
  readonly key: unknown;
  readonly valueSchema: ConnectSchema | null;
  /** null is a tombstone. */
  readonly value: unknown;
  /** Milliseconds since epoch; null lets the broker or producer choose. */
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];
}

/**
 * A record a source task read. `sourcePartition` identifies the stream it came from
 * (e.g. `{ table: "orders" }`) and `sourceOffset` its position in that stream (e.g.
 * `{ incrementing: 1234 }`). Both are JSON objects; the runtime stores the latest offset
 * per partition in `connect-offsets` and gives it back when the task opens.
 */
export interface SourceRecord extends ConnectRecord {
  readonly sourcePartition: Readonly<Record<string, unknown>>;
  readonly sourceOffset: Readonly<Record<string, unknown>>;
}

/**
 * A record a sink task receives, with where it was read from.
 *
 * `topic`/`kafkaPartition`/`kafkaOffset` are what the transforms made of the record
 * (a RegexRouter renames `topic`); the `original*` fields are the consumed
 * topic-partition and offset, set by the runtime before any transform and kept by every
 * transform (they spread their input), as Kafka Connect's `SinkRecord.originalTopic()`,
 * `originalKafkaPartition()` and `originalKafkaOffset()`. A sink that tracks its own
 * progress (exactly-once offsets, `partitionsAssigned`) must key it by the original
 * fields: those are the partitions the runtime assigns, seeks and commits.
 */
export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
  /**
   * Only for a task that declares `SinkTask.acceptsRawAvroValues`: the consumed value
   * bytes (Confluent wire format: 0x00, schema id, Avro binary) and their writer schema;
   * `value` is then decoded only when read. Valid only while `valueSchema` is still
   * `rawSchema.connect` (a record rebuilt with another value carries stale ones):
   * test with {@link hasRawAvroValue}.
   */
  readonly rawValue?: Buffer;
  readonly rawSchema?: RawAvroSchema;
}

/** The record's value is still the consumed Avro bytes `rawValue` of `rawSchema` (see SinkRecord.rawValue); never true for a tombstone. */
export function hasRawAvroValue(record: SinkRecord): record is SinkRecord & { readonly rawValue: Buffer; readonly rawSchema: RawAvroSchema } {
  return record.rawValue !== undefined && record.rawSchema !== undefined && record.rawSchema.connect === record.valueSchema;
}

/** A sink record's value is null (a tombstone), without decoding a raw Avro value (which is never null). */
export function isTombstone(record: SinkRecord): boolean {
  if (hasRawAvroValue(record)) return false;
  return record.value === null || record.value === undefined;
}

/** The consumed topic-partition of a sink record (before any transform). */
export function originalTopicPartition(record: SinkRecord): TopicPartition {
  return { topic: record.originalTopic, partition: record.originalKafkaPartition };
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}
