import { ErrorCode as E } from '@millrace/protocol';
import type { CoordinatorClock } from './coordinator-clock';
import type { CommittedOffset } from './committed-offsets';
import { Group } from './group';
import { GroupState } from './group-state';
import type {
  OffsetCommitInput,
  OffsetCommitResult,
  OffsetDeleteInput,
  OffsetDeleteResult,
  OffsetFetchInput,
  OffsetFetchResult,
} from './group-coordinator.types';
import { GroupMetadataManager, offsetCommitResult, offsetFetchError } from './group-metadata-manager';
import type { GroupRebalancer } from './group-rebalancer';
import { CoordinatorStatus, validateCurrentMember, validateGroupStatus } from './group-validation';
import { deleteGroupOffsets } from './offset-delete';
import { NO_PENDING_TRANSACTIONAL_OFFSETS, PendingTransactionalOffsets } from './pending-transactional-offsets';

/**
 * The offset side of the group coordinator: OffsetCommit, OffsetFetch (with
 * require_stable), OffsetDelete, offset expiration and the group half of transactional
 * offset commits (TxnOffsetCommit, COMMIT markers). GroupCoordinator owns one and
 * forwards these APIs to it; membership and rebalancing stay in GroupCoordinator and
 * GroupRebalancer, the offset cache and its `__consumer_offsets` records in
 * GroupMetadataManager.
 *
 * Same concurrency contract as GroupCoordinator: event-loop only, no method rejects,
 * failures are Kafka error codes. `status` reads the coordinator's lifecycle state.
 */
export class GroupOffsets {
  private pendingTxnOffsets: PendingTransactionalOffsets = NO_PENDING_TRANSACTIONAL_OFFSETS;

  constructor(
    private readonly manager: GroupMetadataManager,
    private readonly rebalancer: GroupRebalancer,
    private readonly clock: CoordinatorClock,
    private readonly status: (groupId?: string | null) => CoordinatorStatus,
  ) {}

  /**
   * OffsetCommit v2-v8. generationId -1 with memberId '' is a simple commit (allowed only
   * while the group is Empty; creates the group if unknown). Otherwise member id and
   * generation must match (ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID).
   * Resolves after the records are appended; topic existence is the caller's check.
   */
  async commitOffsets(input: OffsetCommitInput): Promise<OffsetCommitResult> {
    const all = (errorCode: number): OffsetCommitResult => offsetCommitResult(input, () => errorCode);
    const statusError = validateGroupStatus(this.status(input.groupId), input.groupId, false);
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
      error = validateCurrentMember(group, input.memberId, instanceId);
      if (error === null && input.generationId !== group.generationId) error = E.ILLEGAL_GENERATION;
    } else if (!group.is(GroupState.Empty)) {
      // Only members may commit while the group has members.
      error = E.UNKNOWN_MEMBER_ID;
    }
    if (error !== null) return all(error);
    if (group.is(GroupState.CompletingRebalance)) return all(E.REBALANCE_IN_PROGRESS);
    if (group.is(GroupState.Stable) || group.is(GroupState.PreparingRebalance)) {
      // A commit counts as a sign of life; the rebalance signal comes with the next heartbeat.
      this.rebalancer.scheduleHeartbeatExpiration(group, group.get(input.memberId));
    }
    return this.manager.commitOffsets(group, input, this.clock.now());
  }

  /**
   * OffsetFetch v1-v8 for one group. Offsets are returned whatever the group state
   * (standalone consumers have no membership); see GroupMetadataManager.fetchOffsets.
   * With `requireStable`, partitions with pending transactional commits answer
   * UNSTABLE_OFFSET_COMMIT (see usePendingTransactionalOffsets).
   */
  fetchOffsets(input: OffsetFetchInput): OffsetFetchResult {
    const statusError = validateGroupStatus(this.status(input.groupId), input.groupId, false);
    if (statusError !== null) return offsetFetchError(input, statusError);
    const pending = this.pendingTxnOffsets;
    const isUnstable =
      input.requireStable === true ? (topic: string, partition: number) => pending.hasPendingTransactionalOffsets(input.groupId, topic, partition) : undefined;
    return this.manager.fetchOffsets(input.groupId, input.topics, isUnstable);
  }

  /** Sets where require_stable fetches learn of pending transactional commits (the transaction coordinator). */
  usePendingTransactionalOffsets(source: PendingTransactionalOffsets): void {
    this.pendingTxnOffsets = source;
  }

  /**
   * OffsetDelete v0: removes committed offsets of an Empty group, or of topics a
   * consumer group with members does not subscribe to (rules in planOffsetDeletion).
   * Answers after the tombstones are in `__consumer_offsets`; COORDINATOR_NOT_AVAILABLE
   * on the partitions when that append fails (nothing removed). Topic existence is the
   * caller's check.
   */
  async deleteOffsets(input: OffsetDeleteInput): Promise<OffsetDeleteResult> {
    const statusError = validateGroupStatus(this.status(input.groupId), input.groupId, true);
    if (statusError !== null) return { errorCode: statusError, topics: [] };
    return deleteGroupOffsets(this.manager, input, this.clock.now());
  }

  /** Removes offsets past offsets.retention.minutes now; returns how many. Runs periodically after load. */
  async cleanupExpiredOffsets(): Promise<number> {
    if (this.status() !== 'active') return 0;
    return this.manager.cleanupExpiredOffsets(this.clock.now());
  }

  /**
   * The group half of a TxnOffsetCommit (KIP-447 fields from v3): an unknown group is
   * created Empty (as Kafka does for transactional commits); a member id other than ''
   * must be a member, a generation >= 0 must be the current one. Null when valid.
   */
  validateTxnOffsetCommit(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null): number | null {
    const statusError = validateGroupStatus(this.status(groupId), groupId, false);
    if (statusError !== null) return statusError;
    const group = this.manager.getGroup(groupId) ?? this.manager.addGroup(new Group(groupId, GroupState.Empty, this.clock.now()));
    if (group.is(GroupState.Dead)) return E.COORDINATOR_NOT_AVAILABLE;
    if (groupInstanceId !== null && group.isStaticMemberFenced(groupInstanceId, memberId)) return E.FENCED_INSTANCE_ID;
    if (memberId !== '' && !group.has(memberId)) return E.UNKNOWN_MEMBER_ID;
    if (generationId >= 0 && generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    return null;
  }

  /** Makes a committed transaction's offsets the group's committed offsets (on its COMMIT marker). */
  applyTxnOffsets(groupId: string, entries: { topic: string; partition: number; value: CommittedOffset }[]): void {
    this.manager.applyTxnOffsets(groupId, entries, this.clock.now());
  }
}
