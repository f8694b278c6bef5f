import { decodeConsumerSubscription, ErrorCode } from '@millrace/protocol';
import { CommittedOffsets } from './committed-offsets';
import { ScheduledTask } from './coordinator-clock';
import { JoinGroupProtocol, JoinGroupResponseMember, JoinGroupResult, SyncGroupResult } from './group-coordinator.types';
import { GroupState, isValidTransition } from './group-state';
import { EMPTY_BUFFER, Member } from './member';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * Membership and state of one group (Kafka's GroupMetadata). Pure bookkeeping: no I/O
 * and no timers of its own — the coordinator (GroupRebalancer, DelayedHeartbeats)
 * drives transitions and owns the timer handles stored here. The states and their
 * transitions are in group-state.ts; the group as a `__consumer_offsets` record in
 * group-record.ts.
 *
 * Invariants:
 * - `leaderId` is null iff `members` is empty; it is always a key of `members`.
 * - `numMembersAwaitingJoin` = number of members with a pending JoinGroup response.
 * - `supportedProtocols[name]` = number of members listing protocol `name`.
 * - `staticMembers` maps each static member's group.instance.id to its current member id.
 * - `pendingMembers` are member ids handed out with MEMBER_ID_REQUIRED that have not
 *   joined yet; they are not in `members`, and a rebalance waits for them.
 * - `pendingSyncMembers` are members sent a JoinGroup response for the current
 *   generation that have not sent SyncGroup yet.
 * Concurrency: Node runs one task at a time; callers must re-check state after any await.
 */
export class Group {
  state: GroupState;
  /** When the group entered its current state (ms); null when unknown (loaded from old records). */
  currentStateTimestamp: number | null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Topics subscribed by a `consumer` group's members, when decodable; null = unknown. */
  subscribedTopics: Set<string> | null = null;
  readonly members = new Map<string, Member>();
  /** Member id -> session timer of a pending (MEMBER_ID_REQUIRED) member. */
  readonly pendingMembers = new Map<string, ScheduledTask | null>();
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  /** Set when a member joins during the first rebalance; extends the initial delay. */
  newMemberAdded = false;
  /**
   * The timer that ends the join phase of PreparingRebalance: the rebalance timeout, or
   * (`initialDelay`) group.initial.rebalance.delay.ms for a group that was Empty. Only a
   * non-initial phase may end early, when every member has rejoined.
   */
  pendingJoin: { timer: ScheduledTask; initialDelay: boolean } | null = null;
  /** The pending "members must sync" timer of CompletingRebalance/Stable. */
  syncTimer: ScheduledTask | null = null;
  readonly offsets = new CommittedOffsets();

  private readonly staticMembers = new Map<string, string>();
  private readonly supportedProtocols = new Map<string, number>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    now: number | null,
  ) {
    this.state = initialState;
    this.currentStateTimestamp = now;
  }

  is(state: GroupState): boolean {
    return this.state === state;
  }

  /** Throws if Kafka's state machine does not allow `this.state -> target`. */
  transitionTo(target: GroupState, now: number): void {
    if (!isValidTransition(this.state, target)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${target}`);
    }
    this.state = target;
    this.currentStateTimestamp = now;
  }

  get canRebalance(): boolean {
    return isValidTransition(this.state, GroupState.PreparingRebalance);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): Member {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Largest rebalance timeout among members (0 when there are none). */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  // -------------------------------------------------------------- membership

  add(member: Member, onJoin: ((r: JoinGroupResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.pendingMembers.get(member.memberId)?.cancel();
    this.pendingMembers.delete(member.memberId);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.countProtocols(member.protocols, +1);
    member.awaitingJoin = onJoin;
    if (onJoin) this.numMembersAwaitingJoin++;
  }

  /** Removes a member; cancels its session timer. The caller answers its pending requests first. */
  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    this.countProtocols(member.protocols, -1);
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSyncMembers.delete(memberId);
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    return member;
  }

  /** Replaces a member's protocols/timeouts and (re)registers its pending JoinGroup. */
  updateMember(
    member: Member,
    protocols: JoinGroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    onJoin: ((r: JoinGroupResult) => void) | null,
  ): void {
    this.countProtocols(member.protocols, -1);
    this.countProtocols(protocols, +1);
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (onJoin) {
      if (member.awaitingJoin) {
        // A second JoinGroup while one is pending: the older request is superseded.
        member.awaitingJoin(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
      } else {
        this.numMembersAwaitingJoin++;
      }
      member.awaitingJoin = onJoin;
    } else if (member.awaitingJoin) {
      this.numMembersAwaitingJoin--;
      member.awaitingJoin = null;
    }
  }

  /** Answers the member's pending JoinGroup, if any. */
  maybeInvokeJoinCallback(member: Member, result: JoinGroupResult): void {
    const cb = member.awaitingJoin;
    if (!cb) return;
    member.awaitingJoin = null;
    this.numMembersAwaitingJoin--;
    cb(result);
  }

  /** Answers the member's pending SyncGroup, if any. */
  maybeInvokeSyncCallback(member: Member, result: SyncGroupResult): void {
    const cb = member.awaitingSync;
    if (!cb) return;
    member.awaitingSync = null;
    cb(result);
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): Member[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /**
   * If the leader did not rejoin, makes the first member that did the leader.
   * Returns false when no member has rejoined (or there are no members).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    const joined = [...this.members.values()].find((m) => m.isAwaitingJoin);
    if (!joined) return false;
    this.leaderId = joined.memberId;
    return true;
  }

  // -------------------------------------------------------------- static membership

  hasStaticMember(groupInstanceId: string | null): boolean {
    return groupInstanceId !== null && this.staticMembers.has(groupInstanceId);
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** A known instance id presented with a member id other than its current one. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  /**
   * Gives the static member `groupInstanceId` the id `newMemberId`. Pending requests of the
   * old id are answered FENCED_INSTANCE_ID (a zombie with the old id must not proceed).
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.members.get(oldMemberId);
    if (!member) throw new Error(`group ${this.groupId}: static member ${oldMemberId} not found`);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.maybeInvokeSyncCallback(member, { errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER });
    // Re-insert under the new id at the same position (keeps member order stable).
    const entries = [...this.members.entries()];
    this.members.clear();
    for (const [id, m] of entries) this.members.set(id === oldMemberId ? newMemberId : id, m);
    member.memberId = newMemberId;
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  // -------------------------------------------------------------- protocols

  /** Whether a member with these protocols may join (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, protocols: JoinGroupProtocol[]): boolean {
    if (this.is(GroupState.Empty)) return protocolType.length > 0 && protocols.length > 0;
    return (
      this.protocolType === protocolType &&
      protocols.some((p) => (this.supportedProtocols.get(p.name) ?? 0) === this.members.size)
    );
  }

  /**
   * The protocol supported by every member that most members prefer: each member votes
   * for its most preferred protocol among the common ones; most votes wins, ties go to
   * the protocol the earliest-joined voter chose.
   */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    if (candidates.size === 0) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  private countProtocols(protocols: JoinGroupProtocol[], delta: number): void {
    for (const p of protocols) {
      const n = (this.supportedProtocols.get(p.name) ?? 0) + delta;
      if (n > 0) this.supportedProtocols.set(p.name, n);
      else this.supportedProtocols.delete(p.name);
    }
  }

  /**
   * Starts the next generation after the join phase: Empty when nobody is left,
   * otherwise CompletingRebalance with a freshly selected protocol.
   */
  initNextGeneration(now: number): void {
    this.generationId++;
    this.pendingSyncMembers.clear();
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance, now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = null;
      this.transitionTo(GroupState.Empty, now);
    }
  }

  /** The union of topics in members' consumer subscriptions, or null if not a decodable consumer group. */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null || this.members.size === 0) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        for (const t of decodeConsumerSubscription(m.metadata(this.protocolName)).value.topics) topics.add(t);
      }
    } catch {
      return null;
    }
    return topics;
  }

  /** Members and their metadata for the selected protocol (the leader's JoinGroup response). */
  currentMemberMetadata(): JoinGroupResponseMember[] {
    const protocol = this.protocolName;
    if (protocol === null || this.is(GroupState.Dead) || this.is(GroupState.PreparingRebalance)) {
      throw new Error(`group ${this.groupId}: member metadata requested in state ${this.state}`);
    }
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(protocol),
    }));
  }
}

/** A JoinGroup error response for `memberId`. */
export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}
