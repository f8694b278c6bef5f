import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER } from '@millrace/app-common';
import { createKafkaClient, KafkaBasedLog, ReadBackTimeoutError, type LogRecord } from '@millrace/kafka-log';
import { AsyncMutex } from '@millrace/storage';
import type { Logger } from 'pino';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryErrors } from './registry-errors';
import { RegistryLeadership } from './registry-leadership';
import { decodeRecord, encodeKey, encodeValue, type RegistryRecord } from './registry-records';
import { SchemaRegistryState } from './schema-registry.state';

const CLIENT_ID = 'millrace-schema-registry';

/**
 * The registry's durable store (Confluent's KafkaStore): the single-partition compacted
 * topic `_schemas` (MILLRACE_REGISTRY_TOPIC), kept by a KafkaBasedLog, so it works
 * against this broker or any Kafka cluster. Record format: registry-records.ts.
 *
 * Contracts (the KafkaBasedLog's, plus):
 * - The log's reader is the state's only writer, in offset order. A record this
 *   registry cannot interpret (RecordFormatError) is logged and skipped.
 * - `start` retries (0.5 s doubling to 10 s) until the topic is loaded or `stop` is
 *   called; an existing topic with more than one partition is refused (and retried).
 * - `ready` resolves once everything that was in the topic at start was applied; it
 *   rejects with 50002 after MILLRACE_REGISTRY_READY_TIMEOUT_MS, naming why the store
 *   has not loaded.
 * - `append` writes its records in order in one produce request (acks=all) and resolves
 *   only once they were applied, so a caller reading the state afterwards sees its own
 *   write: 50001 when the store is not ready or the produce fails, 50002 when they are
 *   not read back within MILLRACE_REGISTRY_WRITE_TIMEOUT_MS.
 * - `exclusive` is the registry's one FIFO write lock: every mutation runs its checks
 *   and its `append` inside it, so checks see every earlier write. `append` itself
 *   does not lock.
 * - In a cluster (RegistryLeadership.clustered) only the leader of the store partition
 *   writes: `exclusive` refuses with 50003 on any other broker, and on the leader first
 *   reads the topic to its end (so a broker that just became leader, or one that lost
 *   and regained leadership, never picks an id from a stale maxId) and checks it still
 *   leads at the same leader epoch afterwards (once per leader epoch: while it keeps
 *   leading at one epoch it is the only writer and reads back all its own writes; after
 *   a failed `append` it reads to the end again).
 * - `catchUp` resolves once everything written to the topic before the call was
 *   applied (a forwarding broker's read-your-write): 50002 on timeout, 50001 otherwise.
 */
@Injectable()
export class KafkaStore {
  private log: KafkaBasedLog | undefined;
  private readonly lock = new AsyncMutex();
  private readonly logger: Logger;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private stopped = false;
  /** The `_schemas`-0 leader epoch at which this broker, as leader, last read the topic to its end. */
  private caughtUpAtEpoch: number | undefined;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly state: SchemaRegistryState,
    private readonly leadership: RegistryLeadership,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'schema-registry' });
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Connects to `bootstrap` (host:port[,host:port...]), creates the topic if missing and loads it. */
  async start(bootstrap: string): Promise<void> {
    if (this.stopped) return;
    const servers = bootstrap.split(',');
    const log = new KafkaBasedLog({
      topic: this.config.topic,
      partitions: 1,
      requirePartitions: true,
      replication: { replicationFactor: this.config.topicReplicationFactor, minInsyncReplicas: 2, awaitBrokersMs: this.config.awaitBrokersMs },
      kafka: createKafkaClient(servers, CLIENT_ID, this.logger),
      bootstrap: servers,
      readerClientId: CLIENT_ID,
      logger: this.logger,
      apply: (record) => this.apply(record),
    });
    this.log = log;
    await log.start({ maxRetryDelayMs: 10_000 });
    if (!log.loaded) return;
    this.markReady();
    this.logger.info({ topic: this.config.topic, bootstrap, maxId: this.state.maxId }, 'schema registry store loaded');
  }

  /** Resolves when the store has loaded; rejects with 50002 after the ready timeout. */
  async ready(): Promise<void> {
    if (this.loaded) return;
    const timeoutMs = this.config.readyTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const why = this.log?.lastStartError;
        reject(RegistryErrors.timeout(`Schema registry store is not ready after ${timeoutMs} ms${why ? `: ${why}` : ''}`));
      }, timeoutMs);
    });
    try {
      await Promise.race([this.readyPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get loaded(): boolean {
    return this.log?.loaded ?? false;
  }

  /** Runs `fn` under the registry's write lock (see the class comment). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      if (this.leadership.clustered) await this.claimWriter();
      return fn();
    });
  }

  /** Reads the topic to its end (see the class comment); errors as `append`'s. */
  async catchUp(): Promise<void> {
    await this.ready();
    const log = this.log;
    if (!log || this.stopped) throw RegistryErrors.storeError('Schema registry store is not ready');
    try {
      await log.readToEnd(this.config.writeTimeoutMs);
    } catch (err) {
      if (err instanceof ReadBackTimeoutError) {
        throw RegistryErrors.timeout(`Reading the Kafka store to its end timed out at offset ${err.position} (end ${err.offset + 1})`);
      }
      throw RegistryErrors.storeError(`Failed to read the Kafka store to its end: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Leader check before a clustered write (under the lock), plus a read to the end of the
   * topic once per leader epoch: while this broker keeps leading at that epoch it is the
   * only writer, and every write it made was read back before the lock was released.
   */
  private async claimWriter(): Promise<void> {
    const before = this.leadership.leader();
    if (before?.leader !== this.leadership.nodeId) throw RegistryErrors.notLeader(`broker ${this.leadership.nodeId} does not lead ${this.config.topic}-0 (leader: ${before?.leader ?? 'unknown'})`);
    if (this.caughtUpAtEpoch === before.leaderEpoch) return;
    await this.catchUp();
    const after = this.leadership.leader();
    if (after?.leader !== before.leader || after.leaderEpoch !== before.leaderEpoch) {
      throw RegistryErrors.notLeader(`the leadership of ${this.config.topic}-0 changed while reading it (now broker ${after?.leader ?? 'unknown'})`);
    }
    this.caughtUpAtEpoch = before.leaderEpoch;
    this.logger.info({ topic: this.config.topic, leaderEpoch: before.leaderEpoch, maxId: this.state.maxId }, 'schema registry: this broker is the leader, read the store to its end');
  }

  /** Writes records and waits until they were applied (see the class comment). */
  async append(records: RegistryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const log = this.log;
    if (!log || !log.loaded || this.stopped) throw RegistryErrors.storeError('Schema registry store is not ready');
    try {
      await log.send(
        records.map((r) => ({ key: encodeKey(r.key), value: encodeValue(r) })),
        this.config.writeTimeoutMs,
      );
    } catch (err) {
      // The records may be in the topic without having been applied: read to the end before the next write.
      this.caughtUpAtEpoch = undefined;
      if (err instanceof ReadBackTimeoutError) {
        throw RegistryErrors.timeout(`Write to the Kafka store timed out while waiting for offset ${err.offset} to be read back (read up to ${err.position - 1})`);
      }
      throw RegistryErrors.storeError(`Failed to write to the Kafka store: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Disconnects every client; later appends fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.log?.stop();
  }

  private apply(record: LogRecord): void {
    this.state.apply(decodeRecord(record.key, record.value));
  }
}
