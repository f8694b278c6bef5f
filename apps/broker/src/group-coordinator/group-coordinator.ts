import { randomUUID } from 'node:crypto';
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
import { Group, joinError } from './group';
import { GroupState } from './group-state';
import { describeGroup, describeUnknownGroup } from './group-description';
import type { CommittedOffset } from './committed-offsets';
import { GroupLog, GroupLogRecord } from './group-log';
import { GroupMetadataManager } from './group-metadata-manager';
import { GroupOffsets } from './group-offsets';
import { GroupRebalancer, JoinCallback, JoinRequest, syncError } from './group-rebalancer';
import { CoordinatorStatus, validateCurrentMember, validateGroupStatus } from './group-validation';
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
 * This class validates each request against the coordinator's and the group's state and
 * routes it. The offset APIs are GroupOffsets' (group-offsets.ts). The rebalance protocol — join phase, generations, the delayed operations
 * (DelayedJoin, InitialDelayedJoin, DelayedSync, DelayedHeartbeat) — is GroupRebalancer's
 * (group-rebalancer.ts; states in group-state.ts); the group cache, committed offsets and
 * their records are GroupMetadataManager's (group-metadata-manager.ts).
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

  // ================================================================ JoinGroup

  /** JoinGroup v0-v5. Resolves when the group's join phase completes (or at once on error). */
  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    const memberId = input.memberId ?? '';
    const statusError = this.validateGroupStatus(input.groupId, true);
    if (statusError !== null) return Promise.resolve(joinError(memberId, statusError));
    if (
      input.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs ||
      input.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs
    ) {
      return Promise.resolve(joinError(memberId, E.INVALID_SESSION_TIMEOUT));
    }
    const req: JoinRequest = {
      groupInstanceId: input.groupInstanceId ?? null,
      clientId: input.clientId,
      clientHost: input.clientHost,
      rebalanceTimeoutMs:
        input.rebalanceTimeoutMs === undefined || input.rebalanceTimeoutMs < 0 ? input.sessionTimeoutMs : input.rebalanceTimeoutMs,
      sessionTimeoutMs: input.sessionTimeoutMs,
      protocolType: input.protocolType,
      protocols: input.protocols,
    };
    const isUnknownMember = memberId === '';
    let group = this.manager.getGroup(input.groupId);
    if (!group) {
      if (!isUnknownMember) return Promise.resolve(joinError(memberId, E.UNKNOWN_MEMBER_ID));
      group = this.manager.addGroup(new Group(input.groupId, GroupState.Empty, this.clock.now()));
    }
    const g = group;
    return new Promise<JoinGroupResult>((resolve) => {
      if (isUnknownMember) this.doNewMemberJoinGroup(g, req, input.requireKnownMemberId, resolve);
      else this.doCurrentMemberJoinGroup(g, memberId, req, resolve);
      if (g.is(GroupState.PreparingRebalance)) this.rebalancer.tryCompleteJoin(g);
    });
  }

  private doNewMemberJoinGroup(group: Group, req: JoinRequest, requireKnownMemberId: boolean, respond: JoinCallback): void {
    if (group.is(GroupState.Dead)) return respond(joinError('', E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError('', E.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(req.groupInstanceId);
      if (oldMemberId === undefined) this.rebalancer.addMemberAndRebalance(group, newMemberId, req, respond);
      else this.rebalancer.updateStaticMemberAndRebalance(group, req.groupInstanceId, oldMemberId, newMemberId, req, respond);
    } else if (requireKnownMemberId) {
      // KIP-394: hand out the id first; the member is only added when it joins with it.
      this.rebalancer.schedulePendingMemberExpiration(group, newMemberId, req.sessionTimeoutMs);
      respond(joinError(newMemberId, E.MEMBER_ID_REQUIRED));
    } else {
      this.rebalancer.addMemberAndRebalance(group, newMemberId, req, respond);
    }
  }

  private doCurrentMemberJoinGroup(group: Group, memberId: string, req: JoinRequest, respond: JoinCallback): void {
    if (group.is(GroupState.Dead)) return respond(joinError(memberId, E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL));
    if (group.pendingMembers.has(memberId)) {
      // The second join of a member that got MEMBER_ID_REQUIRED.
      return this.rebalancer.addMemberAndRebalance(group, memberId, { ...req, groupInstanceId: null }, respond);
    }
    const instanceId = req.groupInstanceId;
    if (group.isStaticMemberFenced(instanceId, memberId)) return respond(joinError(memberId, E.FENCED_INSTANCE_ID));
    if (!group.has(memberId) || (instanceId !== null && !group.hasStaticMember(instanceId))) {
      return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    }
    const member = group.get(memberId);
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return this.rebalancer.updateMemberAndRebalance(group, member, req, respond);
      case GroupState.CompletingRebalance:
        // Same metadata: the member probably missed its JoinGroup response; resend it.
        if (member.matches(req.protocols)) return respond(this.rebalancer.currentJoinResult(group, member));
        return this.rebalancer.updateMemberAndRebalance(group, member, req, respond);
      case GroupState.Stable:
        // A leader's rejoin forces a rebalance (e.g. topic metadata changed); so do changed protocols.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) return this.rebalancer.updateMemberAndRebalance(group, member, req, respond);
        return respond({ ...this.rebalancer.currentJoinResult(group, member), members: [] });
      case GroupState.Empty:
      case GroupState.Dead:
        return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    }
  }

  // ================================================================ SyncGroup

  /** SyncGroup v0-v5. The leader's call (and followers' calls) resolve once the assignment is persisted. */
  syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    const statusError = this.validateGroupStatus(input.groupId, true);
    if (statusError === E.COORDINATOR_LOAD_IN_PROGRESS) {
      // The rebalance state was lost with the restart: make the member rejoin.
      return Promise.resolve(syncError(E.REBALANCE_IN_PROGRESS));
    }
    if (statusError !== null) return Promise.resolve(syncError(statusError));
    const group = this.manager.getGroup(input.groupId);
    if (!group) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    const instanceId = input.groupInstanceId ?? null;
    const error = group.is(GroupState.Dead)
      ? E.COORDINATOR_NOT_AVAILABLE
      : (validateCurrentMember(group, input.memberId, instanceId) ??
        (input.generationId !== group.generationId
          ? E.ILLEGAL_GENERATION
          : (input.protocolType != null && input.protocolType !== group.protocolType) ||
              (input.protocolName != null && input.protocolName !== group.protocolName)
            ? E.INCONSISTENT_GROUP_PROTOCOL
            : null));
    if (error !== null) return Promise.resolve(syncError(error));

    const member = group.get(input.memberId);
    switch (group.state) {
      case GroupState.Empty:
        return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
      case GroupState.PreparingRebalance:
        return Promise.resolve(syncError(E.REBALANCE_IN_PROGRESS));
      case GroupState.Stable:
        this.rebalancer.removePendingSyncMember(group, member.memberId);
        this.rebalancer.scheduleHeartbeatExpiration(group, member);
        return Promise.resolve({
          errorCode: E.NONE,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
      case GroupState.CompletingRebalance:
        return new Promise<SyncGroupResult>((resolve) => {
          group.maybeInvokeSyncCallback(member, syncError(E.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
          this.rebalancer.removePendingSyncMember(group, member.memberId);
          if (group.isLeader(member.memberId)) this.rebalancer.storeLeaderAssignment(group, input.assignments);
        });
      case GroupState.Dead:
        return Promise.resolve(syncError(E.COORDINATOR_NOT_AVAILABLE));
    }
  }

  // ================================================================ Heartbeat

  /** Heartbeat v0-v4. While loading it answers NONE (Kafka: the group state is not known yet). */
  heartbeat(input: HeartbeatInput): HeartbeatResult {
    const statusError = this.validateGroupStatus(input.groupId, true);
    if (statusError === E.COORDINATOR_LOAD_IN_PROGRESS) return { errorCode: E.NONE };
    if (statusError !== null) return { errorCode: statusError };
    const group = this.manager.getGroup(input.groupId);
    if (!group) return { errorCode: E.UNKNOWN_MEMBER_ID };
    if (group.is(GroupState.Dead)) return { errorCode: E.COORDINATOR_NOT_AVAILABLE };
    const memberError = validateCurrentMember(group, input.memberId, input.groupInstanceId ?? null);
    if (memberError !== null) return { errorCode: memberError };
    if (input.generationId !== group.generationId) return { errorCode: E.ILLEGAL_GENERATION };
    const member = group.get(input.memberId);
    switch (group.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return { errorCode: E.UNKNOWN_MEMBER_ID };
      case GroupState.CompletingRebalance:
      case GroupState.Stable:
        this.rebalancer.scheduleHeartbeatExpiration(group, member);
        return { errorCode: E.NONE };
      case GroupState.PreparingRebalance:
        this.rebalancer.scheduleHeartbeatExpiration(group, member);
        return { errorCode: E.REBALANCE_IN_PROGRESS };
    }
  }

  // ================================================================ LeaveGroup

  /** LeaveGroup v0-v4. Members may be identified by member id, or (v3+) by group.instance.id alone. */
  leaveGroup(input: LeaveGroupInput): LeaveGroupResult {
    const statusError = this.validateGroupStatus(input.groupId, true);
    if (statusError !== null) return { errorCode: statusError, members: [] };
    const group = this.manager.getGroup(input.groupId);
    const identities = input.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null }));
    if (!group) return { errorCode: E.NONE, members: identities.map((m) => ({ ...m, errorCode: E.UNKNOWN_MEMBER_ID })) };
    if (group.is(GroupState.Dead)) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = identities.map((m) => {
      let errorCode: number = E.NONE;
      if (m.memberId === '') {
        const current = m.groupInstanceId === null ? undefined : group.currentStaticMemberId(m.groupInstanceId);
        if (current === undefined) errorCode = E.UNKNOWN_MEMBER_ID;
        else this.rebalancer.removeMemberAndUpdateGroup(group, group.get(current));
      } else if (group.pendingMembers.has(m.memberId)) {
        this.rebalancer.removePendingMemberAndUpdateGroup(group, m.memberId);
      } else {
        errorCode = validateCurrentMember(group, m.memberId, m.groupInstanceId) ?? E.NONE;
        if (errorCode === E.NONE) this.rebalancer.removeMemberAndUpdateGroup(group, group.get(m.memberId));
      }
      return { ...m, errorCode };
    });
    return { errorCode: E.NONE, members };
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

  // ================================================================ OffsetCommit / OffsetFetch

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
