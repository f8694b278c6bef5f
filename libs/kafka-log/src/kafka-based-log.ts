import { Partitioners, type Kafka, type Producer, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import { ensureTopic, type TopicSpec } from './ensure-topic';
import type { IsolationLevel, ReaderRecord } from './fetched-records';
import { PartitionReader } from './partition-reader';
import { ReadPositions } from './read-positions';

/** One record of the topic as the log hands it to its owner (key and value as UTF-8 text). */
export interface LogRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  /** null is a tombstone. */
  readonly value: string | null;
}

/** One record to write; null value writes a tombstone. */
export interface LogWrite {
  readonly key: string;
  readonly value: string | null;
}

/**
 * What records can be produced through: the log's own producer, a kafkajs `Producer`,
 * or an open kafkajs `Transaction` (`await transactionalProducer.transaction()`).
 */
export interface RecordSender {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
}

/** Where a write landed: per partition, the offset of its last record. `readBack` waits for them. */
export type WrittenOffsets = readonly { readonly partition: number; readonly lastOffset: number }[];

export interface KafkaBasedLogOptions {
  readonly topic: string;
  /** Partition count of the topic when the log creates it. */
  readonly partitions: number;
  /**
   * Refuse an existing topic whose partition count differs from `partitions` (start
   * fails, and retries). Default false: any existing topic is used as it is.
   */
  readonly requirePartitions?: boolean;
  /**
   * Replication of the topic when the log creates it (ensureTopic's TopicSpec):
   * `replicationFactor` (absent = min(3, brokers), -1 = the broker's default),
   * `minInsyncReplicas` (min.insync.replicas = min(it, RF) when RF > 1) and
   * `awaitBrokersMs` (how long to wait for enough brokers before capping).
   */
  readonly replication?: Pick<TopicSpec, 'replicationFactor' | 'minInsyncReplicas' | 'awaitBrokersMs'>;
  /** A client from createKafkaClient; the log makes its admin and producer from it. */
  readonly kafka: Kafka;
  /** The same cluster's bootstrap servers, for the group-less readers. */
  readonly bootstrap: readonly string[];
  /** client.id of the readers. */
  readonly readerClientId: string;
  readonly logger: Logger;
  /**
   * How the readers fetch; default `read_uncommitted`. Use `read_committed` when
   * anything writes this topic inside transactions: then records are applied only once
   * their transaction committed, those of aborted transactions never, and start-up
   * reads to the last stable offset.
   */
  readonly isolationLevel?: IsolationLevel;
  /**
   * Applies one record to the owner's state. Called for every record with a key, in
   * offset order per partition, never twice for one offset; it is the state's only
   * writer. A record it throws on is skipped (logged as a warning) and reading goes on.
   */
  readonly apply: (record: LogRecord) => void;
}

export interface KafkaBasedLogStartOptions {
  /** Give up (reject with the last error) once a retry would start after this long. Default: never. */
  readonly timeoutMs?: number;
  /** Retries wait 0.5 s, doubling up to this. Default 5000. */
  readonly maxRetryDelayMs?: number;
}

/** A write's records were not read back within its timeout (they may still be in the topic). */
export class ReadBackTimeoutError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    /** The offset the log had read up to (exclusive) when it gave up. */
    readonly position: number,
  ) {
    super(`timed out reading ${topic}-${partition} back up to offset ${offset}`);
    this.name = 'ReadBackTimeoutError';
  }
}

/**
 * A compacted topic that one process reads whole and writes to: Kafka Connect's
 * KafkaBasedLog, Confluent's KafkaStore. The schema registry's `_schemas` and the
 * connect worker's config, offset and status topics are adapters over it. Only the
 * Kafka protocol is used, so it works against Millrace or any Kafka cluster.
 *
 * Contracts:
 * - Start-up: `start` creates the topic if missing (cleanup.policy=compact, `partitions`
 *   partitions), reads each partition's end offset (high watermark, or LSO with
 *   read_committed), tails every partition from offset 0 (a retry: from where the last
 *   attempt stopped) by assignment (one group-less PartitionReader each: no join, no
 *   rebalance delay, nothing committed) and resolves once every record below those end
 *   offsets was applied: the owner is ready only after reading to the end. Failed
 *   attempts (cluster unreachable, no leader yet) are retried with backoff;
 *   `lastStartError` tells why it is not loaded yet.
 * - Ordering: records are applied in offset order per partition. One `send` is one
 *   produce request with acks=-1; each key goes to the partition Java's murmur2
 *   partitioner picks (so one key's records stay in order), and the log's producer has
 *   one request in flight, so a send started after another resolved lands after it.
 * - Read-your-writes: `send` resolves only once the reader has read its records back
 *   and applied them, so the owner's state reflects its own write when `send` returns.
 *   It rejects with the producer's error, or ReadBackTimeoutError.
 * - Unreadable records: a record without a key is skipped silently; one `apply` throws
 *   on is logged and skipped. Either way the read position moves past it, so nothing
 *   blocks behind a bad record and nothing is applied twice (reader restarts resume at
 *   the position).
 * - Transactions (the seam for exactly-once writers): `sendInTransaction` produces
 *   through a caller's open kafkajs Transaction and resolves with where the records
 *   landed, without waiting; the caller commits (or aborts) and may then `readBack`
 *   those offsets. Pair it with `isolationLevel: 'read_committed'`, so that aborted
 *   writes are never applied and committed ones only after the commit marker.
 * - `stop` stops the readers and the producer; pending `send`s and `readBack`s resolve
 *   (their records may or may not be applied); later sends reject.
 */
export class KafkaBasedLog {
  private producer: Producer | undefined;
  private readers: PartitionReader[] = [];
  private readonly positions = new ReadPositions();
  private partitionCount = 0;
  private stopped = false;
  private isLoaded = false;
  private startError: string | undefined;

  constructor(private readonly opts: KafkaBasedLogOptions) {}

  get topic(): string {
    return this.opts.topic;
  }

  /** Whether start-up finished: everything in the topic at start was applied. */
  get loaded(): boolean {
    return this.isLoaded;
  }

  /** Why the last start attempt failed, until the log is loaded. */
  get lastStartError(): string | undefined {
    return this.startError;
  }

  /** Starts as the class comment describes; resolves when loaded, or when stop() was called meanwhile. */
  async start(options: KafkaBasedLogStartOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? Infinity);
    const maxDelay = options.maxRetryDelayMs ?? 5_000;
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, maxDelay)) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        this.startError = err instanceof Error ? err.message : String(err);
        await this.disconnect();
        if (this.stopped) return;
        if (Date.now() + delay > deadline) throw err;
        this.opts.logger.warn({ topic: this.opts.topic, err: this.startError, retryInMs: delay }, 'topic not readable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Writes records with the log's producer and waits until they were read back (see the class comment). */
  async send(records: readonly LogWrite[], timeoutMs = 30_000): Promise<void> {
    const producer = this.producer;
    if (!producer || this.stopped) throw new Error(`topic ${this.opts.topic} is not open`);
    await this.readBack(await this.produce(producer, records, timeoutMs), timeoutMs);
  }

  /**
   * Writes records through the caller's open transaction and resolves with where they
   * landed once the broker acknowledged them; it does not wait for them to be read back
   * (before the commit, a read_committed reader cannot). After committing, `readBack`
   * waits for them.
   */
  async sendInTransaction(transaction: RecordSender, records: readonly LogWrite[], timeoutMs = 30_000): Promise<WrittenOffsets> {
    if (this.partitionCount === 0 || this.stopped) throw new Error(`topic ${this.opts.topic} is not open`);
    return this.produce(transaction, records, timeoutMs);
  }

  /**
   * Resolves once every record in the topic when called was applied (Kafka Connect's
   * `readToEnd`): the owner's state is then at least as new as the topic was. Rejects
   * when the end offsets cannot be read, or with ReadBackTimeoutError after timeoutMs.
   */
  async readToEnd(timeoutMs = 30_000): Promise<void> {
    const readers = this.readers;
    if (readers.length === 0 || this.stopped) throw new Error(`topic ${this.opts.topic} is not open`);
    const ends = await Promise.all(readers.map((r) => r.endOffset()));
    await this.readBack(
      ends.map((end, partition) => ({ partition, lastOffset: end - 1 })),
      timeoutMs,
    );
  }

  /** The offset the log reads next in `partition` (everything below it was applied). */
  position(partition: number): number {
    return this.positions.of(partition);
  }

  /** Resolves once the log has read past every offset of `written`; ReadBackTimeoutError after timeoutMs. */
  async readBack(written: WrittenOffsets, timeoutMs = 30_000): Promise<void> {
    await Promise.all(
      written.map((w) =>
        this.positions.waitPast(w.partition, w.lastOffset, timeoutMs, () => new ReadBackTimeoutError(this.opts.topic, w.partition, w.lastOffset, this.positions.of(w.partition))),
      ),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.positions.releaseAll();
    await this.disconnect();
  }

  private async startOnce(): Promise<void> {
    const { kafka, topic, logger } = this.opts;
    const admin = kafka.admin();
    try {
      await admin.connect();
      const partitions = await ensureTopic(admin, { ...this.opts.replication, topic, partitions: this.opts.partitions, configs: { 'cleanup.policy': 'compact' } }, logger);
      if (partitions < 1) throw new Error(`topic ${topic} has no partitions`);
      if (this.opts.requirePartitions && partitions !== this.opts.partitions) {
        throw new Error(`topic ${topic} must have exactly ${this.opts.partitions} partition(s), it has ${partitions}`);
      }
      this.partitionCount = partitions;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    this.producer = producer;
    await producer.connect();
    this.readers = Array.from(
      { length: this.partitionCount },
      (_, partition) =>
        new PartitionReader({
          bootstrap: this.opts.bootstrap,
          topic,
          partition,
          clientId: this.opts.readerClientId,
          isolationLevel: this.opts.isolationLevel,
          logger: { warn: (m) => logger.warn(m) },
        }),
    );
    const ends = await Promise.all(this.readers.map((r) => r.endOffset()));
    this.readers.forEach((reader, partition) => reader.start(this.positions.of(partition), (records, next) => this.onRecords(partition, records, next)));
    await Promise.all(ends.map((end, partition) => this.positions.waitPast(partition, end - 1, Infinity, () => new Error(`${topic}-${partition} not loaded`))));
    if (this.stopped) return;
    this.isLoaded = true;
    this.startError = undefined;
    logger.info({ topic, partitions: this.partitionCount }, 'topic loaded');
  }

  private onRecords(partition: number, records: readonly ReaderRecord[], nextOffset: number): void {
    let position = this.positions.of(partition);
    for (const r of records) {
      if (r.offset < position) continue;
      position = r.offset + 1;
      if (r.key === null) continue;
      try {
        this.opts.apply({ partition, offset: r.offset, key: r.key.toString('utf8'), value: r.value === null ? null : r.value.toString('utf8') });
      } catch (err) {
        this.opts.logger.warn({ topic: this.opts.topic, partition, offset: r.offset, err: err instanceof Error ? err.message : String(err) }, 'skipping a record that cannot be interpreted');
      }
    }
    this.positions.advance(partition, Math.max(position, nextOffset));
  }

  /** Produces in one request (acks=-1), each record to its key's murmur2 partition; returns each partition's last offset. */
  private async produce(sender: RecordSender, records: readonly LogWrite[], timeoutMs: number): Promise<WrittenOffsets> {
    if (records.length === 0) return [];
    const topic = this.opts.topic;
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: this.partitionCount }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 0, replicas: [0], isr: [0] }));
    const messages = records.map((r) => ({ partition: partitioner({ topic, partitionMetadata, message: { key: r.key, value: r.value } }), key: r.key, value: r.value }));
    const result = await sender.send({ topic, acks: -1, timeout: timeoutMs, messages });
    return result.map((r) => ({ partition: r.partition, lastOffset: Number(r.baseOffset) + messages.filter((m) => m.partition === r.partition).length - 1 }));
  }

  private async disconnect(): Promise<void> {
    const { readers, producer } = this;
    this.readers = [];
    this.producer = undefined;
    await Promise.all(readers.map((r) => r.stop().catch(() => undefined)));
    await producer?.disconnect().catch(() => undefined);
  }
}
