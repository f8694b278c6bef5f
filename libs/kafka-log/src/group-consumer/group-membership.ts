import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  ErrorCode,
  errorName,
  HeartbeatApi,
  isRetriable,
  JoinGroupApi,
  LeaveGroupApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from '@millrace/protocol';
import type { KafkaConnection } from '../kafka-connection';
import { rangeAssign, type TopicAssignment } from './range-assignor';
import { DEFAULT_REQUEST_TIMEOUT_MS, withRequestTimeout } from './request-timeout';

/** The coordinator connection as the membership uses it (a KafkaConnection; a fake in unit tests). */
export type CoordinatorLink = Pick<KafkaConnection, 'send' | 'close' | 'alive'>;

export interface GroupMembershipOptions {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  /** A connection to the group's coordinator (FindCoordinator); called again after a coordinator error. */
  readonly openCoordinator: () => Promise<CoordinatorLink>;
  /** Partition counts of `topics` (the leader assigns them); topics the cluster does not know are left out. */
  readonly partitionCounts: (topics: readonly string[]) => Promise<Map<string, number>>;
  /**
   * How long a Heartbeat, OffsetCommit, OffsetFetch or LeaveGroup may wait for its answer
   * (default 30 s, Kafka's request.timeout.ms); JoinGroup and SyncGroup, which the
   * coordinator holds for the rebalance, wait the rebalance timeout + 5 s (as Kafka's
   * consumer). Then the connection is dropped and the call fails (retriable).
   */
  readonly requestTimeoutMs?: number;
}

/** Versions every Kafka since 0.11 (and Millrace) serves; JoinGroup v2 needs no MEMBER_ID_REQUIRED round. */
const JOIN_VERSION = 2;
const SYNC_VERSION = 1;
const HEARTBEAT_VERSION = 1;
const LEAVE_VERSION = 1;
const OFFSET_FETCH_VERSION = 3;
const OFFSET_COMMIT_VERSION = 2;
const CONSUMER_PROTOCOL_VERSION = 0;

/** The assignor this member offers: Kafka's `range` (the group's tools show the group as a consumer group with it). */
export const ASSIGNOR = 'range';

/** The coordinator answered an error; `type` is its Kafka name (e.g. REBALANCE_IN_PROGRESS), as kafkajs's errors carry it. */
export class GroupError extends Error {
  readonly type: string;
  /** Kafka calls the code retriable (e.g. COORDINATOR_NOT_AVAILABLE): the same request may succeed later. */
  readonly retriable: boolean;
  constructor(
    readonly code: number,
    what: string,
  ) {
    super(`${what} failed with ${errorName(code)}`);
    this.name = 'GroupError';
    this.type = errorName(code);
    this.retriable = isRetriable(code);
  }
}

/** Codes after which the member must join again (the group moved on without it). */
const REJOIN_CODES = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID]);
/** Codes after which the coordinator must be found again. */
const COORDINATOR_CODES = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export function isRejoinError(err: unknown): boolean {
  return err instanceof GroupError && REJOIN_CODES.has(err.code);
}

/**
 * One member of a consumer group (the Kafka "consumer" embedded protocol, eager
 * rebalancing, the range assignor), as the Java consumer's ConsumerCoordinator:
 * `join` runs JoinGroup (the leader computes the assignment over the members'
 * subscriptions) and SyncGroup and returns this member's partitions;
 * `heartbeat` answers whether the member must join again; `commit` and `committed`
 * are OffsetCommit (with the generation and member id: a commit of a member the group
 * moved past is refused with ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID) and OffsetFetch;
 * `leave` is LeaveGroup. Coordinator errors (NOT_COORDINATOR, ...), lost connections
 * and requests not answered in time (`requestTimeoutMs`) drop the connection: the next
 * call finds the coordinator again.
 * Calls must not overlap a `join` (the caller serializes them).
 */
export class GroupMembership {
  memberId = '';
  generationId = -1;
  private link: CoordinatorLink | null = null;

  constructor(private readonly opts: GroupMembershipOptions) {}

  get member(): boolean {
    return this.generationId >= 0;
  }

  /** Joins (again) with `topics`; resolves with the assignment; throws GroupError/connection errors (the caller backs off and calls again). */
  async join(topics: readonly string[]): Promise<TopicAssignment> {
    const { groupId } = this.opts;
    const link = await this.coordinator();
    this.generationId = -1;
    const metadata = encodeConsumerSubscription(CONSUMER_PROTOCOL_VERSION, { topics: [...topics], userData: null });
    const joined = await this.call(link, 'JoinGroup', this.opts.rebalanceTimeoutMs + 5000, () =>
      link.send(JoinGroupApi.apiKey, JOIN_VERSION, {
        groupId,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
        memberId: this.memberId,
        protocolType: 'consumer',
        protocols: [{ name: ASSIGNOR, metadata }],
      }),
    );
    if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    this.check(joined.errorCode, 'JoinGroup');
    this.memberId = joined.memberId;
    const assignments: { memberId: string; assignment: Buffer }[] = [];
    if (joined.leader === joined.memberId) {
      const members = joined.members.map((m) => ({ memberId: m.memberId, topics: decodeConsumerSubscription(m.metadata).value.topics }));
      const counts = await this.opts.partitionCounts([...new Set(members.flatMap((m) => m.topics))]);
      for (const [memberId, a] of rangeAssign(members, counts)) {
        assignments.push({
          memberId,
          assignment: encodeConsumerAssignment(CONSUMER_PROTOCOL_VERSION, { assignedPartitions: Object.entries(a).map(([topic, partitions]) => ({ topic, partitions })), userData: null }),
        });
      }
    }
    const synced = await this.call(link, 'SyncGroup', this.opts.rebalanceTimeoutMs + 5000, () =>
      link.send(SyncGroupApi.apiKey, SYNC_VERSION, { groupId, generationId: joined.generationId, memberId: this.memberId, assignments }),
    );
    this.check(synced.errorCode, 'SyncGroup');
    this.generationId = joined.generationId;
    const out: TopicAssignment = {};
    if (synced.assignment.length > 0) {
      for (const tp of decodeConsumerAssignment(synced.assignment).value.assignedPartitions) out[tp.topic] = [...(out[tp.topic] ?? []), ...tp.partitions];
    }
    return out;
  }

  /**
   * Sends one heartbeat: 'ok', or 'rejoin' when the group rebalances or forgot this member.
   * Throws on connection/coordinator errors. On REBALANCE_IN_PROGRESS the member keeps its
   * generation (as Kafka's consumer): the coordinator accepts its offset commits until it
   * sends JoinGroup, so what it applied can be committed before it rejoins. ILLEGAL_GENERATION
   * and UNKNOWN_MEMBER_ID end the generation (commits would be refused).
   */
  async heartbeat(): Promise<'ok' | 'rejoin'> {
    if (!this.member) return 'rejoin';
    const link = await this.coordinator();
    const generationId = this.generationId;
    const res = await this.call(link, 'Heartbeat', this.requestTimeoutMs, () => link.send(HeartbeatApi.apiKey, HEARTBEAT_VERSION, { groupId: this.opts.groupId, generationId, memberId: this.memberId }));
    if (REJOIN_CODES.has(res.errorCode)) {
      // The answer to a heartbeat of a generation this member already left behind (it joined again meanwhile) says nothing about the new one.
      if (generationId !== this.generationId) return 'ok';
      // REBALANCE_IN_PROGRESS: the group prepares a rebalance but this generation stays valid (its commits are accepted) until the member joins again.
      if (res.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS) this.forgetIfUnknown(res.errorCode, generationId);
      return 'rejoin';
    }
    this.check(res.errorCode, 'Heartbeat');
    return 'ok';
  }

  /** Commits `offsets` (the next offset to read, per partition) under this member's generation; throws GroupError naming the refusal. */
  async commit(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (offsets.length === 0) return;
    if (!this.member) throw new GroupError(ErrorCode.REBALANCE_IN_PROGRESS, 'OffsetCommit');
    const link = await this.coordinator();
    const generationId = this.generationId;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string | null }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null }]);
    const res = await this.call(link, 'OffsetCommit', this.requestTimeoutMs, () =>
      link.send(OffsetCommitApi.apiKey, OFFSET_COMMIT_VERSION, {
        groupId: this.opts.groupId,
        generationIdOrMemberEpoch: generationId,
        memberId: this.memberId,
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      }),
    );
    for (const t of res.topics) {
      for (const p of t.partitions) {
        this.forgetIfUnknown(p.errorCode, generationId);
        this.check(p.errorCode, `OffsetCommit ${t.name}-${p.partitionIndex}`);
      }
    }
  }

  /** The group's committed offsets of `assignment` (-1: none). */
  async committed(assignment: TopicAssignment): Promise<Map<string, number>> {
    const link = await this.coordinator();
    const topics = Object.entries(assignment).map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const res = await this.call(link, 'OffsetFetch', this.requestTimeoutMs, () => link.send(OffsetFetchApi.apiKey, OFFSET_FETCH_VERSION, { groupId: this.opts.groupId, topics }));
    this.check(res.errorCode, 'OffsetFetch');
    for (const t of res.topics) {
      for (const p of t.partitions) {
        this.check(p.errorCode, `OffsetFetch ${t.name}-${p.partitionIndex}`);
        out.set(`${t.name}-${p.partitionIndex}`, Number(p.committedOffset));
      }
    }
    return out;
  }

  /** Leaves the group (best effort) and closes the coordinator connection. */
  async leave(): Promise<void> {
    this.generationId = -1;
    if (this.memberId !== '') {
      try {
        const link = await this.coordinator();
        await this.call(link, 'LeaveGroup', this.requestTimeoutMs, () => link.send(LeaveGroupApi.apiKey, LEAVE_VERSION, { groupId: this.opts.groupId, memberId: this.memberId }));
      } catch {
        // Best effort: the coordinator expels the member once its session times out.
      }
    }
    this.dropLink();
  }

  /** Closes the coordinator connection: a request waiting on it (a JoinGroup held for the rebalance) fails at once. */
  abort(): void {
    this.dropLink();
  }

  /** Forgets the generation (the member must join again before it commits). */
  reset(): void {
    this.generationId = -1;
  }

  /** A refusal of a request sent under `sentGeneration` ends that generation only if it is still this member's (an answer to an older request never ends a newer join). */
  private forgetIfUnknown(code: number, sentGeneration: number): void {
    if (sentGeneration !== this.generationId) return;
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
    if (REJOIN_CODES.has(code)) this.generationId = -1;
  }

  private check(code: number, what: string): void {
    if (code === ErrorCode.NONE) return;
    if (COORDINATOR_CODES.has(code)) this.dropLink();
    throw new GroupError(code, what);
  }

  private async coordinator(): Promise<CoordinatorLink> {
    if (this.link?.alive) return this.link;
    this.link = await this.opts.openCoordinator();
    return this.link;
  }

  private get requestTimeoutMs(): number {
    return this.opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Runs a request; a lost connection, or no answer within `timeoutMs`, drops it (the next call finds the coordinator again). */
  private async call<T>(link: CoordinatorLink, what: string, timeoutMs: number, request: () => Promise<T>): Promise<T> {
    try {
      return await withRequestTimeout(request(), timeoutMs, `${what} of group ${this.opts.groupId}`, () => {
        if (this.link === link) this.dropLink();
        else link.close();
      });
    } catch (err) {
      if (this.link === link) this.dropLink();
      throw err;
    }
  }

  private dropLink(): void {
    this.link?.close();
    this.link = null;
  }
}
