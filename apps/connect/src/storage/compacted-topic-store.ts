import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createKafkaClient, KafkaBasedLog, type LogRecord } from '@millrace/kafka-log';
import type { Logger } from 'pino';
import type { ConnectConfig } from '../config/connect-config';

/** The storage topic a store keeps, and the names it connects and logs under. */
export interface StorageTopic {
  readonly topic: string;
  /** Partition count when the worker creates the topic. */
  readonly partitions: number;
  /** Replication factor when the worker creates the topic (ConnectConfig.storageReplicationFactors). */
  /** Unset: min(3, live brokers) (ensureTopic). */
  readonly replicationFactor: number | undefined;
  /** kafkajs client.id of the store's admin and producer. */
  readonly clientId: string;
  /** pino `component` of the store's log lines. */
  readonly component: string;
}

/** How long a worker waits for its storage topics at start-up (it may start before its broker). */
const START_TIMEOUT_MS = 120_000;

/**
 * What the connect stores (configs, offsets, statuses) share: a KafkaBasedLog over their
 * compacted storage topic, read group-less by client id `millrace-connect-<topic>`,
 * `read_committed` (source offsets are written in transactions with exactly-once).
 *
 * Contracts: `onModuleInit` creates the topic if missing and reads it to its end before
 * the module is initialised (so the worker resumes where it stood), retrying for up to
 * two minutes while the cluster is unreachable; then start-up fails with the last
 * error. `apply` (each store's) receives every record in offset order per partition;
 * a record it throws on is logged and skipped. Writes through `log.send` resolve once
 * read back. `onApplicationShutdown` stops the log.
 */
export abstract class CompactedTopicStore implements OnModuleInit, OnApplicationShutdown {
  protected readonly log: KafkaBasedLog;
  protected readonly logger: Logger;

  protected constructor(config: ConnectConfig, rootLogger: Logger, storage: StorageTopic) {
    this.logger = rootLogger.child({ component: storage.component });
    this.log = new KafkaBasedLog({
      topic: storage.topic,
      partitions: storage.partitions,
      replication: { replicationFactor: storage.replicationFactor, minInsyncReplicas: 2 },
      kafka: createKafkaClient(config.bootstrap, storage.clientId, this.logger),
      bootstrap: config.bootstrap,
      readerClientId: `millrace-connect-${storage.topic}`,
      // as Kafka Connect with exactly-once sources: what an aborted transaction wrote
      // (a source task's offsets) is never applied
      isolationLevel: 'read_committed',
      logger: this.logger,
      apply: (record) => this.apply(record),
    });
  }

  /** Applies one storage record to the store's state (the state's only writer). */
  protected abstract apply(record: LogRecord): void;

  async onModuleInit(): Promise<void> {
    await this.log.start({ timeoutMs: START_TIMEOUT_MS });
  }

  /** Resolves once everything in the topic when called was applied (KafkaBasedLog.readToEnd). */
  async readToEnd(timeoutMs?: number): Promise<void> {
    await this.log.readToEnd(timeoutMs);
  }

  /** The offset the store reads next in `partition` (the config topic has one, 0). */
  position(partition = 0): number {
    return this.log.position(partition);
  }

  /** Resolves once the store applied every record below `offset` of `partition`. */
  async waitForPosition(offset: number, partition = 0, timeoutMs = 30_000): Promise<void> {
    if (offset <= 0) return;
    await this.log.readBack([{ partition, lastOffset: offset - 1 }], timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.log.stop();
  }
}
