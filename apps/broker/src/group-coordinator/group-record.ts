import type { GroupMetadataValue } from './consumer-offsets-format';
import { Group } from './group';
import { GroupState } from './group-state';
import { EMPTY_BUFFER, Member } from './member';

/**
 * A group as its `__consumer_offsets` GroupMetadataValue record (consumer-offsets-format.ts)
 * and back: what GroupMetadataManager stores when a generation's assignment is known and
 * rebuilds at load.
 */

/** The GroupMetadataValue record for `group` with the given assignments (member id -> bytes). */
export function groupRecordValue(group: Group, assignment: ReadonlyMap<string, Buffer>): GroupMetadataValue {
  const protocol = group.protocolName;
  return {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol,
    leader: group.leaderId,
    currentStateTimestamp: group.currentStateTimestamp ?? -1,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: protocol === null ? EMPTY_BUFFER : m.metadata(protocol),
      assignment: assignment.get(m.memberId) ?? EMPTY_BUFFER,
    })),
  };
}

/**
 * Rebuilds a group from its latest GroupMetadataValue: Empty if it has no members,
 * otherwise Stable with the stored generation, protocol, leader and assignments.
 */
export function groupFromRecordValue(groupId: string, v: GroupMetadataValue): Group {
  const hasMembers = v.members.length > 0;
  const g = new Group(groupId, hasMembers ? GroupState.Stable : GroupState.Empty, v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : null);
  g.generationId = v.generation;
  g.protocolName = v.protocol;
  for (const mv of v.members) {
    const protocols = v.protocol === null ? [] : [{ name: v.protocol, metadata: mv.subscription }];
    const m = new Member(
      mv.memberId,
      mv.groupInstanceId,
      mv.clientId,
      mv.clientHost,
      mv.rebalanceTimeout,
      mv.sessionTimeout,
      v.protocolType,
      protocols,
    );
    m.assignment = mv.assignment;
    g.add(m, null);
  }
  g.protocolType = v.protocolType === '' ? null : v.protocolType;
  g.leaderId = hasMembers && v.leader !== null && g.members.has(v.leader) ? v.leader : g.leaderId;
  g.subscribedTopics = g.computeSubscribedTopics();
  return g;
}
