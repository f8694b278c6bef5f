import { ErrorCode } from '@millrace/protocol';
import { errorCodeOf, OffsetOutOfRangeError, type UnifiedLog, type LogConfig } from '@millrace/storage';
import type { PartitionHost } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import { FetchWaiters } from './fetch-waiters';
import { partitionKey } from './partition-key';
import { countRecords, Partition } from './partition';
import {
  EARLIEST_TIMESTAMP,
  failedAppendOutcome,
  LATEST_TIMESTAMP,
  type AppendOutcome,
  type FetchParams,
  type FetchPartitionResult,
  IsolationLevel,
  type ListOffsetOutcome,
} from './partition-types';

/** Where partition logs come from (the storage layer's LogManager). */
export interface LogProvider {
  getOrCreateLog(topic: string, partition: number, config: LogConfig): Promise<UnifiedLog>;
  deleteLog(topic: string, partition: number): Promise<void>;
  allLogs(): UnifiedLog[];
}

/** Traffic counters fed by the replica manager (BrokerMetrics implements it). */
export interface TrafficObserver {
  recordIn(topic: string, bytes: number, records: number): void;
  recordOut(topic: string, bytes: number, records: number): void;
}

/**
 * Kafka's ReplicaManager for a single broker: the partitions this broker leads, and
 * produce, fetch (with long polling), ListOffsets and DeleteRecords over them.
 * It is the TopicManager's PartitionHost: the catalogue decides which partitions exist,
 * this class opens and deletes their logs.
 */
export class ReplicaManager implements PartitionHost {
  private readonly partitions = new Map<string, Partition>();
  private readonly waiters = new FetchWaiters();

  constructor(
    private readonly logs: LogProvider,
    private readonly traffic: TrafficObserver | null = null,
  ) {}

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  async openPartitions(topic: TopicMetadata, partitions: number[], config: LogConfig): Promise<void> {
    for (const p of partitions) {
      const key = partitionKey(topic.name, p);
      if (this.partitions.has(key)) continue;
      const log = await this.logs.getOrCreateLog(topic.name, p, config);
      this.partitions.set(key, new Partition(topic.name, p, log, (part, bytes, records) => this.onAppended(part, bytes, records)));
    }
  }

  async deleteTopic(topic: TopicMetadata): Promise<void> {
    for (let p = 0; p < topic.partitions; p++) {
      const key = partitionKey(topic.name, p);
      this.partitions.delete(key);
      this.waiters.notify(key);
      await this.logs.deleteLog(topic.name, p);
    }
  }

  async removeStrayLogs(keep: (topic: string, partition: number) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const log of this.logs.allLogs()) {
      if (keep(log.topic, log.partition)) continue;
      this.partitions.delete(partitionKey(log.topic, log.partition));
      await this.logs.deleteLog(log.topic, log.partition);
      removed.push(log.name);
    }
    return removed;
  }

  reconfigure(topic: TopicMetadata, config: LogConfig): void {
    for (let p = 0; p < topic.partitions; p++) this.getPartition(topic.name, p)?.log.updateConfig(config);
  }

  /**
   * Appends to one partition. Starts synchronously (see Partition.appendRecords), so
   * callers that invoke it in request order get their records in that order.
   */
  appendRecords(topic: string, partition: number, records: Buffer | null): Promise<AppendOutcome> {
    const p = this.getPartition(topic, partition);
    if (!p) {
      return Promise.resolve(failedAppendOutcome(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host ${topic}-${partition}.`));
    }
    return p.appendRecords(records);
  }

  /**
   * Reads the requested partitions; when they hold fewer than minBytes, waits until an
   * append reaches one of them or maxWaitMs passes, then reads again.
   */
  async fetch(params: FetchParams): Promise<FetchPartitionResult[]> {
    const deadline = Date.now() + Math.max(0, params.maxWaitMs);
    const keys = params.partitions.map((p) => partitionKey(p.topic, p.partition));
    while (true) {
      const { results, ends } = await this.readOnce(params);
      const bytes = results.reduce((n, r) => n + r.bytes, 0);
      const failed = results.some((r) => r.errorCode !== ErrorCode.NONE);
      const remaining = deadline - Date.now();
      if (bytes >= params.minBytes || failed || remaining <= 0 || params.partitions.length === 0) {
        this.countOut(results);
        return results;
      }
      // Data may have arrived while reading: look again before sleeping.
      const moved = params.partitions.some((p, i) => (this.getPartition(p.topic, p.partition)?.fetchableEnd(params.isolationLevel) ?? -1) !== ends[i]);
      if (!moved) await this.waiters.wait(keys, remaining);
    }
  }

  private async readOnce(params: FetchParams): Promise<{ results: FetchPartitionResult[]; ends: number[] }> {
    let budget = params.maxBytes;
    let first = true;
    const results: FetchPartitionResult[] = [];
    const ends: number[] = [];
    for (const req of params.partitions) {
      const p = this.getPartition(req.topic, req.partition);
      if (!p) {
        ends.push(-1);
        results.push(emptyResult(req.topic, req.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      const end = p.fetchableEnd(params.isolationLevel);
      ends.push(end);
      const base = {
        topic: req.topic,
        partition: req.partition,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
        logStartOffset: p.logStartOffset,
      };
      const maxBytes = Math.min(req.partitionMaxBytes, budget);
      if (maxBytes <= 0 && !first) {
        results.push({ ...base, errorCode: ErrorCode.NONE, records: [], bytes: 0 });
        continue;
      }
      try {
        const read = await p.log.read(req.fetchOffset, Math.max(0, maxBytes), { maxOffset: end, minOneBatch: first });
        const bytes = read.records.length;
        if (bytes > 0) first = false;
        budget -= bytes;
        const aborted = params.isolationLevel === IsolationLevel.READ_COMMITTED && bytes > 0 ? p.log.transactions.collectAbortedTransactions(req.fetchOffset, read.lastOffset + 1) : undefined;
        results.push({ ...base, errorCode: ErrorCode.NONE, records: bytes > 0 ? [read.records] : [], bytes, abortedTransactions: aborted });
      } catch (err) {
        const code = err instanceof OffsetOutOfRangeError ? ErrorCode.OFFSET_OUT_OF_RANGE : errorCodeOf(err);
        results.push({ ...base, errorCode: code, records: [], bytes: 0 });
      }
    }
    return { results, ends };
  }

  async listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel): Promise<ListOffsetOutcome> {
    const p = this.getPartition(topic, partition);
    if (!p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1, timestamp: -1, leaderEpoch: -1 };
    const end = p.fetchableEnd(isolation);
    if (timestamp === LATEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, offset: end, timestamp: -1, leaderEpoch: p.leaderEpoch };
    if (timestamp === EARLIEST_TIMESTAMP) return { errorCode: ErrorCode.NONE, offset: p.logStartOffset, timestamp: -1, leaderEpoch: p.leaderEpoch };
    try {
      const found = await p.log.offsetForTimestamp(timestamp);
      if (!found || found.offset >= end) return { errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 };
      return { errorCode: ErrorCode.NONE, offset: found.offset, timestamp: found.timestamp, leaderEpoch: p.leaderEpoch };
    } catch (err) {
      return { errorCode: errorCodeOf(err), offset: -1, timestamp: -1, leaderEpoch: -1 };
    }
  }

  async deleteRecords(topic: string, partition: number, offset: number): Promise<{ errorCode: number; lowWatermark: number }> {
    const p = this.getPartition(topic, partition);
    if (!p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
    try {
      return { errorCode: ErrorCode.NONE, lowWatermark: await p.log.deleteRecordsBefore(offset) };
    } catch (err) {
      return { errorCode: errorCodeOf(err), lowWatermark: -1 };
    }
  }

  private onAppended(partition: Partition, bytes: number, records: number): void {
    this.traffic?.recordIn(partition.topic, bytes, records);
    this.waiters.notify(partitionKey(partition.topic, partition.index));
  }

  private countOut(results: FetchPartitionResult[]): void {
    if (!this.traffic) return;
    for (const r of results) {
      if (r.bytes > 0) this.traffic.recordOut(r.topic, r.bytes, r.records.reduce((n, b) => n + countRecords(b), 0));
    }
  }
}

function emptyResult(topic: string, partition: number, errorCode: ErrorCode): FetchPartitionResult {
  return { topic, partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [], bytes: 0 };
}
