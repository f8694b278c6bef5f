import { randomUUID } from 'node:crypto';
import { ErrorCode as E } from '@millrace/protocol';
import type { CoordinatorClock } from './coordinator-clock';
import type { GroupCoordinatorConfig } from './group-coordinator.config';
import type { HeartbeatInput, HeartbeatResult, JoinGroupInput, JoinGroupResult, LeaveGroupInput, LeaveGroupResult, SyncGroupInput, SyncGroupResult } from './group-coordinator.types';
import { Group, joinError } from './group';
import type { GroupMetadataManager } from './group-metadata-manager';
import { type GroupRebalancer, type JoinCallback, type JoinRequest, syncError } from './group-rebalancer';
import { GroupState } from './group-state';
import { type CoordinatorStatus, validateCurrentMember, validateGroupStatus } from './group-validation';

/**
 * The membership side of the group coordinator: JoinGroup, SyncGroup, Heartbeat and
 * LeaveGroup, each validated against the coordinator's status (`status`, per group) and
 * the group's state and member, then routed to GroupRebalancer (join phase, generations,
 * delayed operations). GroupCoordinator owns one and forwards these APIs to it, as it does
 * the offset APIs to GroupOffsets.
 *
 * Same concurrency contract as GroupCoordinator: event-loop only, no method rejects,
 * failures are Kafka error codes; pending JoinGroup and SyncGroup promises always settle.
 */
export class GroupMemberRequests {
  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly manager: GroupMetadataManager,
    private readonly rebalancer: GroupRebalancer,
    private readonly clock: CoordinatorClock,
    private readonly status: (groupId?: string | null) => CoordinatorStatus,
  ) {}

  // ================================================================ JoinGroup

  /** JoinGroup v0-v5. Resolves when the group's join phase completes (or at once on error). */
  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    const memberId = input.memberId ?? '';
    const statusError = this.validateStatus(input.groupId, true);
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
    const statusError = this.validateStatus(input.groupId, true);
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
    const statusError = this.validateStatus(input.groupId, true);
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
    const statusError = this.validateStatus(input.groupId, true);
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

  private validateStatus(groupId: string | null | undefined, requireNonEmpty: boolean): number | null {
    return validateGroupStatus(this.status(groupId), groupId, requireNonEmpty);
  }
}
