import { Controller, Get, NotFoundException, Param, UseFilters } from '@nestjs/common';
import { decodeConsumerAssignment } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { ReplicaManager } from '../partition/replica-manager';
import { AdminErrorFilter } from './admin-error.filter';
import { groupLag } from './group-lag';

/** /admin/groups: consumer groups with state, members, assignments, committed offsets and lag. */
@Controller('admin/groups')
@UseFilters(AdminErrorFilter)
export class GroupsController {
  constructor(
    private readonly groups: GroupCoordinator,
    private readonly replicas: ReplicaManager,
  ) {}

  @Get()
  list(): { groupId: string; state: string; protocolType: string }[] {
    return this.groups.listGroups().groups.map((g) => ({ groupId: g.groupId, state: g.groupState, protocolType: g.protocolType }));
  }

  @Get(':id')
  describe(@Param('id') id: string): object {
    const [g] = this.groups.describeGroups([id]);
    const offsets = groupLag(this.groups, this.replicas, id);
    if (g.groupState === 'Dead' && offsets.length === 0) throw new NotFoundException(`group ${id} does not exist`);
    return {
      groupId: g.groupId,
      state: g.groupState,
      protocolType: g.protocolType,
      protocol: g.protocolData,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: g.protocolType === 'consumer' && m.memberAssignment.length > 0 ? safeAssignment(m.memberAssignment) : [],
      })),
      offsets,
      totalLag: offsets.reduce((n, o) => n + (o.lag ?? 0), 0),
    };
  }
}

function safeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  try {
    return decodeConsumerAssignment(bytes).value.assignedPartitions.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] }));
  } catch {
    return [];
  }
}
