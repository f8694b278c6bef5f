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

/** A record a sink task receives, with where it was read from. */
export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}
