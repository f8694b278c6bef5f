import { errorMessage } from '@millrace/app-common';
import { ErrorCode, iterateBatches } from '@millrace/protocol';
import { errorCodeOf, type UnifiedLog } from '@millrace/storage';
import { LeaderReplication } from './leader-replication';
import { failedAppendOutcome, IsolationLevel, type AppendOutcome } from './partition-types';

/** What a Partition reports to its ReplicaManager. */
export interface PartitionHooks {
  /** Records were appended (wakes fetches waiting for data, counts traffic). */
  onAppended(partition: Partition, bytes: number, records: number): void;
  /** The high watermark moved (wakes consumer fetches). */
  onHighWatermark(partition: Partition): void;
  /** Leader: a follower outside the ISR fetched from at least the high watermark (it may rejoin the ISR). */
  onFollowerCaughtUp?(partition: Partition, replicaId: number): void;
}

/**
 * One partition this broker leads: its log plus the offsets consumers see.
 *
 * Offsets: logStartOffset <= lastStableOffset <= highWatermark <= logEndOffset.
 * The high watermark is moved to just past an append only when that append resolved,
 * i.e. when it is as durable as the topic's flush settings require; with one broker the
 * in-sync replica set is the leader itself, so acks=1 and acks=-1 coincide. Appends
 * resolve in offset order (one drain per log), so the high watermark only grows.
 * Consumers read up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed, equal to it until transactions exist).
 *
 * The leader epoch is stamped on every appended batch: 0 for a partition this broker
 * owns alone (single broker; a cluster's broker-local internal topics), else the epoch
 * the cluster metadata gives the partition (`clustered`), set by `setLeadership`.
 * A clustered partition serves clients only while `isLeader` (the cluster metadata names
 * this broker its leader); until its leadership is known it is not the leader. Its high
 * watermark is the minimum log end offset over the ISR (LeaderReplication) while it
 * leads, and the leader's (capped at its own log end) while it follows.
 */
export class Partition {
  private epoch = 0;
  private leading: boolean;
  /** Cluster mode: the followers' positions and the producers waiting for them. */
  readonly replication: LeaderReplication | null;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: UnifiedLog,
    private readonly hooks: PartitionHooks,
    cluster: { nodeId: number } | null = null,
  ) {
    this.replication = cluster ? new LeaderReplication(cluster.nodeId) : null;
    this.leading = cluster === null;
    log.leaderEpoch = this.epoch;
    // Broker-local: the in-sync replica set is this broker alone, so everything the
    // (recovered) log holds is committed: the checkpointed high watermark may lag by up
    // to one checkpoint interval, and acknowledged records must be readable after a
    // crash. Clustered: the ISR decides, once leadership is known.
    if (!cluster) log.updateHighWatermark(log.logEndOffset);
  }

  get clustered(): boolean {
    return this.replication !== null;
  }

  get leaderEpoch(): number {
    return this.epoch;
  }

  /** Whether this broker leads the partition now (always, unless `clustered`). */
  get isLeader(): boolean {
    return this.leading;
  }

  /** A clustered partition's leadership and ISR as the cluster metadata records them. */
  setLeadership(isLeader: boolean, leaderEpoch: number, isr: readonly number[]): void {
    const newTerm = isLeader && (!this.leading || leaderEpoch !== this.epoch);
    if (this.leading && !isLeader) this.replication?.failAll();
    this.leading = isLeader;
    this.epoch = leaderEpoch;
    this.log.leaderEpoch = leaderEpoch;
    this.replication?.reset(isr, newTerm, this.log.logEndOffset);
    if (isLeader) this.maybeAdvanceHighWatermark();
  }

  /** Leader: a follower fetched from `fetchOffset`, so its log ends there. */
  recordFollowerFetch(replicaId: number, fetchOffset: number): void {
    if (!this.replication) return;
    const rejoin = this.replication.recordFetch(replicaId, fetchOffset, this.log.logEndOffset, Date.now(), this.leading ? this.log.highWatermark : -1);
    this.maybeAdvanceHighWatermark();
    if (rejoin) this.hooks.onFollowerCaughtUp?.(this, replicaId);
  }

  /** Follower: the leader's high watermark, capped at this replica's log end. */
  followLeaderHighWatermark(leaderHw: number): void {
    const before = this.log.highWatermark;
    if (this.log.updateHighWatermark(Math.min(leaderHw, this.log.logEndOffset)) !== before) this.hooks.onHighWatermark(this);
  }

  /** Leader, acks=all: NONE once the ISR holds everything below `offset`; REQUEST_TIMED_OUT or NOT_LEADER_OR_FOLLOWER otherwise. */
  waitForInSyncReplicas(offset: number, timeoutMs: number): Promise<ErrorCode> {
    if (!this.replication || this.log.highWatermark >= offset) return Promise.resolve(ErrorCode.NONE);
    if (!this.leading) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return this.replication.waitFor(offset, timeoutMs);
  }

  private maybeAdvanceHighWatermark(): void {
    if (!this.replication || !this.leading) return;
    const allowed = this.replication.allowedHighWatermark(this.log.logEndOffset);
    const before = this.log.highWatermark;
    if (allowed <= before) return;
    const hw = this.log.updateHighWatermark(allowed);
    if (hw === before) return;
    this.replication.advanced(hw);
    this.hooks.onHighWatermark(this);
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get lastStableOffset(): number {
    const unstable = this.log.transactions.firstUnstableOffset();
    return unstable === null ? this.highWatermark : Math.min(unstable, this.highWatermark);
  }

  /** The offset consumers of this isolation level may read up to (exclusive). */
  fetchableEnd(isolation: IsolationLevel): number {
    return isolation === IsolationLevel.READ_COMMITTED ? this.lastStableOffset : this.highWatermark;
  }

  /**
   * Appends one produce request's records. The log takes its place in the append queue
   * synchronously (before the first await), which preserves per-connection order.
   */
  async appendRecords(records: Buffer | null, origin: 'client' | 'coordinator' = 'client'): Promise<AppendOutcome> {
    if (records === null || records.length === 0) {
      return failedAppendOutcome(ErrorCode.CORRUPT_MESSAGE, 'produce request carries no record batch', this.logStartOffset);
    }
    try {
      const result = await this.log.append(records, { origin, requireSingleBatch: origin === 'client', leaderEpoch: this.leaderEpoch });
      if (!result.duplicate) {
        if (this.replication) this.maybeAdvanceHighWatermark();
        else this.log.updateHighWatermark(Math.max(this.log.highWatermark, result.lastOffset + 1));
        this.hooks.onAppended(this, records.length, result.recordCount);
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: result.baseOffset,
        logAppendTimeMs: result.logAppendTime,
        logStartOffset: result.logStartOffset,
        recordErrors: [],
        lastOffset: result.lastOffset,
      };
    } catch (err) {
      return failedAppendOutcome(errorCodeOf(err), errorMessage(err), this.logStartOffset);
    }
  }
}

/** Records in a buffer of whole batches, counted from batch headers only. */
export function countRecords(records: Buffer): number {
  let n = 0;
  for (const b of iterateBatches(records)) n += b.header.recordsCount;
  return n;
}
