import { BadRequestException, Body, ConflictException, Controller, NotFoundException, Param, Post, UseFilters } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { ReplicaManager } from '../partition/replica-manager';
import { TopicManager } from '../metadata/topic-manager';
import { AdminErrorFilter } from './admin-error.filter';

/**
 * POST /admin/groups/{g}/offsets {topic, to: "earliest"|"latest"|<offset>, partitions?}:
 * resets a group's committed offsets for a topic (every partition unless `partitions`
 * names some), as kafka-consumer-groups --reset-offsets --execute does, and only while
 * the group has no members (a member would overwrite the reset with its next commit:
 * 409). An offset is clamped into [log start, high watermark]. Answers the new offsets.
 */
const ResetBody = z.object({
  topic: z.string().min(1),
  to: z.union([z.enum(['earliest', 'latest']), z.number().int().min(0)]),
  partitions: z.array(z.number().int().min(0)).optional(),
});

@Controller('admin/groups')
@UseFilters(AdminErrorFilter)
export class GroupOffsetResetController {
  constructor(
    private readonly groups: GroupCoordinator,
    private readonly replicas: ReplicaManager,
    private readonly topics: TopicManager,
  ) {}

  @Post(':id/offsets')
  async reset(@Param('id') id: string, @Body() body: unknown): Promise<{ groupId: string; topic: string; offsets: Array<{ partition: number; offset: number }> }> {
    const parsed = ResetBody.safeParse(body);
    if (!parsed.success) throw new BadRequestException(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const { topic, to, partitions } = parsed.data;
    const t = this.topics.get(topic);
    if (!t) throw new NotFoundException(`topic ${topic} does not exist`);
    const chosen = partitions ?? Array.from({ length: t.partitions }, (_, i) => i);
    const bad = chosen.filter((p) => p >= t.partitions);
    if (bad.length > 0) throw new BadRequestException(`partitions: ${topic} has no partition ${bad.join(', ')} (it has ${t.partitions})`);
    const [g] = this.groups.describeGroups([id]);
    if (g.members.length > 0) throw new ConflictException(`group ${id} has ${g.members.length} active member(s) (state ${g.groupState}): stop its consumers before resetting offsets`);
    const offsets = chosen.map((partition) => {
      const p = this.replicas.getPartition(topic, partition);
      const low = p?.logStartOffset ?? 0;
      const high = p?.highWatermark ?? 0;
      return { partition, offset: to === 'earliest' ? low : to === 'latest' ? high : Math.min(Math.max(to, low), high) };
    });
    const result = await this.groups.commitOffsets({
      groupId: id,
      generationId: -1,
      memberId: '',
      topics: [{ name: topic, partitions: offsets.map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null })) }],
    });
    const failed = result.topics.flatMap((x) => x.partitions).filter((p) => p.errorCode !== ErrorCode.NONE);
    if (failed.length > 0) throw new ConflictException(`the coordinator refused the commit: ${failed.map((f) => `partition ${f.partitionIndex}: error ${f.errorCode}`).join(', ')}`);
    return { groupId: id, topic, offsets };
  }
}
