import { ErrorCode } from '@millrace/protocol';
import { errorCodeOf, OffsetOutOfRangeError, type UnifiedLog, type LogConfig } from '@millrace/storage';
import type { PartitionHost } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import { AppendsInFlight } from './appends-in-flight';
import { FetchWaiters } from './fetch-waiters';
import type { LeadershipSource } from './partition-leadership';
import { partitionKey } from './partition-key';
import { countRecords, Partition, type PartitionHooks } from './partition';
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

/** A change of this broker's leadership of a hosted clustered partition: elected (a new term at `leaderEpoch`) or resigned. */
export type LeadershipListener = (topic: string, partition: number, change: { elected: boolean; leaderEpoch: number }) => void;

/** A partition this broker may serve a client request for, or the error to answer instead. */
export type LeaderCheck = { partition: Partition; errorCode: ErrorCode.NONE } | { partition?: undefined; errorCode: ErrorCode };

/**
 * Kafka's ReplicaManager: the partitions this broker hosts, and produce, fetch (with long
 * polling), ListOffsets and DeleteRecords over those it leads.
 * It is the TopicManager's PartitionHost: the catalogue decides which partitions exist
 * (and, in a cluster, which of them this broker hosts), this class opens and deletes
 * their logs.
 *
 * Leadership (`leadership`, cluster mode only): a partition of a cluster topic is served
 * only while the cluster metadata names this broker its leader; a request for a
 * partition the cluster has but this broker does not lead answers NOT_LEADER_OR_FOLLOWER,
 * so clients refresh their metadata and go to the leader. A request carrying a current
 * leader epoch (KIP-320) is checked against the leader's: older FENCED_LEADER_EPOCH,
 * newer UNKNOWN_LEADER_EPOCH.
 */
export class ReplicaManager implements PartitionHost {
  private readonly partitions = new Map<string, Partition>();
  /** Parked consumer fetches: woken by appends and high-watermark moves (what they may read ends at the high watermark). */
  private readonly waiters = new FetchWaiters();
  /**
   * Parked follower fetches: woken by appends only (they read up to the log end). A
   * high-watermark move, which every acks=all record causes, would only make them read
   * again and park again.
   */
  private readonly followerWaiters = new FetchWaiters();
  /** Client appends under way, which a multi-partition follower fetch lets finish before it reads (AppendsInFlight). */
  private readonly appending = new AppendsInFlight();
  private readonly leadershipListeners: LeadershipListener[] = [];
  private readonly hooks: PartitionHooks = {
    onAppended: (part, bytes, records) => this.onAppended(part, bytes, records),
    onHighWatermark: (part) => this.waiters.notify(partitionKey(part.topic, part.index)),
    onFollowerCaughtUp: (part, replicaId) => this.followerCaughtUp?.(part, replicaId),
  };
  private followerCaughtUp: ((partition: Partition, replicaId: number) => void) | null = null;

  constructor(
    private readonly logs: LogProvider,
    private readonly traffic: TrafficObserver | null = null,
    private readonly leadership: LeadershipSource | null = null,
  ) {}

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  /** Whether the partition exists: hosted here, or (cluster) recorded in the cluster metadata. */
  knowsPartition(topic: string, partition: number): boolean {
    return this.getPartition(topic, partition) !== undefined || this.leadership?.leadershipOf(topic, partition) !== undefined;
  }

  /** The partition when this broker leads it at `currentLeaderEpoch` (-1 = any), else the error to answer. */
  leaderFor(topic: string, partition: number, currentLeaderEpoch = -1): LeaderCheck {
    const p = this.getPartition(topic, partition);
    if (!p) {
      return { errorCode: this.leadership?.leadershipOf(topic, partition) !== undefined ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    }
    if (!p.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (currentLeaderEpoch !== -1 && currentLeaderEpoch < p.leaderEpoch) return { errorCode: ErrorCode.FENCED_LEADER_EPOCH };
    if (currentLeaderEpoch > p.leaderEpoch) return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH };
    return { partition: p, errorCode: ErrorCode.NONE };
  }

  /**
   * Calls `listener` whenever this broker becomes the leader of a hosted clustered
   * partition for a new term, or stops leading it (the coordinators follow the leadership
   * of their internal topics' partitions this way).
   */
  onLeadershipChange(listener: LeadershipListener): void {
    this.leadershipListeners.push(listener);
  }

  /**
   * Calls `listener` when a follower outside a led partition's ISR fetched from at least
   * its high watermark (the ISR manager expands the ISR on it without waiting for its
   * next periodic check). One listener; null removes it.
   */
  onFollowerCaughtUp(listener: ((partition: Partition, replicaId: number) => void) | null): void {
    this.followerCaughtUp = listener;
  }

  /** Applies the cluster metadata's leadership of a hosted clustered partition (a no-op for others). */
  applyLeadership(topic: string, partition: number): void {
    const p = this.getPartition(topic, partition);
    if (!p?.clustered || !this.leadership) return;
    const state = this.leadership.leadershipOf(topic, partition);
    const leads = state !== undefined && state.leader === this.leadership.nodeId;
    const wasLeader = p.isLeader;
    const epochBefore = p.leaderEpoch;
    p.setLeadership(leads, state?.leaderEpoch ?? p.leaderEpoch, state?.isr ?? []);
    // Waiting fetches re-check: they answer NOT_LEADER_OR_FOLLOWER now.
    if (!leads) this.notifyAll(partitionKey(topic, partition));
    if (leads && (!wasLeader || epochBefore !== p.leaderEpoch)) this.emitLeadership(topic, partition, true, p.leaderEpoch);
    else if (!leads && wasLeader) this.emitLeadership(topic, partition, false, p.leaderEpoch);
  }

  private emitLeadership(topic: string, partition: number, elected: boolean, leaderEpoch: number): void {
    for (const listener of this.leadershipListeners) listener(topic, partition, { elected, leaderEpoch });
  }

  /** A hosted partition goes away: if this broker led it, its leadership ends. */
  private dropPartition(key: string, topic: string, partition: number): void {
    const p = this.partitions.get(key);
    this.partitions.delete(key);
    this.notifyAll(key);
    if (p?.clustered && p.isLeader) {
      p.setLeadership(false, p.leaderEpoch, []);
      this.emitLeadership(topic, partition, false, p.leaderEpoch);
    }
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  async openPartitions(topic: TopicMetadata, partitions: number[], config: LogConfig): Promise<void> {
    for (const p of partitions) {
      const key = partitionKey(topic.name, p);
      if (this.partitions.has(key)) continue;
      const log = await this.logs.getOrCreateLog(topic.name, p, config);
      const cluster = topic.replicas !== undefined && this.leadership ? { nodeId: this.leadership.nodeId } : null;
      this.partitions.set(key, new Partition(topic.name, p, log, this.hooks, cluster));
      this.applyLeadership(topic.name, p);
    }
  }

  /** Closes and deletes the logs of these partitions (a cluster moved them off this broker). */
  async removePartitions(topic: string, partitions: number[]): Promise<void> {
    for (const p of partitions) {
      this.dropPartition(partitionKey(topic, p), topic, p);
      await this.logs.deleteLog(topic, p);
    }
  }

  async deleteTopic(topic: TopicMetadata): Promise<void> {
    for (let p = 0; p < topic.partitions; p++) {
      this.dropPartition(partitionKey(topic.name, p), topic.name, p);
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
   * acks=-1 on a clustered partition: refused with NOT_ENOUGH_REPLICAS while the ISR is
   * smaller than min.insync.replicas, else answered once the ISR holds the records (the
   * high watermark passed them) or `timeoutMs` passed (REQUEST_TIMED_OUT);
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR that took them had shrunk below
   * min.insync.replicas by then (the records stay; the producer's retry is deduplicated).
   */
  appendRecords(topic: string, partition: number, records: Buffer | null, acks = 1, timeoutMs = 30_000): Promise<AppendOutcome> {
    const { partition: p, errorCode } = this.leaderFor(topic, partition);
    if (!p) {
      const why = errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? 'is not the leader of' : 'does not host';
      return Promise.resolve(failedAppendOutcome(errorCode, `This server ${why} ${topic}-${partition}.`));
    }
    if (acks !== -1 || !p.replication) return this.appendLocally(p, records);
    const minIsr = p.log.config.minInsyncReplicas;
    const isr = p.replication.inSyncReplicas.length;
    if (isr < minIsr) {
      return Promise.resolve(failedAppendOutcome(ErrorCode.NOT_ENOUGH_REPLICAS, `${topic}-${partition} has ${isr} in-sync replica(s), fewer than min.insync.replicas=${minIsr}`, p.logStartOffset));
    }
    return this.appendLocally(p, records).then(async (outcome) => {
      if (outcome.errorCode !== ErrorCode.NONE || outcome.lastOffset === undefined) return outcome;
      const code = await p.waitForInSyncReplicas(outcome.lastOffset + 1, timeoutMs);
      // Kafka's DelayedProduce: replicated, but by an ISR that shrank below min.insync.replicas meanwhile.
      const isrAfter = p.replication?.inSyncReplicas.length ?? minIsr;
      if (code === ErrorCode.NONE && isrAfter < p.log.config.minInsyncReplicas) {
        return failedAppendOutcome(
          ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          `${topic}-${partition}: the records were written, but the in-sync replicas shrank to ${isrAfter}, fewer than min.insync.replicas=${p.log.config.minInsyncReplicas}`,
          p.logStartOffset,
        );
      }
      if (code === ErrorCode.NONE) return outcome;
      return failedAppendOutcome(code, `${topic}-${partition}: the in-sync replicas did not confirm the records (${ErrorCode[code]})`, p.logStartOffset);
    });
  }

  /** Partition.appendRecords (started synchronously), tracked while under way when the partition has followers. */
  private appendLocally(p: Partition, records: Buffer | null): Promise<AppendOutcome> {
    const outcome = p.appendRecords(records);
    if (p.replication) this.appending.track(partitionKey(p.topic, p.index), outcome);
    return outcome;
  }

  /**
   * Reads the requested partitions; when they hold fewer than minBytes, waits until an
   * append reaches one of them or maxWaitMs passes, then reads again. A follower's fetch
   * of several partitions first lets the appends under way on them finish.
   *
   * A follower's fetch reports its log end on every partition as it arrives, before that
   * wait and the reads (and again on each read after a park): the high watermarks it
   * moves answer acks=all produces and wake consumers then, not after the reads of the
   * partitions ahead of them in the request.
   */
  async fetch(params: FetchParams): Promise<FetchPartitionResult[]> {
    const deadline = Date.now() + Math.max(0, params.maxWaitMs);
    const keys = params.partitions.map((p) => partitionKey(p.topic, p.partition));
    const replicaId = params.replicaId ?? -1;
    const follower = replicaId >= 0;
    const waiters = follower ? this.followerWaiters : this.waiters;
    if (follower) this.recordFollowerPositions(replicaId, params.partitions);
    for (let reread = false; ; reread = true) {
      // One response for a follower carries every append under way on its partitions (AppendsInFlight).
      const settling = follower && keys.length > 1 ? this.appending.settled(keys, deadline - Date.now()) : null;
      if (settling) await settling;
      const { results, ends } = await this.readOnce(params, follower && reread ? replicaId : null);
      const bytes = results.reduce((n, r) => n + r.bytes, 0);
      const failed = results.some((r) => r.errorCode !== ErrorCode.NONE);
      const remaining = deadline - Date.now();
      if (bytes >= params.minBytes || failed || remaining <= 0 || params.partitions.length === 0) {
        this.countOut(results);
        return results;
      }
      // Data may have arrived while reading: look again before sleeping.
      const moved = params.partitions.some((p, i) => (this.endFor(this.getPartition(p.topic, p.partition), params) ?? -1) !== ends[i]);
      if (!moved) await waiters.wait(keys, remaining);
    }
  }

  /** A follower fetched these partitions from these offsets: the ones it may fetch here (this broker leads them in its epoch) record its position. */
  private recordFollowerPositions(replicaId: number, partitions: FetchParams['partitions']): void {
    for (const req of partitions) this.leaderFor(req.topic, req.partition, req.currentLeaderEpoch ?? -1).partition?.recordFollowerFetch(replicaId, req.fetchOffset);
  }

  /** One read of every requested partition; `recordFor`: the follower whose position is recorded again (a re-read after a park), else null. */
  private async readOnce(params: FetchParams, recordFor: number | null): Promise<{ results: FetchPartitionResult[]; ends: number[] }> {
    let budget = params.maxBytes;
    let first = true;
    const results: FetchPartitionResult[] = [];
    const ends: number[] = [];
    for (const req of params.partitions) {
      const { partition: p, errorCode } = this.leaderFor(req.topic, req.partition, req.currentLeaderEpoch ?? -1);
      if (!p) {
        ends.push(-1);
        results.push(emptyResult(req.topic, req.partition, errorCode));
        continue;
      }
      if (recordFor !== null) p.recordFollowerFetch(recordFor, req.fetchOffset);
      const end = this.endFor(p, params)!;
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

  /** Where a fetch may read up to: the log end for a follower, else the consumer's isolation level's bound. */
  private endFor(p: Partition | undefined, params: FetchParams): number | undefined {
    if (!p) return undefined;
    return params.replicaId !== undefined && params.replicaId >= 0 ? p.logEndOffset : p.fetchableEnd(params.isolationLevel);
  }

  async listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel, currentLeaderEpoch = -1): Promise<ListOffsetOutcome> {
    const { partition: p, errorCode } = this.leaderFor(topic, partition, currentLeaderEpoch);
    if (!p) return { errorCode, offset: -1, timestamp: -1, leaderEpoch: -1 };
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
    const { partition: p, errorCode } = this.leaderFor(topic, partition);
    if (!p) return { errorCode, lowWatermark: -1 };
    try {
      return { errorCode: ErrorCode.NONE, lowWatermark: await p.log.deleteRecordsBefore(offset) };
    } catch (err) {
      return { errorCode: errorCodeOf(err), lowWatermark: -1 };
    }
  }

  private onAppended(partition: Partition, bytes: number, records: number): void {
    this.traffic?.recordIn(partition.topic, bytes, records);
    this.notifyAll(partitionKey(partition.topic, partition.index));
  }

  /** Wakes every parked fetch of a partition, consumers' and followers'. */
  private notifyAll(key: string): void {
    this.waiters.notify(key);
    this.followerWaiters.notify(key);
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
