import { ErrorCode as E } from '@millrace/protocol';
import { DescribedGroup, GroupStateName } from './group-coordinator.types';
import type { Group } from './group';
import { GroupState } from './group-state';
import { EMPTY_BUFFER } from './member';

/**
 * The DescribeGroups view of a group (Kafka's GroupMetadata.summary): the selected
 * protocol and each member's metadata and assignment are shown only while the group is
 * Stable; in every other state they are empty.
 */
export function describeGroup(group: Group): DescribedGroup {
  const stable = group.is(GroupState.Stable) && group.protocolName !== null;
  const protocol = group.protocolName ?? '';
  return {
    errorCode: E.NONE,
    groupId: group.groupId,
    groupState: group.state as GroupStateName,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? protocol : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadata(protocol) : EMPTY_BUFFER,
      memberAssignment: stable ? m.assignment : EMPTY_BUFFER,
    })),
  };
}

/** How DescribeGroups describes a group it does not know: Dead, with no error. */
export function describeUnknownGroup(groupId: string): DescribedGroup {
  return { errorCode: E.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
}
