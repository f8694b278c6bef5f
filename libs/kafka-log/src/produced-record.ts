import type { RecordHeader } from '@millrace/protocol';
import type { BatchProducerOptions } from './batch-producer';
import type { ReaderLogger } from './partition-reader';

/** A record to produce. */
export interface ProducedRecord {
  readonly topic: string;
  /** An explicit partition; null or absent: by key (murmur2), or sticky per `send` when keyless. */
  readonly partition?: number | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly RecordHeader[];
  /** Create time in ms; null or absent: the time of sending. */
  readonly timestamp?: number | null;
}

/**
 * The producer every store and task of this project uses (make one with
 * `createRecordProducer`); which Kafka client is behind it is decided there alone.
 *
 * Contracts:
 * - `send(records)` resolves once every record is acknowledged by all in-sync replicas
 *   (acks=all); per partition the records land in the order given, and a `send` started
 *   after another resolved lands after it. It is idempotent (no duplicate from its own
 *   retries), and retries transient failures itself until the delivery timeout.
 * - Partitioning is Kafka's default: an explicit partition wins; a keyed record goes to
 *   `murmur2(key) % partitions` (as the Java client, librdkafka's murmur2_random and
 *   kafkajs); the keyless records of one `send` to one topic go to one partition, the
 *   next `send` to the next (sticky partitioning, KIP-480). A missing topic is created
 *   when the cluster auto-creates topics.
 * - A failure rejects with a `ProduceError` whose `retriable` says whether sending the
 *   same records again may succeed; after any failure the next `send` starts a fresh
 *   idempotent session (new producer id), so a retry by the caller can duplicate
 *   records the failed `send` had already written (at-least-once).
 * - `close()` waits for what was sent and closes the connections; idempotent.
 */
export interface RecordProducer {
  /**
   * Prepares the producer before the first `send`: a transactional producer registers
   * its transactional id (InitProducerId), which fences every earlier producer of the
   * id and aborts its open transaction; an idempotent one does nothing.
   */
  open(): Promise<void>;
  send(records: readonly ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface RecordProducerOptions {
  bootstrap: readonly string[];
  clientId: string;
  logger?: ReaderLogger;
  /**
   * transactional.id: each `send` is one transaction, committed before it resolves
   * (records and, e.g., source offsets written atomically; see
   * TransactionalRecordProducer). transaction.timeout.ms is `transactionTimeoutMs`.
   */
  transactionalId?: string;
  transactionTimeoutMs?: number;
  /** See BatchProducerOptions: lingerMs (default 0 here: a `send` seals its batches at once), batchBytes, deliveryTimeoutMs... */
  tuning?: Omit<BatchProducerOptions, 'bootstrap' | 'clientId' | 'logger'>;
}

/**
 * The BatchProducer settings of a RecordProducer: its tuning over the RecordProducer
 * default linger of 0 (a `send` seals its batches at once), its connection and logger,
 * and for a transactional producer the id and epoch its batches carry.
 */
export function batchProducerOptions(options: RecordProducerOptions, transactional?: BatchProducerOptions['transactional']): BatchProducerOptions {
  return {
    lingerMs: 0,
    ...options.tuning,
    bootstrap: options.bootstrap,
    clientId: options.clientId,
    logger: options.logger,
    ...(transactional ? { transactional } : {}),
  };
}
