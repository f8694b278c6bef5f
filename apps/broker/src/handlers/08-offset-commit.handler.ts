import { Injectable } from '@nestjs/common';
import { OffsetCommitApi, type OffsetCommitRequestData, type OffsetCommitResponseInput } from '@millrace/protocol';
import { ErrorCode } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { ReplicaManager } from '../partition/replica-manager';
import type { ApiHandler } from './api-handler';

/**
 * OffsetCommit (8), v2-7; answers only after the offsets are in `__consumer_offsets`.
 * Partitions this broker does not host get UNKNOWN_TOPIC_OR_PARTITION and are not
 * stored; the others are committed (as Kafka does).
 */
@Injectable()
export class OffsetCommitHandler implements ApiHandler<typeof OffsetCommitApi> {
  readonly api = OffsetCommitApi;
  readonly minVersion = 2;
  readonly maxVersion = 7;

  constructor(
    private readonly groups: GroupCoordinator,
    private readonly replicas: ReplicaManager,
  ) {}

  async handle(request: OffsetCommitRequestData): Promise<OffsetCommitResponseInput> {
    const unknown: OffsetCommitResponseInput['topics'] = [];
    const known: OffsetCommitRequestData['topics'] = [];
    for (const t of request.topics) {
      const hosted = t.partitions.filter((p) => this.replicas.knowsPartition(t.name, p.partitionIndex));
      const missing = t.partitions.filter((p) => !this.replicas.knowsPartition(t.name, p.partitionIndex));
      if (hosted.length > 0) known.push({ ...t, partitions: hosted });
      if (missing.length > 0) unknown.push({ name: t.name, partitions: missing.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
    }
    const r =
      known.length === 0 && unknown.length > 0
        ? { topics: [] }
        : await this.groups.commitOffsets({
            groupId: request.groupId,
            generationId: request.generationIdOrMemberEpoch,
            memberId: request.memberId,
            groupInstanceId: request.groupInstanceId,
            retentionTimeMs: request.retentionTimeMs,
            topics: known,
          });
    return { throttleTimeMs: 0, topics: [...r.topics, ...unknown] };
  }
}
