import { randomUUID } from 'node:crypto';
import { CommittedOffset } from './committed-offsets';
import { CoordinatorClock, ScheduledTask, systemClock } from './coordinator-clock';
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
  OffsetFetchInput,
  OffsetFetchPartition,
  OffsetFetchResult,
  SyncGroupInput,
  SyncGroupResult,
} from './group-coordinator.types';
import { Group, GroupState, joinError } from './group';
import { GroupLog, GroupLogRecord } from './group-log';
import { GroupMetadataManager } from './group-metadata-manager';
import { KafkaErrorCode as E } from './kafka-error-codes';
import { EMPTY_BUFFER, Member } from './member';

/** Where the coordinator reports internal errors (bugs); it never throws them at callers. */
export interface GroupCoordinatorLogger {
  error(message: string, err: unknown): void;
}

const consoleLogger: GroupCoordinatorLogger = {
  error: (message, err) => console.error(`[group-coordinator] ${message}`, err),
};

/** Lifecycle of the coordinator: answers COORDINATOR_LOAD_IN_PROGRESS until `load` finished. */
export type CoordinatorStatus = 'loading' | 'active' | 'shutdown';

type JoinCallback = (result: JoinGroupResult) => void;

interface JoinRequest {
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupInput['protocols'];
}

/**
 * Kafka's classic consumer group coordinator, transport-free: JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, DescribeGroups, ListGroups, DeleteGroups, OffsetCommit and
 * OffsetFetch semantics of Kafka's GroupCoordinator (as used by kafkajs 2.x and
 * librdkafka 2.x), over plain typed inputs and results carrying Kafka error codes.
 *
 * Rebalance protocol (per group; states in group.ts):
 * 1. A join by a new member, a leave, a session expiry, a leader rejoin or changed member
 *    protocols moves the group to PreparingRebalance. JoinGroup responses are held
 *    (pending promises) until every known member has rejoined, or the rebalance timeout
 *    (largest member rebalance.timeout.ms) expires — then dynamic members that did not
 *    rejoin are removed. A group that was Empty instead waits
 *    group.initial.rebalance.delay.ms, extended (up to the rebalance timeout) while new
 *    members keep arriving.
 * 2. The next generation starts: the protocol all members support with the most votes is
 *    selected, every member gets its JoinGroup response (the leader — the first member —
 *    also gets all members' metadata) and the group is CompletingRebalance.
 * 3. The leader's SyncGroup carries the assignment; it is appended to the log
 *    (GroupMetadata record), then every SyncGroup (held until then) is answered with the
 *    member's assignment and the group is Stable. Members that do not send SyncGroup
 *    within the rebalance timeout are removed and a new rebalance starts.
 * 4. Heartbeats keep members alive (session.timeout.ms); during a rebalance they answer
 *    REBALANCE_IN_PROGRESS so members rejoin.
 * Static members (group.instance.id) that rejoin with a new member id take over their old
 * entry; in a Stable group with unchanged protocol this needs no rebalance, and the old
 * member id is fenced (FENCED_INSTANCE_ID).
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
  private statusValue: CoordinatorStatus = 'loading';
  private expirationTask: ScheduledTask | null = null;

  constructor(
    config: Partial<GroupCoordinatorConfig>,
    groupLog: GroupLog,
    private readonly clock: CoordinatorClock = systemClock,
    private readonly logger: GroupCoordinatorLogger = consoleLogger,
  ) {
    this.config = resolveGroupCoordinatorConfig(config);
    this.manager = new GroupMetadataManager(groupLog, this.config.offsetsTopicNumPartitions);
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
   */
  async load(records: Iterable<GroupLogRecord> | AsyncIterable<GroupLogRecord>): Promise<LoadSummary> {
    if (this.statusValue !== 'loading') throw new Error(`cannot load a coordinator that is ${this.statusValue}`);
    const { groups, summary } = await this.manager.readLog(records);
    if (this.statusValue !== 'loading') return summary;
    for (const group of groups) {
      this.manager.addGroup(group);
      for (const member of group.members.values()) this.scheduleHeartbeatExpiration(group, member);
    }
    this.statusValue = 'active';
    this.scheduleOffsetExpiration();
    return summary;
  }

  /**
   * Stops serving: cancels every timer, answers pending JoinGroup/SyncGroup with
   * NOT_COORDINATOR and forgets all state. Later requests get NOT_COORDINATOR.
   */
  shutdown(): void {
    this.statusValue = 'shutdown';
    this.expirationTask?.cancel();
    this.expirationTask = null;
    for (const group of this.manager.allGroups()) {
      group.pendingJoin?.timer.cancel();
      group.pendingJoin = null;
      group.syncTimer?.cancel();
      group.syncTimer = null;
      for (const t of group.pendingMembers.values()) t?.cancel();
      group.pendingMembers.clear();
      for (const m of group.members.values()) {
        m.heartbeatTimer?.cancel();
        m.heartbeatTimer = null;
        group.maybeInvokeJoinCallback(m, joinError(m.memberId, E.NOT_COORDINATOR));
        group.maybeInvokeSyncCallback(m, syncError(E.NOT_COORDINATOR));
      }
    }
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
      if (g.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(g);
    });
  }

  private doNewMemberJoinGroup(group: Group, req: JoinRequest, requireKnownMemberId: boolean, respond: JoinCallback): void {
    if (group.is(GroupState.Dead)) return respond(joinError('', E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError('', E.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(req.groupInstanceId);
      if (oldMemberId === undefined) this.addMemberAndRebalance(group, newMemberId, req, respond);
      else this.updateStaticMemberAndRebalance(group, req.groupInstanceId, oldMemberId, newMemberId, req, respond);
    } else if (requireKnownMemberId) {
      // KIP-394: hand out the id first; the member is only added when it joins with it.
      this.schedulePendingMemberExpiration(group, newMemberId, req.sessionTimeoutMs);
      respond(joinError(newMemberId, E.MEMBER_ID_REQUIRED));
    } else {
      this.addMemberAndRebalance(group, newMemberId, req, respond);
    }
  }

  private doCurrentMemberJoinGroup(group: Group, memberId: string, req: JoinRequest, respond: JoinCallback): void {
    if (group.is(GroupState.Dead)) return respond(joinError(memberId, E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return respond(joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL));
    if (group.pendingMembers.has(memberId)) {
      // The second join of a member that got MEMBER_ID_REQUIRED.
      return this.addMemberAndRebalance(group, memberId, { ...req, groupInstanceId: null }, respond);
    }
    const instanceId = req.groupInstanceId;
    if (group.isStaticMemberFenced(instanceId, memberId)) return respond(joinError(memberId, E.FENCED_INSTANCE_ID));
    if (!group.has(memberId) || (instanceId !== null && !group.hasStaticMember(instanceId))) {
      return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    }
    const member = group.get(memberId);
    switch (group.state) {
      case GroupState.PreparingRebalance:
        return this.updateMemberAndRebalance(group, member, req, respond);
      case GroupState.CompletingRebalance:
        // Same metadata: the member probably missed its JoinGroup response; resend it.
        if (member.matches(req.protocols)) return respond(this.currentJoinResult(group, member));
        return this.updateMemberAndRebalance(group, member, req, respond);
      case GroupState.Stable:
        // A leader's rejoin forces a rebalance (e.g. topic metadata changed); so do changed protocols.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) return this.updateMemberAndRebalance(group, member, req, respond);
        return respond({ ...this.currentJoinResult(group, member), members: [] });
      case GroupState.Empty:
      case GroupState.Dead:
        return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    }
  }

  private addMemberAndRebalance(group: Group, memberId: string, req: JoinRequest, respond: JoinCallback): void {
    const member = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      req.protocols,
    );
    member.isNew = true;
    // A member joining during the first rebalance extends the initial delay.
    if (group.is(GroupState.PreparingRebalance) && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, respond);
    // New members cannot heartbeat until they get their JoinGroup response; bound the wait.
    this.scheduleHeartbeatExpiration(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest, respond: JoinCallback): void {
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    this.maybePrepareRebalance(group);
  }

  private updateStaticMemberAndRebalance(
    group: Group,
    instanceId: string,
    oldMemberId: string,
    newMemberId: string,
    req: JoinRequest,
    respond: JoinCallback,
  ): void {
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.scheduleHeartbeatExpiration(group, member);
    const old = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs };
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    switch (group.state) {
      case GroupState.Stable: {
        if (group.protocolName !== group.selectProtocol()) return this.maybePrepareRebalance(group);
        // Same protocol: persist the new member id and answer without a rebalance. The
        // response names the old leader id so the member does not think it must assign.
        const generation = group.generationId;
        const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
        const unchanged = () => group.is(GroupState.Stable) && group.generationId === generation && group.members.get(newMemberId) === member;
        this.manager.storeGroup(group, assignment).then(
          () => {
            if (!unchanged()) return;
            group.maybeInvokeJoinCallback(member, {
              errorCode: E.NONE,
              generationId: group.generationId,
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              leader: currentLeader ?? '',
              memberId: newMemberId,
              members: [],
            });
          },
          () => {
            // If a rebalance started meanwhile, the member's JoinGroup now belongs to it.
            if (!unchanged()) return;
            // Not persisted: put the old member id back.
            group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null);
            group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
            this.scheduleHeartbeatExpiration(group, member);
            respond(joinError(newMemberId, E.COORDINATOR_NOT_AVAILABLE));
          },
        ).catch(this.logContinuationError);
        return;
      }
      case GroupState.CompletingRebalance:
        // The leader may be assigning to the old member id; start over.
        return this.prepareRebalance(group);
      case GroupState.PreparingRebalance:
        return;
      case GroupState.Empty:
      case GroupState.Dead:
        throw new Error(`group ${group.groupId}: static member replaced in state ${group.state}`);
    }
  }

  private currentJoinResult(group: Group, member: Member): JoinGroupResult {
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: group.isLeader(member.memberId) ? group.currentMemberMetadata() : [],
    };
  }

  // ================================================================ rebalance machinery

  private maybePrepareRebalance(group: Group): void {
    if (group.canRebalance) this.prepareRebalance(group);
  }

  private prepareRebalance(group: Group): void {
    // Members waiting for an assignment must rejoin instead.
    if (group.is(GroupState.CompletingRebalance)) this.resetAndPropagateAssignmentError(group, E.REBALANCE_IN_PROGRESS);
    group.syncTimer?.cancel();
    group.syncTimer = null;
    const wasEmpty = group.is(GroupState.Empty);
    const rebalanceTimeoutMs = group.rebalanceTimeoutMs;
    group.transitionTo(GroupState.PreparingRebalance, this.clock.now());
    if (wasEmpty) {
      const delay = this.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialDelayedJoin(group, delay, Math.max(rebalanceTimeoutMs - delay, 0));
    } else {
      this.scheduleDelayedJoin(group, rebalanceTimeoutMs);
    }
    this.tryCompleteJoin(group);
  }

  /** Kafka's DelayedJoin: completes early when all members joined, else at the timeout. */
  private scheduleDelayedJoin(group: Group, timeoutMs: number): void {
    group.pendingJoin?.timer.cancel();
    const phase = {
      initialDelay: false,
      timer: this.schedule(timeoutMs, () => {
        if (group.pendingJoin !== phase) return;
        group.pendingJoin = null;
        this.onCompleteJoin(group);
      }),
    };
    group.pendingJoin = phase;
  }

  /**
   * Kafka's InitialDelayedJoin: never completes early; when it fires and new members
   * arrived meanwhile, waits again (min(initial delay, remaining)) until `remainingMs`
   * of the rebalance timeout is used up.
   */
  private scheduleInitialDelayedJoin(group: Group, delayMs: number, remainingMs: number): void {
    group.pendingJoin?.timer.cancel();
    const phase = {
      initialDelay: true,
      timer: this.schedule(delayMs, () => {
        if (group.pendingJoin !== phase) return;
        group.pendingJoin = null;
        if (group.newMemberAdded && remainingMs !== 0) {
          group.newMemberAdded = false;
          const delay = Math.min(this.config.groupInitialRebalanceDelayMs, remainingMs);
          this.scheduleInitialDelayedJoin(group, delay, Math.max(remainingMs - delayMs, 0));
        } else {
          this.onCompleteJoin(group);
        }
      }),
    };
    group.pendingJoin = phase;
  }

  private tryCompleteJoin(group: Group): void {
    const phase = group.pendingJoin;
    if (!phase || phase.initialDelay || !group.is(GroupState.PreparingRebalance)) return;
    if (!group.hasAllMembersJoined()) return;
    phase.timer.cancel();
    group.pendingJoin = null;
    this.onCompleteJoin(group);
  }

  private onCompleteJoin(group: Group): void {
    if (!group.is(GroupState.PreparingRebalance)) return;
    // Dynamic members that did not rejoin in time are gone; static ones may still come back.
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      group.maybeInvokeSyncCallback(m, syncError(E.UNKNOWN_MEMBER_ID));
      group.remove(m.memberId);
    }
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      // Only static members that have not rejoined remain: wait another round for them
      // (their session timeouts will remove them if they are gone).
      this.scheduleDelayedJoin(group, group.rebalanceTimeoutMs);
      return;
    }
    const now = this.clock.now();
    group.initNextGeneration(now);
    group.newMemberAdded = false;
    if (group.is(GroupState.Empty)) {
      // Persist the empty generation; failure is harmless (no members rely on it).
      this.manager.storeGroup(group, new Map()).catch(() => undefined);
      return;
    }
    for (const member of group.members.values()) {
      group.maybeInvokeJoinCallback(member, this.currentJoinResult(group, member));
      this.scheduleHeartbeatExpiration(group, member);
      member.isNew = false;
      group.pendingSyncMembers.add(member.memberId);
    }
    this.schedulePendingSync(group);
  }

  /** Members must send SyncGroup within the rebalance timeout or be removed. */
  private schedulePendingSync(group: Group): void {
    group.syncTimer?.cancel();
    const generation = group.generationId;
    group.syncTimer = this.schedule(group.rebalanceTimeoutMs, () => {
      group.syncTimer = null;
      if (generation !== group.generationId) return;
      if (!group.is(GroupState.CompletingRebalance) && !group.is(GroupState.Stable)) return;
      if (group.pendingSyncMembers.size === 0) return;
      for (const memberId of [...group.pendingSyncMembers]) {
        const m = group.members.get(memberId);
        if (m) group.maybeInvokeSyncCallback(m, syncError(E.UNKNOWN_MEMBER_ID));
        group.remove(memberId);
      }
      this.prepareRebalance(group);
    });
  }

  private removePendingSyncMember(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) {
      group.syncTimer?.cancel();
      group.syncTimer = null;
    }
  }

  private resetAndPropagateAssignmentError(group: Group, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_BUFFER;
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: Group, errorCode: number): void {
    const ok = errorCode === E.NONE;
    for (const m of group.members.values()) {
      if (!m.isAwaitingSync) continue;
      group.maybeInvokeSyncCallback(m, {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      });
      // Expiry is suspended while awaiting sync; re-arm the session timer.
      this.scheduleHeartbeatExpiration(group, m);
    }
  }

  // ================================================================ session timers

  /** Restarts the member's session timer (`timeoutMs`, default its session timeout). */
  private scheduleHeartbeatExpiration(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatSatisfied = false;
    member.heartbeatTimer = this.schedule(timeoutMs, () => {
      member.heartbeatTimer = null;
      if (group.is(GroupState.Dead) || group.members.get(member.memberId) !== member) return;
      if (!member.hasSatisfiedHeartbeat) this.removeMemberAndUpdateGroup(group, member);
    });
  }

  private schedulePendingMemberExpiration(group: Group, memberId: string, timeoutMs: number): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.set(
      memberId,
      this.schedule(timeoutMs, () => {
        if (group.pendingMembers.has(memberId)) this.removePendingMemberAndUpdateGroup(group, memberId);
      }),
    );
  }

  private removePendingMemberAndUpdateGroup(group: Group, memberId: string): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.delete(memberId);
    if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member): void {
    // A new member may still have its JoinGroup pending: tell it to start over.
    group.maybeInvokeJoinCallback(member, joinError('', E.UNKNOWN_MEMBER_ID));
    group.maybeInvokeSyncCallback(member, syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    switch (group.state) {
      case GroupState.Stable:
      case GroupState.CompletingRebalance:
        return this.maybePrepareRebalance(group);
      case GroupState.PreparingRebalance:
        return this.tryCompleteJoin(group);
      case GroupState.Empty:
      case GroupState.Dead:
        return;
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
      : (this.validateCurrentMember(group, input.memberId, instanceId) ??
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
        this.removePendingSyncMember(group, member.memberId);
        this.scheduleHeartbeatExpiration(group, member);
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
          this.removePendingSyncMember(group, member.memberId);
          if (group.isLeader(member.memberId)) this.storeLeaderAssignment(group, input.assignments);
        });
      case GroupState.Dead:
        return Promise.resolve(syncError(E.COORDINATOR_NOT_AVAILABLE));
    }
  }

  private storeLeaderAssignment(group: Group, assignments: SyncGroupInput['assignments']): void {
    const assignment = new Map<string, Buffer>();
    for (const m of group.members.values()) assignment.set(m.memberId, EMPTY_BUFFER);
    for (const a of assignments) if (assignment.has(a.memberId)) assignment.set(a.memberId, a.assignment);
    const generation = group.generationId;
    const stillCurrent = () => group.is(GroupState.CompletingRebalance) && group.generationId === generation;
    this.manager.storeGroup(group, assignment).then(
      () => {
        if (!stillCurrent()) return;
        for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BUFFER;
        this.propagateAssignment(group, E.NONE);
        group.transitionTo(GroupState.Stable, this.clock.now());
      },
      () => {
        if (!stillCurrent()) return;
        this.resetAndPropagateAssignmentError(group, E.COORDINATOR_NOT_AVAILABLE);
        this.maybePrepareRebalance(group);
      },
    ).catch(this.logContinuationError);
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
    const memberError = this.validateCurrentMember(group, input.memberId, input.groupInstanceId ?? null);
    if (memberError !== null) return { errorCode: memberError };
    if (input.generationId !== group.generationId) return { errorCode: E.ILLEGAL_GENERATION };
    const member = group.get(input.memberId);
    switch (group.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return { errorCode: E.UNKNOWN_MEMBER_ID };
      case GroupState.CompletingRebalance:
      case GroupState.Stable:
        this.scheduleHeartbeatExpiration(group, member);
        return { errorCode: E.NONE };
      case GroupState.PreparingRebalance:
        this.scheduleHeartbeatExpiration(group, member);
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
        else this.removeMemberAndUpdateGroup(group, group.get(current));
      } else if (group.pendingMembers.has(m.memberId)) {
        this.removePendingMemberAndUpdateGroup(group, m.memberId);
      } else {
        errorCode = this.validateCurrentMember(group, m.memberId, m.groupInstanceId) ?? E.NONE;
        if (errorCode === E.NONE) this.removeMemberAndUpdateGroup(group, group.get(m.memberId));
      }
      return { ...m, errorCode };
    });
    return { errorCode: E.NONE, members };
  }

  // ================================================================ DescribeGroups / ListGroups / DeleteGroups

  /** DescribeGroups v0-v5: unknown groups are described as Dead with no error. */
  describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const dead: DescribedGroup = { errorCode: E.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      const statusError = this.validateGroupStatus(groupId, false);
      if (statusError !== null) return { ...dead, errorCode: statusError, groupState: 'Dead' };
      const group = this.manager.getGroup(groupId);
      if (!group) return dead;
      const stable = group.is(GroupState.Stable) && group.protocolName !== null;
      const protocol = group.protocolName ?? '';
      return {
        errorCode: E.NONE,
        groupId,
        groupState: group.state as GroupStateName,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? protocol : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadata(protocol) : EMPTY_BUFFER,
          memberAssignment: stable ? m.assignment : EMPTY_BUFFER,
        })),
      };
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
      group.transitionTo(GroupState.Dead, this.clock.now());
      try {
        await this.manager.appendGroupTombstones(group);
      } catch {
        // Dead -> Empty is outside the state machine: the deletion never happened.
        group.state = GroupState.Empty;
        return { groupId, errorCode: E.COORDINATOR_NOT_AVAILABLE };
      }
      this.manager.removeGroup(group);
      group.offsets.clear();
      return { groupId, errorCode: E.NONE };
    });
    return Promise.all(results);
  }

  // ================================================================ OffsetCommit / OffsetFetch

  /**
   * OffsetCommit v2-v8. generationId -1 with memberId '' is a simple commit (allowed only
   * while the group is Empty; creates the group if unknown). Otherwise member id and
   * generation must match (ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID).
   * Resolves after the records are appended; topic existence is the caller's check.
   */
  async commitOffsets(input: OffsetCommitInput): Promise<OffsetCommitResult> {
    const all = (errorCode: number): OffsetCommitResult => ({
      topics: input.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    const statusError = this.validateGroupStatus(input.groupId, false);
    if (statusError !== null) return all(statusError);
    const instanceId = input.groupInstanceId ?? null;
    let group = this.manager.getGroup(input.groupId);
    if (!group) {
      // No group: fine for standalone consumers; otherwise a commit from a lost generation.
      if (input.generationId >= 0) return all(E.ILLEGAL_GENERATION);
      group = this.manager.addGroup(new Group(input.groupId, GroupState.Empty, this.clock.now()));
    }
    let error: number | null = null;
    if (group.is(GroupState.Dead)) error = E.COORDINATOR_NOT_AVAILABLE;
    else if (input.generationId >= 0 || input.memberId !== '' || instanceId !== null) {
      error = this.validateCurrentMember(group, input.memberId, instanceId);
      if (error === null && input.generationId !== group.generationId) error = E.ILLEGAL_GENERATION;
    } else if (!group.is(GroupState.Empty)) {
      // Only members may commit while the group has members.
      error = E.UNKNOWN_MEMBER_ID;
    }
    if (error !== null) return all(error);
    if (group.is(GroupState.CompletingRebalance)) return all(E.REBALANCE_IN_PROGRESS);
    if (group.is(GroupState.Stable) || group.is(GroupState.PreparingRebalance)) {
      // A commit counts as a sign of life; the rebalance signal comes with the next heartbeat.
      this.scheduleHeartbeatExpiration(group, group.get(input.memberId));
    }

    const now = this.clock.now();
    const expireTimestamp = input.retentionTimeMs === undefined || input.retentionTimeMs === -1 ? null : now + input.retentionTimeMs;
    const errors = new Map<string, number>();
    const entries: { topic: string; partition: number; value: CommittedOffset }[] = [];
    for (const t of input.topics) {
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? '';
        if (metadata.length > this.config.offsetMetadataMaxBytes) {
          errors.set(`${p.partitionIndex}:${t.name}`, E.OFFSET_METADATA_TOO_LARGE);
          continue;
        }
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata, commitTimestamp: now, expireTimestamp },
        });
      }
    }
    let appendError: number = E.NONE;
    try {
      await this.manager.storeOffsets(group, entries);
    } catch {
      appendError = E.COORDINATOR_NOT_AVAILABLE;
    }
    return {
      topics: input.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(`${p.partitionIndex}:${t.name}`) ?? appendError,
        })),
      })),
    };
  }

  /**
   * OffsetFetch v1-v8 for one group. Offsets are returned whatever the group state
   * (standalone consumers have no membership). `topics: null` returns every committed
   * partition; requested partitions without a commit get offset -1 and metadata ''.
   */
  fetchOffsets(input: OffsetFetchInput): OffsetFetchResult {
    const none = (partitionIndex: number, errorCode: number): OffsetFetchPartition => ({
      partitionIndex,
      committedOffset: -1,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode,
    });
    const statusError = this.validateGroupStatus(input.groupId, false);
    if (statusError !== null) {
      return {
        errorCode: statusError,
        topics: (input.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => none(p, statusError)) })),
      };
    }
    const group = this.manager.getGroup(input.groupId);
    const live = group && !group.is(GroupState.Dead) ? group : undefined;
    const toPartition = (partitionIndex: number, o: CommittedOffset): OffsetFetchPartition => ({
      partitionIndex,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: E.NONE,
    });
    if (input.topics === null) {
      const byTopic = new Map<string, OffsetFetchPartition[]>();
      for (const e of live?.offsets.entries() ?? []) {
        const list = byTopic.get(e.topic) ?? [];
        list.push(toPartition(e.partition, e.value));
        byTopic.set(e.topic, list);
      }
      return { errorCode: E.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    }
    return {
      errorCode: E.NONE,
      topics: input.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => {
          const o = live?.offsets.get(t.name, p);
          return o ? toPartition(p, o) : none(p, E.NONE);
        }),
      })),
    };
  }

  // ================================================================ offset expiration

  /** Removes offsets past offsets.retention.minutes now; returns how many. Runs periodically after load. */
  async cleanupExpiredOffsets(): Promise<number> {
    if (this.statusValue !== 'active') return 0;
    return this.manager.cleanupExpiredOffsets(this.clock.now(), this.config.offsetsRetentionMinutes * 60_000);
  }

  private scheduleOffsetExpiration(): void {
    this.expirationTask = this.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      this.expirationTask = null;
      void this.cleanupExpiredOffsets()
        .catch((err: unknown) => this.logger.error('offset expiration failed', err))
        .then(() => {
          if (this.statusValue === 'active' && this.expirationTask === null) this.scheduleOffsetExpiration();
        });
    });
  }

  /** Schedules a timer task; an exception in it is logged instead of crashing the process. */
  private schedule(delayMs: number, task: () => void): ScheduledTask {
    return this.clock.schedule(delayMs, () => {
      try {
        task();
      } catch (err) {
        this.logger.error('timer task failed', err);
      }
    });
  }

  /** Logs a failure in a continuation that runs after a log append. */
  private readonly logContinuationError = (err: unknown): void => this.logger.error('continuation after log append failed', err);

  // ================================================================ validation

  /**
   * INVALID_GROUP_ID for a missing id (or '' where the API requires one), NOT_COORDINATOR
   * after shutdown, COORDINATOR_LOAD_IN_PROGRESS before `load` finished; else null.
   */
  private validateGroupStatus(groupId: string | null | undefined, requireNonEmpty: boolean): number | null {
    if (groupId === null || groupId === undefined || (requireNonEmpty && groupId === '')) return E.INVALID_GROUP_ID;
    if (this.statusValue === 'shutdown') return E.NOT_COORDINATOR;
    if (this.statusValue === 'loading') return E.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  private validateCurrentMember(group: Group, memberId: string, groupInstanceId: string | null): number | null {
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return E.FENCED_INSTANCE_ID;
    if (!group.has(memberId)) return E.UNKNOWN_MEMBER_ID;
    return null;
  }
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER };
}
