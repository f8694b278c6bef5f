import { ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi } from '@millrace/protocol';
import { openGroupCoordinator, type KafkaConnection } from '@millrace/kafka-log';

/** Versions Millrace's coordinator serves (JoinGroup v5 brings MEMBER_ID_REQUIRED). */
const JOIN_VERSION = 5;
const SYNC_VERSION = 3;
const HEARTBEAT_VERSION = 3;
const LEAVE_VERSION = 3;

export interface GroupMemberOptions {
  readonly bootstrap: readonly string[];
  readonly groupId: string;
  /** Kafka Connect's protocol type is `connect`. */
  readonly protocolType: string;
  readonly protocolName: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly clientId: string;
}

/** One member's JoinGroup metadata, as the leader receives it. */
export interface JoinedMember {
  readonly memberId: string;
  readonly metadata: Buffer;
}

/** The outcome of one join + sync round. */
export interface Generation {
  readonly generationId: number;
  readonly memberId: string;
  readonly leaderId: string;
  readonly assignment: Buffer;
  /** When the SyncGroup was sent (Date.now()): the coordinator knew the member at least until then. */
  readonly sentAt: number;
}

/** Computes every member's assignment; only the leader's is called. */
export type Assign = (members: readonly JoinedMember[]) => Promise<Map<string, Buffer>>;

/** What a heartbeat learnt. */
export type HeartbeatOutcome = 'ok' | 'rebalance' | 'unknown-member' | 'failed';

/** A heartbeat's outcome and when it was sent (an answer proves the session up to then, not later). */
export interface HeartbeatResult {
  readonly outcome: HeartbeatOutcome;
  readonly sentAt: number;
}

/** A group protocol error a member recovers from by rejoining. */
export class RejoinNeededError extends Error {
  constructor(
    message: string,
    readonly resetMemberId: boolean,
  ) {
    super(message);
    this.name = 'RejoinNeededError';
  }
}

/**
 * A member of a Kafka group speaking the classic group protocol itself (JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup), for any protocol type: what Kafka Connect's
 * WorkerGroupMember does with its AbstractCoordinator. It holds no policy: the caller
 * drives the rounds (`join`), heartbeats on its own schedule (`heartbeat`) and decides
 * what a failure means.
 *
 * Contracts: one request at a time per member (the caller serialises); the coordinator
 * connection is found through FindCoordinator and replaced after any connection error;
 * `join` resolves with the new generation (the leader's `assign` ran inside it) or
 * rejects (RejoinNeededError when a retry may succeed; the member id is kept unless the
 * coordinator forgot it); `leave` never throws.
 */
export class GroupMember {
  private connection: KafkaConnection | null = null;
  private memberIdValue = '';
  private generationId = -1;

  constructor(private readonly opts: GroupMemberOptions) {}

  get memberId(): string {
    return this.memberIdValue;
  }

  get generation(): number {
    return this.generationId;
  }

  /** JoinGroup (repeated once for MEMBER_ID_REQUIRED), then SyncGroup with the leader's assignments. */
  async join(metadata: Buffer, assign: Assign): Promise<Generation> {
    const conn = await this.coordinator();
    const request = (memberId: string) =>
      conn.send(JoinGroupApi.apiKey, JOIN_VERSION, {
        groupId: this.opts.groupId,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
        memberId,
        groupInstanceId: null,
        protocolType: this.opts.protocolType,
        protocols: [{ name: this.opts.protocolName, metadata }],
      });
    let joined = await request(this.memberIdValue);
    if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberIdValue = joined.memberId;
      joined = await request(this.memberIdValue);
    }
    this.check('JoinGroup', joined.errorCode);
    this.memberIdValue = joined.memberId;
    this.generationId = joined.generationId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (joined.leader === joined.memberId) {
      const byMember = await assign(joined.members.map((m) => ({ memberId: m.memberId, metadata: Buffer.from(m.metadata) })));
      assignments = [...byMember].map(([memberId, assignment]) => ({ memberId, assignment }));
    }
    const sentAt = Date.now();
    const synced = await conn.send(SyncGroupApi.apiKey, SYNC_VERSION, {
      groupId: this.opts.groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      assignments,
    });
    this.check('SyncGroup', synced.errorCode);
    return { generationId: joined.generationId, memberId: joined.memberId, leaderId: joined.leader, assignment: Buffer.from(synced.assignment), sentAt };
  }

  /**
   * One heartbeat of the current generation; connection failures, and no answer within
   * `timeoutMs` (the connection is then dropped), answer 'failed'.
   */
  async heartbeat(timeoutMs: number): Promise<HeartbeatResult> {
    const sentAt = Date.now();
    return { outcome: await this.heartbeatOutcome(timeoutMs), sentAt };
  }

  private async heartbeatOutcome(timeoutMs: number): Promise<HeartbeatOutcome> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const conn = await this.coordinator();
      const request = conn.send(HeartbeatApi.apiKey, HEARTBEAT_VERSION, {
        groupId: this.opts.groupId,
        generationId: this.generationId,
        memberId: this.memberIdValue,
        groupInstanceId: null,
      });
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('heartbeat timed out')), timeoutMs)));
      const res = await Promise.race([request, timeout]);
      if (res.errorCode === ErrorCode.NONE) return 'ok';
      if (res.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || res.errorCode === ErrorCode.ILLEGAL_GENERATION) return 'rebalance';
      if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || res.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
        this.memberIdValue = '';
        return 'unknown-member';
      }
      this.dropConnection();
      return 'failed';
    } catch {
      this.dropConnection();
      return 'failed';
    } finally {
      clearTimeout(timer);
    }
  }

  /** LeaveGroup, so the others rebalance at once instead of after the session timeout. */
  async leave(): Promise<void> {
    if (this.memberIdValue === '') return;
    try {
      const conn = await this.coordinator();
      await conn.send(LeaveGroupApi.apiKey, LEAVE_VERSION, { groupId: this.opts.groupId, memberId: this.memberIdValue, members: [{ memberId: this.memberIdValue, groupInstanceId: null, reason: null }] });
    } catch {
      // leaving is best effort: the session timeout removes the member anyway
    }
    this.memberIdValue = '';
    this.generationId = -1;
    this.dropConnection();
  }

  close(): void {
    this.dropConnection();
  }

  private async coordinator(): Promise<KafkaConnection> {
    if (this.connection?.alive) return this.connection;
    this.connection = await openGroupCoordinator(this.opts.bootstrap, this.opts.groupId, this.opts.clientId);
    return this.connection;
  }

  private dropConnection(): void {
    this.connection?.close();
    this.connection = null;
  }

  private check(api: string, errorCode: number): void {
    if (errorCode === ErrorCode.NONE) return;
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberIdValue = '';
    if (errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.dropConnection();
    const retriable = [
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.ILLEGAL_GENERATION,
      ErrorCode.REBALANCE_IN_PROGRESS,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    ].includes(errorCode);
    if (retriable) throw new RejoinNeededError(`${api} of group ${this.opts.groupId} answered error ${errorCode}`, errorCode === ErrorCode.UNKNOWN_MEMBER_ID);
    throw new Error(`${api} of group ${this.opts.groupId} failed with error ${errorCode} (${ErrorCode[errorCode] ?? 'unknown'})`);
  }
}
