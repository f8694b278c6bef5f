import { Injectable } from '@nestjs/common';
import { ErrorCode, OffsetDeleteApi, type OffsetDeleteRequestData, type OffsetDeleteResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { ReplicaManager } from '../partition/replica-manager';
import type { ApiHandler } from './api-handler';

/**
 * OffsetDelete (47), v0: removes committed offsets of a group (rules and persistence in
 * GroupCoordinator.deleteOffsets). Partitions this broker does not host get
 * UNKNOWN_TOPIC_OR_PARTITION and are listed even when the group itself is refused, as
 * Kafka's KafkaApis does.
 */
@Injectable()
export class OffsetDeleteHandler implements ApiHandler<typeof OffsetDeleteApi> {
  readonly api = OffsetDeleteApi;
  readonly minVersion = 0;
  readonly maxVersion = 0;

  constructor(
    private readonly groups: GroupCoordinator,
    private readonly replicas: ReplicaManager,
  ) {}

  async handle(request: OffsetDeleteRequestData): Promise<OffsetDeleteResponseInput> {
    const unknown: OffsetDeleteResponseInput['topics'] = [];
    const known: { name: string; partitionIndexes: number[] }[] = [];
    for (const t of request.topics) {
      const hosted: number[] = [];
      const missing: number[] = [];
      for (const p of t.partitions) (this.replicas.getPartition(t.name, p.partitionIndex) !== undefined ? hosted : missing).push(p.partitionIndex);
      if (hosted.length > 0) known.push({ name: t.name, partitionIndexes: hosted });
      if (missing.length > 0) unknown.push({ name: t.name, partitions: missing.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
    }
    const r = await this.groups.deleteOffsets({ groupId: request.groupId, topics: known });
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [...r.topics, ...unknown] };
  }
}
