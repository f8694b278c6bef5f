import { Inject, Injectable } from '@nestjs/common';
import type { LogRecord } from '@millrace/kafka-log';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { CompactedTopicStore } from './compacted-topic-store';
import { OffsetState, offsetRecord, type SourceOffset, type SourceOffsetEntry, type SourcePartition } from './offset-state';

export { canonicalJson } from './offset-state';
export type { SourceOffset, SourceOffsetEntry, SourcePartition } from './offset-state';

/**
 * Source offsets in the compacted topic `connect-offsets` (MILLRACE_CONNECT_OFFSET_PARTITIONS
 * partitions, default 5; Kafka uses 25), record format in offset-state.ts.
 *
 * Contracts: the topic is read to its end before the module is initialised; writes are
 * produced with acks=-1 (each key to the partition Java's partitioner picks) and resolve
 * once read back.
 */
@Injectable()
export class OffsetStore extends CompactedTopicStore {
  private readonly state = new OffsetState();

  constructor(@Inject(CONNECT_CONFIG) config: ConnectConfig, @Inject(ROOT_LOGGER) rootLogger: Logger) {
    super(config, rootLogger, { topic: config.offsetTopic, partitions: config.offsetTopicPartitions, replicationFactor: config.storageReplicationFactors.offset, clientId: 'millrace-connect-offsets', component: 'offset-store' });
  }

  protected apply(record: LogRecord): void {
    this.state.apply(record);
  }

  /** Every committed offset of a connector. */
  offsets(connector: string): { partition: SourcePartition; offset: SourceOffset }[] {
    return this.state.offsets(connector);
  }

  offset(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.state.offset(connector, partition);
  }

  async write(connector: string, entries: readonly SourceOffsetEntry[]): Promise<void> {
    await this.log.send(entries.map((e) => offsetRecord(connector, e)));
  }

  /** TaskOffsets.refresh: everything in connect-offsets applied (KafkaBasedLog.readToEnd). */
  async refresh(): Promise<void> {
    await this.readToEnd();
  }

  /** TaskOffsets.committed: nothing to do, the store reads transactional writes back (read_committed). */
  committed(): void {}

  /** Removes every offset of a connector (tombstones). */
  async reset(connector: string): Promise<void> {
    await this.write(
      connector,
      this.offsets(connector).map((e) => ({ partition: e.partition, offset: null })),
    );
  }
}
