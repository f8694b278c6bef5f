import { ScheduledTask } from './coordinator-clock';
import { JoinGroupProtocol, JoinGroupResult, SyncGroupResult } from './group-coordinator.types';

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * One member of a classic consumer group (Kafka's MemberMetadata).
 *
 * Lifecycle flags:
 * - `awaitingJoin`: resolver of the member's pending JoinGroup response; set while the
 *   group is PreparingRebalance and the member has (re)joined, cleared when the response
 *   is sent. The group counts these in `numMembersAwaitingJoin`.
 * - `awaitingSync`: resolver of the member's pending SyncGroup response (CompletingRebalance).
 * - `isNew`: joined during the current rebalance and has not received a JoinGroup
 *   response yet; such a member is expired by `newMemberJoinTimeoutMs`, not by its session.
 * - `heartbeatSatisfied` + `heartbeatTimer`: the session timer. Each heartbeat (or join/sync
 *   completion) cancels the timer and schedules a new one `sessionTimeoutMs` ahead with
 *   `heartbeatSatisfied = false`; when it fires the member is removed unless
 *   `hasSatisfiedHeartbeat` (members awaiting join/sync are never expired by it).
 */
export class Member {
  assignment: Buffer = EMPTY_BUFFER;
  isNew = false;
  heartbeatSatisfied = false;
  heartbeatTimer: ScheduledTask | null = null;
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null;
  awaitingSync: ((result: SyncGroupResult) => void) | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: JoinGroupProtocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  get hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  /** The metadata the member sent for `protocol`; throws if it does not support it. */
  metadata(protocol: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** True when `protocols` are the same names and metadata, in the same order. */
  matches(protocols: JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  /** The member's most preferred protocol among `candidates` (its list is in preference order). */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}
