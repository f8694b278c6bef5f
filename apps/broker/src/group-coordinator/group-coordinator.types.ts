/**
 * Plain inputs and results of the GroupCoordinator API, one pair per Kafka API. Field
 * names follow Kafka's request/response JSON schemas so protocol handlers map them 1:1.
 * `errorCode` values are Kafka error codes (`ErrorCode` of @millrace/protocol); 0 = success.
 */

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

// ---------------------------------------------------------------- JoinGroup (v0-v5)

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupInput {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+. For v0 leave undefined: the session timeout is used, as Kafka does. */
  rebalanceTimeoutMs?: number;
  /** '' for a member joining for the first time. */
  memberId: string;
  /** group.instance.id (v5+); null/undefined for dynamic members. */
  groupInstanceId?: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  /** The client id from the request header. */
  clientId: string;
  /** The client's address (Kafka uses "/" + IP). */
  clientHost: string;
  /**
   * True for JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its
   * member id and must join again with it.
   */
  requireKnownMemberId: boolean;
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  /** -1 on error. */
  generationId: number;
  /** null on error (v7+ field; earlier versions don't carry it). */
  protocolType: string | null;
  /** The selected protocol; null on error (write '' for versions where it is not nullable). */
  protocolName: string | null;
  /** '' on error. */
  leader: string;
  /** The member id assigned to (or used by) the caller; also set with MEMBER_ID_REQUIRED. */
  memberId: string;
  /** Non-empty only in the leader's response. */
  members: JoinGroupResponseMember[];
}

// ---------------------------------------------------------------- SyncGroup (v0-v5)

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
  /** v5+; null/undefined = not checked. */
  protocolType?: string | null;
  /** v5+; null/undefined = not checked. */
  protocolName?: string | null;
  /** Only the leader sends assignments; followers send []. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  /** Empty buffer on error. */
  assignment: Buffer;
}

// ---------------------------------------------------------------- Heartbeat (v0-v4)

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null;
}

export interface HeartbeatResult {
  errorCode: number;
}

// ---------------------------------------------------------------- LeaveGroup (v0-v4)

export interface LeaveGroupInput {
  groupId: string;
  /** v0-v2: one entry `{ memberId }`. v3+: the request's members[]. */
  members: { memberId: string; groupInstanceId?: string | null }[];
}

export interface LeaveGroupResult {
  /**
   * Top-level error. For v0-v2 responses use `errorCode` if non-zero, else
   * `members[0].errorCode` (Kafka's LeaveGroupResponse does the same).
   */
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

// ---------------------------------------------------------------- DescribeGroups / ListGroups / DeleteGroups

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Metadata for the selected protocol; empty unless the group is Stable. */
  memberMetadata: Buffer;
  /** Empty unless the group is Stable. */
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  /** 'Dead' for unknown groups (with errorCode 0, as DescribeGroups v0-v5 answer). */
  groupState: GroupStateName;
  protocolType: string;
  /** The selected protocol when Stable, else ''. */
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface ListGroupsResult {
  errorCode: number;
  groups: { groupId: string; protocolType: string; groupState: GroupStateName }[];
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
}

// ---------------------------------------------------------------- OffsetCommit (v2-v8)

export interface OffsetCommitInput {
  groupId: string;
  /** -1 for a simple (standalone) commit. */
  generationId: number;
  /** '' for a simple commit. */
  memberId: string;
  groupInstanceId?: string | null;
  /** v2-v4 retention_time_ms; -1 (or undefined) = broker default retention. */
  retentionTimeMs?: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: number;
      /** v6+; -1 when unknown. */
      committedLeaderEpoch?: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export interface OffsetCommitResult {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

// ---------------------------------------------------------------- OffsetFetch (v1-v8)

export interface OffsetFetchInput {
  groupId: string;
  /** null = all committed partitions of the group (v2+). */
  topics: { name: string; partitionIndexes: number[] }[] | null;
  /**
   * v7+ require_stable: partitions with a pending transactional commit answer
   * UNSTABLE_OFFSET_COMMIT (offset -1) instead of their last stable offset.
   */
  requireStable?: boolean;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  /** -1 when nothing is committed. */
  committedOffset: number;
  /** -1 when unknown. */
  committedLeaderEpoch: number;
  /** '' when nothing is committed. */
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  /**
   * Top-level error (v2+). When non-zero the requested partitions are also listed with
   * the same per-partition errorCode, for v1 responses which have no top-level field.
   */
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchPartition[] }[];
}

// ---------------------------------------------------------------- OffsetDelete (v0)

export interface OffsetDeleteInput {
  groupId: string;
  topics: { name: string; partitionIndexes: number[] }[];
}

export interface OffsetDeleteResult {
  /** Group-level error; when non-zero `topics` is empty (as in Kafka). */
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

// ---------------------------------------------------------------- Loading

export interface LoadSummary {
  /** Committed offsets present after loading. */
  offsets: number;
  /** Groups present after loading (including groups that only have offsets). */
  groups: number;
  /** Records skipped: unknown key versions or undecodable bytes. */
  skipped: number;
}
