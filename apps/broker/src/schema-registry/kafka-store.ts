import { PartitionReader } from '@millrace/kafka-log';
import { Kafka, logLevel, Partitioners, type Admin, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { RegistryConfig } from './registry-config';
import { RegistryErrors } from './registry-errors';
import { decodeRecord, encodeKey, encodeValue, RecordFormatError, type RegistryRecord } from './registry-records';
import type { SchemaRegistryState } from './schema-registry.state';

/**
 * The registry's durable store: the single-partition, compacted topic `_schemas`, reached
 * only through the Kafka protocol (kafkajs), so it works against this broker or any
 * Kafka cluster.
 *
 * Contracts (those of Confluent's KafkaStore):
 * - A reader tails the topic from offset 0 and applies every record to the state, in
 *   offset order; it is the state's only writer. It reads by assignment, without a
 *   consumer group (no join, no rebalance delay, nothing committed), and skips offsets
 *   it already applied, so a reader restart cannot apply a record twice.
 * - Writes go through kafkajs (producer, acks=all; admin to create the topic).
 * - `ready` resolves once the reader has applied everything that was in the topic when
 *   the store started (the end offset read at start-up).
 * - `append` produces with acks=all and resolves only after the reader has applied the
 *   written records, so a caller reading the state afterwards sees its own write.
 *   Appends are not serialised here: the registry service holds its lock around them.
 */
export class KafkaStore {
  private kafka: Kafka | undefined;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private reader: PartitionReader | undefined;
  private applied = -1;
  private waiters: { offset: number; resolve: () => void }[] = [];
  private readyPromise: Promise<void>;
  private markReady!: () => void;
  private isReady = false;
  private stopped = false;
  private lastError: string | undefined;

  constructor(
    private readonly config: RegistryConfig,
    private readonly state: SchemaRegistryState,
    private readonly logger: Logger,
  ) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Connects, creates the topic if missing and loads it; retries until it succeeds or stop() is called. */
  async start(bootstrap: string): Promise<void> {
    let delayMs = 500;
    while (!this.stopped) {
      try {
        await this.connectAndLoad(bootstrap);
        return;
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.logger.warn({ err: this.lastError, retryInMs: delayMs }, 'schema registry store failed to start; retrying');
        await this.disconnectClients();
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(delayMs * 2, 10_000);
      }
    }
  }

  /** Resolves when the store has loaded; rejects with 50002 after timeoutMs. */
  async ready(timeoutMs: number): Promise<void> {
    if (this.isReady) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(RegistryErrors.timeout(`Schema registry store is not ready after ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.readyPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get loaded(): boolean {
    return this.isReady;
  }

  /**
   * Writes records (in order, in one produce request) and waits until the reader applied
   * them. Throws RegistryError 50001 when the produce fails, 50002 when the reader does
   * not catch up within the write timeout.
   */
  async append(records: RegistryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = this.producer;
    if (!producer || !this.isReady) throw RegistryErrors.storeError('Schema registry store is not ready');
    let lastOffset: number;
    try {
      const [meta] = await producer.send({
        topic: this.config.topic,
        acks: -1,
        timeout: this.config.writeTimeoutMs,
        messages: records.map((r) => ({ partition: 0, key: encodeKey(r.key), value: encodeValue(r) })),
      });
      lastOffset = Number(meta.baseOffset) + records.length - 1;
    } catch (err) {
      throw RegistryErrors.storeError(`Failed to write to the Kafka store: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.waitApplied(lastOffset, this.config.writeTimeoutMs);
  }

  /** Disconnects every client; later appends fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) w.resolve();
    await this.disconnectClients();
  }

  private async connectAndLoad(bootstrap: string): Promise<void> {
    const topic = this.config.topic;
    const kafka = new Kafka({
      clientId: 'millrace-schema-registry',
      brokers: bootstrap.split(','),
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.logKafkajs(entry),
      retry: { retries: 5, initialRetryTime: 200 },
    });
    this.kafka = kafka;
    const admin = kafka.admin();
    this.admin = admin;
    await admin.connect();
    await this.ensureTopic(admin, topic);
    const [partition] = await admin.fetchTopicOffsets(topic);
    const endOffset = Number(partition.high);

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    this.producer = producer;
    await producer.connect();

    const reader = new PartitionReader({
      bootstrap: bootstrap.split(','),
      topic,
      partition: 0,
      clientId: 'millrace-schema-registry',
      logger: { warn: (m) => this.logger.warn(m) },
    });
    this.reader = reader;
    reader.start(this.applied + 1, (records) => {
      for (const r of records) this.applyMessage(r.offset, r.key, r.value);
      this.releaseWaiters();
    });
    await this.waitApplied(endOffset - 1, 24 * 3600_000);
    if (this.stopped) return;
    this.isReady = true;
    this.lastError = undefined;
    this.markReady();
    this.logger.info({ topic, bootstrap, records: endOffset, maxId: this.state.maxId }, 'schema registry store loaded');
  }

  private async ensureTopic(admin: Admin, topic: string): Promise<void> {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      const cluster = await admin.describeCluster();
      const replicationFactor = Math.min(3, Math.max(1, cluster.brokers.length));
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      this.logger.info({ topic, replicationFactor }, 'created the schema registry topic');
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) throw new Error(`topic ${topic} must have exactly 1 partition, it has ${partitions}`);
  }

  private applyMessage(offset: number, key: Buffer | null, value: Buffer | null): void {
    if (offset <= this.applied) return;
    this.applied = offset;
    if (key === null) return;
    try {
      this.state.apply(decodeRecord(key.toString('utf8'), value === null ? null : value.toString('utf8')));
    } catch (err) {
      if (!(err instanceof RecordFormatError)) throw err;
      this.logger.warn({ offset, err: err.message }, 'skipping a _schemas record this registry cannot interpret');
    }
  }

  private waitApplied(offset: number, timeoutMs: number): Promise<void> {
    if (offset <= this.applied || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(RegistryErrors.timeout(`Write to the Kafka store timed out while waiting for offset ${offset} to be read back (read up to ${this.applied})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private releaseWaiters(): void {
    const due = this.waiters.filter((w) => w.offset <= this.applied);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.offset > this.applied);
    for (const w of due) w.resolve();
  }

  private async disconnectClients(): Promise<void> {
    const { reader, producer, admin } = this;
    this.reader = undefined;
    this.producer = this.admin = undefined;
    await reader?.stop().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private logKafkajs(entry: LogEntry): void {
    const { message, ...extra } = entry.log;
    const fields = { component: 'schema-registry-kafkajs', namespace: entry.namespace, ...extra };
    if (entry.level === logLevel.ERROR) this.logger.error(fields, message);
    else if (entry.level === logLevel.WARN) this.logger.warn(fields, message);
    else this.logger.debug(fields, message);
  }
}
