import { ErrorCode as E } from '@millrace/protocol';
import { CoordinatorClock, ScheduledTask, scheduleGuarded } from './coordinator-clock';
import { DelayedHeartbeats } from './delayed-heartbeat';
import { GroupCoordinatorConfig } from './group-coordinator.config';
import { JoinGroupInput, JoinGroupResult, SyncGroupInput, SyncGroupResult } from './group-coordinator.types';
import { Group, joinError } from './group';
import { GroupState } from './group-state';
import { GroupMetadataManager } from './group-metadata-manager';
import { EMPTY_BUFFER, Member } from './member';

/** Answers a held JoinGroup. */
export type JoinCallback = (result: JoinGroupResult) => void;

/** A validated JoinGroup, with the rebalance timeout defaulted (v0: the session timeout). */
export interface JoinRequest {
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupInput['protocols'];
}

/**
 * The rebalance half of Kafka's classic group coordinator: the transitions between
 * PreparingRebalance, CompletingRebalance and Stable, and the delayed operations that
 * drive them, each a timer handle stored on the group or member it guards:
 *
 * - DelayedJoin (`group.pendingJoin`): ends the join phase when every known member has
 *   rejoined, or when the rebalance timeout (largest member rebalance.timeout.ms)
 *   expires — dynamic members that did not rejoin are then removed.
 * - InitialDelayedJoin (`group.pendingJoin`, `initialDelay`): a group that was Empty
 *   waits group.initial.rebalance.delay.ms instead, never ending early, and waits again
 *   (up to the rebalance timeout) while new members keep arriving.
 * - DelayedSync (`group.syncTimer`): members sent a JoinGroup response must send
 *   SyncGroup within the rebalance timeout, or are removed and a new rebalance starts.
 * - DelayedHeartbeat (delayed-heartbeat.ts): a member that does not heartbeat within its
 *   session timeout is removed, and so is an unused MEMBER_ID_REQUIRED member id.
 *
 * When the join phase ends the next generation starts (Group.initNextGeneration), every
 * member gets its JoinGroup response, and the group stays CompletingRebalance until the
 * leader's assignment is persisted and propagated (Stable).
 *
 * Contract: a timer or a continuation after a log append only acts if the state it was
 * armed for still holds (same handle stored, same group state and generation); replacing
 * or cancelling a handle disarms it. Methods return without awaiting; timer tasks never
 * throw (errors go to `onError`).
 */
export class GroupRebalancer {
  private readonly heartbeats: DelayedHeartbeats;

  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly manager: GroupMetadataManager,
    private readonly clock: CoordinatorClock,
    private readonly onError: (message: string, err: unknown) => void,
  ) {
    const expiry = {
      memberExpired: (group: Group, member: Member) => this.removeMemberAndUpdateGroup(group, member),
      pendingMemberExpired: (group: Group, memberId: string) => this.removePendingMemberAndUpdateGroup(group, memberId),
    };
    this.heartbeats = new DelayedHeartbeats(clock, expiry, onError);
  }

  /** Adds a new member and starts (or joins) a rebalance; its JoinGroup waits for the join phase. */
  addMemberAndRebalance(group: Group, memberId: string, req: JoinRequest, respond: JoinCallback): void {
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

  /** A known member rejoined (possibly with new protocols): rebalance. */
  updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest, respond: JoinCallback): void {
    group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    this.maybePrepareRebalance(group);
  }

  /**
   * A static member rejoined with a new member id: it takes over its old entry (the old
   * id is fenced). A Stable group whose selected protocol does not change persists the
   * new id and answers without a rebalance; otherwise the group rebalances.
   */
  updateStaticMemberAndRebalance(
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

  /**
   * The leader's SyncGroup in CompletingRebalance: persists the assignment (members it
   * names no assignment for get an empty one), then answers every held SyncGroup and the
   * group is Stable; if the append fails they get COORDINATOR_NOT_AVAILABLE and the
   * group rebalances.
   */
  storeLeaderAssignment(group: Group, assignments: SyncGroupInput['assignments']): void {
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

  maybePrepareRebalance(group: Group): void {
    if (group.canRebalance) this.prepareRebalance(group);
  }

  prepareRebalance(group: Group): void {
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

  /** Ends a (non-initial) join phase at once if every member has rejoined. */
  tryCompleteJoin(group: Group): void {
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

  /** The JoinGroup response for `member` in the group's current generation. */
  currentJoinResult(group: Group, member: Member): JoinGroupResult {
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

  /** Kafka's DelayedSync: members must send SyncGroup within the rebalance timeout or be removed. */
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

  removePendingSyncMember(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) {
      group.syncTimer?.cancel();
      group.syncTimer = null;
    }
  }

  resetAndPropagateAssignmentError(group: Group, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_BUFFER;
    this.propagateAssignment(group, errorCode);
  }

  /** Answers every pending SyncGroup with `errorCode` and, on success, the member's assignment. */
  propagateAssignment(group: Group, errorCode: number): void {
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

  /** Restarts the member's session timer (DelayedHeartbeat; `timeoutMs` defaults to its session timeout). */
  scheduleHeartbeatExpiration(group: Group, member: Member, timeoutMs?: number): void {
    this.heartbeats.schedule(group, member, timeoutMs);
  }

  schedulePendingMemberExpiration(group: Group, memberId: string, timeoutMs: number): void {
    this.heartbeats.schedulePending(group, memberId, timeoutMs);
  }

  removePendingMemberAndUpdateGroup(group: Group, memberId: string): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.delete(memberId);
    if (group.is(GroupState.PreparingRebalance)) this.tryCompleteJoin(group);
  }

  removeMemberAndUpdateGroup(group: Group, member: Member): void {
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

  /** Disarms every delayed operation of `group` and answers its pending requests with `errorCode` (shutdown). */
  cancelAll(group: Group, errorCode: number): void {
    group.pendingJoin?.timer.cancel();
    group.pendingJoin = null;
    group.syncTimer?.cancel();
    group.syncTimer = null;
    for (const t of group.pendingMembers.values()) t?.cancel();
    group.pendingMembers.clear();
    for (const m of group.members.values()) {
      m.heartbeatTimer?.cancel();
      m.heartbeatTimer = null;
      group.maybeInvokeJoinCallback(m, joinError(m.memberId, errorCode));
      group.maybeInvokeSyncCallback(m, syncError(errorCode));
    }
  }

  private readonly logContinuationError = (err: unknown): void => this.onError('continuation after log append failed', err);

  private schedule(delayMs: number, task: () => void): ScheduledTask {
    return scheduleGuarded(this.clock, delayMs, task, (err) => this.onError('timer task failed', err));
  }
}

/** A SyncGroup error response. */
export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER };
}
