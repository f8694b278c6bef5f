import { PartitionReader, type ReaderRecord } from '@millrace/kafka-log';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';

/** One record of a storage topic as the log hands it to its store. */
export interface LogRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  /** null is a tombstone. */
  readonly value: string | null;
}

export interface CompactedTopicLogOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly kafka: Kafka;
  /** The same cluster's bootstrap servers, for the group-less readers. */
  readonly bootstrap: readonly string[];
  readonly logger: Logger;
  /** Applies one record to the owning store's state; called in offset order per partition. */
  readonly apply: (record: LogRecord) => void;
}

/**
 * A compacted storage topic read by one worker (Kafka Connect's KafkaBasedLog).
 *
 * Contracts:
 * - `start` creates the topic if missing (cleanup.policy=compact, the configured partition
 *   count), then tails every partition from offset 0 by assignment — one group-less
 *   PartitionReader per partition, so no join, no rebalance delay, nothing committed —
 *   and resolves once everything that was in the topic at start was applied.
 * - `apply` is the state's only writer; an offset already applied is skipped, so a
 *   reader restart cannot apply a record twice.
 * - `send` produces with acks=-1, each record to the partition Java's murmur2 partitioner
 *   picks for its key (kafkajs' DefaultPartitioner, applied here so the per-partition
 *   counts are known), and resolves after the records were read back and applied, so a
 *   caller sees its own write.
 */
export class CompactedTopicLog {
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private readers: PartitionReader[] = [];
  private readonly applied = new Map<number, number>();
  private waiters: { partition: number; offset: number; resolve: () => void }[] = [];
  private stopped = false;
  private partitionCount = 1;

  constructor(private readonly opts: CompactedTopicLogOptions) {}

  /**
   * Starts as described above, retrying with backoff (0.5 s doubling to 5 s) while the
   * cluster is unreachable, e.g. when the worker starts before its broker; gives up
   * after `timeoutMs` with the last error.
   */
  async start(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        await this.disconnect();
        if (this.stopped || Date.now() + delay > deadline) throw err;
        this.opts.logger.warn({ topic: this.opts.topic, err: (err as Error).message, retryInMs: delay }, 'storage topic not reachable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async startOnce(): Promise<void> {
    const { kafka, topic } = this.opts;
    const admin = kafka.admin();
    this.admin = admin;
    await admin.connect();
    await this.ensureTopic(admin);
    const ends = await admin.fetchTopicOffsets(topic);
    this.partitionCount = ends.length;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    this.producer = producer;
    await producer.connect();
    this.readers = ends.map((p) => {
      const reader = new PartitionReader({
        bootstrap: this.opts.bootstrap,
        topic,
        partition: p.partition,
        clientId: `millrace-connect-${topic}`,
        logger: { warn: (m) => this.opts.logger.warn(m) },
      });
      reader.start(0, (records) => this.applyRecords(p.partition, records));
      return reader;
    });
    await Promise.all(ends.map((p) => this.waitApplied(p.partition, Number(p.high) - 1, 24 * 3600_000)));
    this.opts.logger.info({ topic, partitions: ends.length }, 'storage topic loaded');
  }

  private applyRecords(partition: number, records: readonly ReaderRecord[]): void {
    for (const m of records) {
      if (m.offset <= (this.applied.get(partition) ?? -1)) continue;
      this.applied.set(partition, m.offset);
      if (m.key === null) continue;
      try {
        this.opts.apply({ partition, offset: m.offset, key: m.key.toString('utf8'), value: m.value === null ? null : m.value.toString('utf8') });
      } catch (err) {
        this.opts.logger.warn({ topic: this.opts.topic, partition, offset: m.offset, err: (err as Error).message }, 'skipping a storage record this worker cannot interpret');
      }
    }
    this.release();
  }

  /** Writes records in order and waits until each was applied (or timeoutMs passed). */
  async send(records: readonly { key: string; value: string | null }[], timeoutMs = 30_000): Promise<void> {
    if (records.length === 0) return;
    const producer = this.producer;
    if (!producer || this.stopped) throw new Error(`storage topic ${this.opts.topic} is not open`);
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: this.partitionCount }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 0, replicas: [0], isr: [0] }));
    const messages = records.map((r) => {
      const partition = partitioner({ topic: this.opts.topic, partitionMetadata, message: { key: r.key, value: r.value } });
      return { partition, key: r.key, value: r.value };
    });
    const result = await producer.send({ topic: this.opts.topic, acks: -1, timeout: timeoutMs, messages });
    await Promise.all(
      result.map((r) => {
        const count = messages.filter((m) => m.partition === r.partition).length;
        return this.waitApplied(r.partition, Number(r.baseOffset) + count - 1, timeoutMs);
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w.resolve();
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    const { readers, producer, admin } = this;
    this.readers = [];
    this.producer = this.admin = undefined;
    await Promise.all(readers.map((r) => r.stop().catch(() => undefined)));
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private async ensureTopic(admin: Admin): Promise<void> {
    const { topic, partitions, logger } = this.opts;
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      const cluster = await admin.describeCluster();
      const replicationFactor = Math.min(3, Math.max(1, cluster.brokers.length));
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        })
        .catch((err: unknown) => {
          if (!String((err as Error).message).includes('already exists')) throw err;
        });
      logger.info({ topic, partitions, replicationFactor }, 'created storage topic');
    }
  }

  private waitApplied(partition: number, offset: number, timeoutMs: number): Promise<void> {
    if (offset <= (this.applied.get(partition) ?? -1) || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        partition,
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out reading ${this.opts.topic}-${partition} back up to offset ${offset}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    const due = this.waiters.filter((w) => w.offset <= (this.applied.get(w.partition) ?? -1));
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve();
  }
}
