import type { ConnectSchema } from './connect-schema';

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
}

/** The consumed topic-partition of a sink record (before any transform). */
export function originalTopicPartition(record: SinkRecord): TopicPartition {
  return { topic: record.originalTopic, partition: record.originalKafkaPartition };
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}
