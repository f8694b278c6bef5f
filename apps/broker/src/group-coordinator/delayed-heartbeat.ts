import { CoordinatorClock, ScheduledTask, scheduleGuarded } from './coordinator-clock';
import type { Group } from './group';
import { GroupState } from './group-state';
import { Member } from './member';

/** What a DelayedHeartbeat does when it expires: the rebalancer's member removals. */
export interface HeartbeatExpiry {
  /** `member` sent no heartbeat within its timeout (and is not exempt, see Member.hasSatisfiedHeartbeat). */
  memberExpired(group: Group, member: Member): void;
  /** A member id handed out with MEMBER_ID_REQUIRED was not used to join in time. */
  pendingMemberExpired(group: Group, memberId: string): void;
}

/**
 * Kafka's DelayedHeartbeat: one session timer per member (`member.heartbeatTimer`) and
 * per pending member id (`group.pendingMembers`).
 *
 * Contract: arming a timer replaces (cancels) the previous one of the same member, and a
 * timer that fires only acts if the group is not Dead and the member (or pending id) is
 * still the one it was armed for. Timer tasks never throw (errors go to `onError`).
 */
export class DelayedHeartbeats {
  constructor(
    private readonly clock: CoordinatorClock,
    private readonly expiry: HeartbeatExpiry,
    private readonly onError: (message: string, err: unknown) => void,
  ) {}

  /** Restarts the member's session timer (`timeoutMs`, default its session timeout). */
  schedule(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatSatisfied = false;
    member.heartbeatTimer = this.guarded(timeoutMs, () => {
      member.heartbeatTimer = null;
      if (group.is(GroupState.Dead) || group.members.get(member.memberId) !== member) return;
      if (!member.hasSatisfiedHeartbeat) this.expiry.memberExpired(group, member);
    });
  }

  /** The session timer of a member id handed out with MEMBER_ID_REQUIRED that has not joined yet. */
  schedulePending(group: Group, memberId: string, timeoutMs: number): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.set(
      memberId,
      this.guarded(timeoutMs, () => {
        if (group.pendingMembers.has(memberId)) this.expiry.pendingMemberExpired(group, memberId);
      }),
    );
  }

  private guarded(delayMs: number, task: () => void): ScheduledTask {
    return scheduleGuarded(this.clock, delayMs, task, (err) => this.onError('timer task failed', err));
  }
}
