import { ErrorCode as E } from '@millrace/protocol';
import { CoordinatorClock, systemClock } from './coordinator-clock';
import { GroupCoordinatorConfig, resolveGroupCoordinatorConfig } from './group-coordinator.config';
import {
  DeleteGroupResult,
  DescribedGroup,
  GroupStateName,
  HeartbeatInput,
  HeartbeatResult,
  JoinGroupInput,
  JoinGroupResult,
  LeaveGroupInput,
  LeaveGroupResult,
  ListGroupsResult,
  LoadSummary,
  OffsetCommitInput,
  OffsetCommitResult,
  OffsetDeleteInput,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchResult,
  SyncGroupInput,
  SyncGroupResult,
} from './group-coordinator.types';
import { GroupState } from './group-state';
import { describeGroup, describeUnknownGroup } from './group-description';
import type { CommittedOffset } from './committed-offsets';
import { GroupLog, GroupLogRecord } from './group-log';
import { GroupMetadataManager } from './group-metadata-manager';
import { GroupOffsets } from './group-offsets';
import { GroupRebalancer } from './group-rebalancer';
import { CoordinatorStatus, validateGroupStatus } from './group-validation';
import { GroupMemberRequests } from './group-member-requests';
import { GroupPartitionLoading } from './group-partition-loading';
import type { PendingTransactionalOffsets } from './pending-transactional-offsets';

/** Where the coordinator reports internal errors (bugs); it never throws them at callers. */
export interface GroupCoordinatorLogger {
  error(message: string, err: unknown): void;
}

const consoleLogger: GroupCoordinatorLogger = {
  error: (message, err) => console.error(`[group-coordinator] ${message}`, err),
};

export type { CoordinatorStatus } from './group-validation';

/**
 * Kafka's classic consumer group coordinator, transport-free: JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, DescribeGroups, ListGroups, DeleteGroups, OffsetCommit and
 * OffsetFetch semantics of Kafka's GroupCoordinator (as used by kafkajs 2.x and
 * librdkafka 2.x), over plain typed inputs and results carrying Kafka error codes.
 *
 * This class owns the coordinator's lifecycle and the group-level APIs (DescribeGroups,
 * ListGroups, DeleteGroups). The member APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup)
 * are GroupMemberRequests' (group-member-requests.ts); the offset APIs are GroupOffsets'
 * (group-offsets.ts). The rebalance protocol — join phase, generations, the delayed
 * operations (DelayedJoin, InitialDelayedJoin, DelayedSync, DelayedHeartbeat) — is
 * GroupRebalancer's (group-rebalancer.ts; states in group-state.ts); the group cache,
 * committed offsets and their records are GroupMetadataManager's (group-metadata-manager.ts).
 *
 * Persistence: every state clients rely on is appended to `__consumer_offsets` through
 * the injected GroupLog (records in consumer-offsets-format.ts) before it is acknowledged;
 * `load` rebuilds groups and offsets from those records at start.
 *
 * Concurrency: all methods run on the Node event loop; state changes between awaits are
 * atomic. Code resuming after an await (log append) re-checks group state and generation
 * before acting, as Kafka's callbacks do under the group lock. Pending JoinGroup and
 * SyncGroup promises always settle: with a result, an error, or NOT_COORDINATOR on
 * shutdown. No method rejects; failures are error codes.
 */
export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  private readonly manager: GroupMetadataManager;
  private readonly rebalancer: GroupRebalancer;
  private statusValue: CoordinatorStatus = 'loading';
  private readonly offsets: GroupOffsets;
  private readonly members: GroupMemberRequests;
  /** Cluster mode: groups loaded per `__consumer_offsets` partition this broker leads; null = all partitions (single broker). */
  private partitioned: GroupPartitionLoading | null = null;

  constructor(
    config: Partial<GroupCoordinatorConfig>,
    groupLog: GroupLog,
    private readonly clock: CoordinatorClock = systemClock,
    private readonly logger: GroupCoordinatorLogger = consoleLogger,
  ) {
    this.config = resolveGroupCoordinatorConfig(config);
    const onError = (message: string, err: unknown): void => this.logger.error(message, err);
    this.manager = new GroupMetadataManager(groupLog, this.config, clock, onError);
    this.rebalancer = new GroupRebalancer(this.config, this.manager, clock, onError);
    this.offsets = new GroupOffsets(this.manager, this.rebalancer, clock, (groupId) => this.groupStatus(groupId));
    this.members = new GroupMemberRequests(this.config, this.manager, this.rebalancer, clock, (groupId) => this.groupStatus(groupId));
  }

  get status(): CoordinatorStatus {
    return this.statusValue;
  }

  /** The `__consumer_offsets` partition of `groupId` (FindCoordinator / GroupLog partition). */
  partitionFor(groupId: string): number {
    return this.manager.partitionFor(groupId);
  }

  // ================================================================ lifecycle

  /**
   * Rebuilds state from the `__consumer_offsets` records (all partitions, log order),
   * then starts serving and schedules offset expiration. Call once; until it resolves
   * requests get COORDINATOR_LOAD_IN_PROGRESS. Loaded groups with members are Stable
   * and their members must heartbeat within their session timeout.
   * `offsetsTopicNumPartitions` is the partition count of the existing topic when it
   * differs from the configured one (Kafka: the existing topic's count wins).
   */
  async load(
    records: Iterable<GroupLogRecord> | AsyncIterable<GroupLogRecord>,
    offsetsTopicNumPartitions = this.config.offsetsTopicNumPartitions,
  ): Promise<LoadSummary> {
    if (this.statusValue !== 'loading') throw new Error(`cannot load a coordinator that is ${this.statusValue}`);
    this.manager.usePartitionCount(offsetsTopicNumPartitions);
    const { groups, summary } = await this.manager.readLog(records);
    if (this.statusValue !== 'loading') return summary;
    for (const group of groups) {
      this.manager.addGroup(group);
      for (const member of group.members.values()) this.rebalancer.scheduleHeartbeatExpiration(group, member);
    }
    this.statusValue = 'active';
    this.manager.startOffsetExpiration();
    return summary;
  }

  /**
   * Cluster mode instead of `load`: serves no group until this broker is elected leader
   * of its `__consumer_offsets` partition (`loadPartition`, see GroupPartitionLoading);
   * groups of other partitions get NOT_COORDINATOR.
   */
  startPartitioned(offsetsTopicNumPartitions = this.config.offsetsTopicNumPartitions): void {
    if (this.statusValue !== 'loading') throw new Error(`cannot start a coordinator that is ${this.statusValue}`);
    this.manager.usePartitionCount(offsetsTopicNumPartitions);
    this.partitioned = new GroupPartitionLoading(this.manager, this.rebalancer, () => this.statusValue === 'active');
    this.statusValue = 'active';
    this.manager.startOffsetExpiration();
  }

  /** Cluster mode: this broker leads `__consumer_offsets` partition `partition` now; see GroupPartitionLoading.load. */
  loadPartition(partition: number, records: Iterable<GroupLogRecord> | AsyncIterable<GroupLogRecord>, numPartitions: number): Promise<LoadSummary | null> {
    return this.partitioned?.load(partition, records, numPartitions) ?? Promise.resolve(null);
  }

  /** Cluster mode: another broker leads `partition` now; see GroupPartitionLoading.unload. */
  unloadPartition(partition: number): number {
    return this.partitioned?.unload(partition) ?? 0;
  }

  /** Cluster mode: the `__consumer_offsets` partitions this broker coordinates (loading or loaded); null on the single broker. */
  ownedPartitions(): number[] | null {
    return this.partitioned?.ownership.partitions() ?? null;
  }

  /** The coordinator's status for one group (cluster mode: whether this broker owns, or is loading, its partition). */
  private groupStatus(groupId?: string | null): CoordinatorStatus {
    if (this.statusValue !== 'active' || !this.partitioned || groupId === null || groupId === undefined) return this.statusValue;
    return this.partitioned.ownership.stateOf(this.partitionFor(groupId)) ?? 'not-owned';
  }

  /**
   * Stops serving: cancels every timer, answers pending JoinGroup/SyncGroup with
   * NOT_COORDINATOR and forgets all state. Later requests get NOT_COORDINATOR.
   */
  shutdown(): void {
    this.statusValue = 'shutdown';
    this.manager.stopOffsetExpiration();
    for (const group of this.manager.allGroups()) this.rebalancer.cancelAll(group, E.NOT_COORDINATOR);
    this.manager.clear();
  }

  // ================================================================ membership (group-member-requests.ts)

  /** JoinGroup v0-v5; see GroupMemberRequests.joinGroup. */
  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    return this.members.joinGroup(input);
  }

  /** SyncGroup v0-v5; see GroupMemberRequests.syncGroup. */
  syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    return this.members.syncGroup(input);
  }

  /** Heartbeat v0-v4; see GroupMemberRequests.heartbeat. */
  heartbeat(input: HeartbeatInput): HeartbeatResult {
    return this.members.heartbeat(input);
  }

  /** LeaveGroup v0-v4; see GroupMemberRequests.leaveGroup. */
  leaveGroup(input: LeaveGroupInput): LeaveGroupResult {
    return this.members.leaveGroup(input);
  }

  // ================================================================ DescribeGroups / ListGroups / DeleteGroups

  /** DescribeGroups v0-v5: unknown groups are described as Dead with no error. */
  describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const statusError = this.validateGroupStatus(groupId, false);
      if (statusError !== null) return { ...describeUnknownGroup(groupId), errorCode: statusError };
      const group = this.manager.getGroup(groupId);
      return group ? describeGroup(group) : describeUnknownGroup(groupId);
    });
  }

  /** ListGroups v0-v4; `statesFilter` (v4) matches state names case-insensitively, empty = all. */
  listGroups(statesFilter: string[] = []): ListGroupsResult {
    const errorCode =
      this.statusValue === 'loading' ? E.COORDINATOR_LOAD_IN_PROGRESS : this.statusValue === 'shutdown' ? E.NOT_COORDINATOR : E.NONE;
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    const groups = this.manager
      .allGroups()
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state as GroupStateName }));
    return { errorCode, groups };
  }

  /**
   * DeleteGroups v0-v2: only Empty groups (NON_EMPTY_GROUP otherwise; GROUP_ID_NOT_FOUND
   * when unknown). Tombstones for the group and all its offsets are appended before the
   * answer; while that append runs the group is Dead (joins and commits get
   * COORDINATOR_NOT_AVAILABLE). If the append fails the group is kept (Empty) and the
   * answer is COORDINATOR_NOT_AVAILABLE.
   */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    const results = groupIds.map(async (groupId): Promise<DeleteGroupResult> => {
      const statusError = this.validateGroupStatus(groupId, false);
      if (statusError !== null) return { groupId, errorCode: statusError };
      const group = this.manager.getGroup(groupId);
      if (!group || group.is(GroupState.Dead)) return { groupId, errorCode: E.GROUP_ID_NOT_FOUND };
      if (!group.is(GroupState.Empty)) return { groupId, errorCode: E.NON_EMPTY_GROUP };
      return { groupId, errorCode: await this.manager.deleteGroup(group, this.clock.now()) };
    });
    return Promise.all(results);
  }

  // ================================================================ offsets (group-offsets.ts)

  /** OffsetCommit v2-v8; see GroupOffsets.commitOffsets. */
  commitOffsets(input: OffsetCommitInput): Promise<OffsetCommitResult> {
    return this.offsets.commitOffsets(input);
  }

  /** OffsetFetch v1-v8 for one group; see GroupOffsets.fetchOffsets. */
  fetchOffsets(input: OffsetFetchInput): OffsetFetchResult {
    return this.offsets.fetchOffsets(input);
  }

  /** Sets where require_stable fetches learn of pending transactional commits (the transaction coordinator). */
  usePendingTransactionalOffsets(source: PendingTransactionalOffsets): void {
    this.offsets.usePendingTransactionalOffsets(source);
  }

  /** OffsetDelete v0; see GroupOffsets.deleteOffsets. */
  deleteOffsets(input: OffsetDeleteInput): Promise<OffsetDeleteResult> {
    return this.offsets.deleteOffsets(input);
  }

  /** Removes offsets past offsets.retention.minutes now; returns how many. Runs periodically after load. */
  cleanupExpiredOffsets(): Promise<number> {
    return this.offsets.cleanupExpiredOffsets();
  }

  /** The group half of a TxnOffsetCommit; see GroupOffsets.validateTxnOffsetCommit. */
  validateTxnOffsetCommit(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null): number | null {
    return this.offsets.validateTxnOffsetCommit(groupId, memberId, generationId, groupInstanceId);
  }

  /** Makes a committed transaction's offsets the group's committed offsets (on its COMMIT marker). */
  applyTxnOffsets(groupId: string, entries: { topic: string; partition: number; value: CommittedOffset }[]): void {
    this.offsets.applyTxnOffsets(groupId, entries);
  }

  private validateGroupStatus(groupId: string | null | undefined, requireNonEmpty: boolean): number | null {
    return validateGroupStatus(this.groupStatus(groupId), groupId, requireNonEmpty);
  }
}
