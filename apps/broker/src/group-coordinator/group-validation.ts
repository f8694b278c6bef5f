import { ErrorCode as E } from '@millrace/protocol';
import type { Group } from './group';

/**
 * Lifecycle of the coordinator: answers COORDINATOR_LOAD_IN_PROGRESS until `load`
 * finished. In a cluster it is also the status of one group: 'loading' while its
 * `__consumer_offsets` partition loads after this broker became its leader, 'not-owned'
 * while another broker leads that partition.
 */
export type CoordinatorStatus = 'loading' | 'active' | 'shutdown' | 'not-owned';

/**
 * INVALID_GROUP_ID for a missing id (or '' where the API requires one), NOT_COORDINATOR
 * after shutdown or for a group another broker coordinates, COORDINATOR_LOAD_IN_PROGRESS
 * before `load` finished; else null.
 */
export function validateGroupStatus(status: CoordinatorStatus, groupId: string | null | undefined, requireNonEmpty: boolean): number | null {
  if (groupId === null || groupId === undefined || (requireNonEmpty && groupId === '')) return E.INVALID_GROUP_ID;
  if (status === 'shutdown' || status === 'not-owned') return E.NOT_COORDINATOR;
  if (status === 'loading') return E.COORDINATOR_LOAD_IN_PROGRESS;
  return null;
}

/** FENCED_INSTANCE_ID for a fenced static member, UNKNOWN_MEMBER_ID for a stranger; else null. */
export function validateCurrentMember(group: Group, memberId: string, groupInstanceId: string | null): number | null {
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return E.FENCED_INSTANCE_ID;
  if (!group.has(memberId)) return E.UNKNOWN_MEMBER_ID;
  return null;
}
