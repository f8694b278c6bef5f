import { Injectable } from '@nestjs/common';
import { OffsetCommitApi, type OffsetCommitRequestData, type OffsetCommitResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** OffsetCommit (8), v2-7; answers only after the offsets are in `__consumer_offsets`. */
@Injectable()
export class OffsetCommitHandler implements ApiHandler<typeof OffsetCommitApi> {
  readonly api = OffsetCommitApi;
  readonly minVersion = 2;
  readonly maxVersion = 7;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: OffsetCommitRequestData): Promise<OffsetCommitResponseInput> {
    const r = await this.groups.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      retentionTimeMs: request.retentionTimeMs,
      topics: request.topics,
    });
    return { throttleTimeMs: 0, topics: r.topics };
  }
}
