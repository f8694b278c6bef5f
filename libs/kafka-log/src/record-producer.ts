import { errorMessage } from '@millrace/app-common';
import type { RecordHeader, RecordInput } from '@millrace/protocol';
import { BatchProducer, ProduceError, type BatchProducerOptions } from './batch-producer';
import { ClusterConnections } from './cluster-connections';
import { keyPartition } from './murmur2';
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
  send(records: readonly ProducedRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface RecordProducerOptions {
  bootstrap: readonly string[];
  clientId: string;
  logger?: ReaderLogger;
  /**
   * transactional.id: exactly-once producers (records and offsets in one transaction).
   * Reserved for the transactional producer; this client refuses it until the broker
   * and the client implement transactions.
   */
  transactionalId?: string;
  /** See BatchProducerOptions: lingerMs (default 0 here: a `send` seals its batches at once), batchBytes, deliveryTimeoutMs... */
  tuning?: Omit<BatchProducerOptions, 'bootstrap' | 'clientId' | 'logger'>;
}

/** The project's producer (see RecordProducer). */
export function createRecordProducer(options: RecordProducerOptions): RecordProducer {
  if (options.transactionalId !== undefined) throw new Error(`transactional producers (transactional.id ${options.transactionalId}) are not supported by this client yet`);
  return new IdempotentRecordProducer(options);
}

/** How long `send` waits for a new topic's partitions (Metadata retried with backoff). */
const TOPIC_WAIT_MS = 30_000;

/** RecordProducer over BatchProducer (libs/protocol), one idempotent session at a time. */
class IdempotentRecordProducer implements RecordProducer {
  private producer: BatchProducer | null = null;
  /** For partition counts only; the BatchProducer keeps its own connections. */
  private readonly metadata: ClusterConnections;
  private readonly sticky = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: RecordProducerOptions) {
    this.metadata = new ClusterConnections(options.bootstrap, `${options.clientId}-metadata`);
  }

  async send(records: readonly ProducedRecord[]): Promise<void> {
    if (this.closed) throw new Error('producer is closed');
    if (records.length === 0) return;
    const byPartition = new Map<string, { topic: string; partition: number; inputs: RecordInput[] }>();
    const counts = new Map<string, number>();
    const keyless = new Map<string, number>();
    for (const r of records) {
      let partition = r.partition ?? -1;
      if (partition < 0) {
        let count = counts.get(r.topic);
        if (count === undefined) {
          count = await this.partitionCount(r.topic);
          counts.set(r.topic, count);
        }
        if (r.key !== null) partition = keyPartition(r.key, count);
        else {
          let chosen = keyless.get(r.topic);
          if (chosen === undefined) {
            chosen = ((this.sticky.get(r.topic) ?? -1) + 1) % count;
            this.sticky.set(r.topic, chosen);
            keyless.set(r.topic, chosen);
          }
          partition = chosen;
        }
      }
      const slot = `${r.topic}\u0000${partition}`;
      let group = byPartition.get(slot);
      if (!group) {
        group = { topic: r.topic, partition, inputs: [] };
        byPartition.set(slot, group);
      }
      group.inputs.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp ?? undefined });
    }
    const producer = (this.producer ??= new BatchProducer({
      lingerMs: 0,
      ...this.options.tuning,
      bootstrap: this.options.bootstrap,
      clientId: this.options.clientId,
      logger: this.options.logger,
    }));
    try {
      const deliveries = [];
      for (const g of byPartition.values()) deliveries.push(await producer.append(g.topic, g.partition, g.inputs));
      await Promise.all(deliveries.map((d) => d.delivered));
    } catch (err) {
      // The session's sequence numbers are gone (BatchProducer failed as a whole): start a new one next time.
      if (this.producer === producer) this.producer = null;
      await producer.close().catch(() => undefined);
      throw err instanceof ProduceError ? err : new ProduceError(errorMessage(err), true);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const producer = this.producer;
    this.producer = null;
    try {
      await producer?.close();
    } finally {
      this.metadata.close();
    }
  }

  private async partitionCount(topic: string): Promise<number> {
    const deadline = Date.now() + TOPIC_WAIT_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await this.metadata.partitionCount(topic);
      } catch (err) {
        if (Date.now() + delay > deadline) throw new ProduceError(`partitions of ${topic}: ${errorMessage(err)}`, true);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
