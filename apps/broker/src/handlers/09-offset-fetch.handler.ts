import { Injectable } from '@nestjs/common';
import { OffsetFetchApi, type OffsetFetchRequestData, type OffsetFetchResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

type Group = NonNullable<OffsetFetchRequestData['groups']>[number];

/**
 * OffsetFetch (9), v1-8.
 * - topics = null (v2+) fetches every committed partition of the group; an empty array
 *   fetches nothing, as in Kafka. librdkafka 2.x (AdminClient ListConsumerGroupOffsets
 *   without partitions) leaves its topics count unwritten, which reads as an empty
 *   array in v2-5 but as null (compact count 0) in the flexible v6+, so it needs v6+
 *   to get every partition.
 * - require_stable (v7+): partitions with pending transactional commits answer
 *   UNSTABLE_OFFSET_COMMIT.
 * - v8 carries several groups, each with its own error code and topics (null = all).
 */
@Injectable()
export class OffsetFetchHandler implements ApiHandler<typeof OffsetFetchApi> {
  readonly api = OffsetFetchApi;
  readonly minVersion = 1;
  readonly maxVersion = 8;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: OffsetFetchRequestData, context: RequestContext): OffsetFetchResponseInput {
    const v = context.apiVersion;
    const requireStable = v >= 7 && request.requireStable;
    if (v >= 8) {
      return { throttleTimeMs: 0, groups: (request.groups ?? []).map((g) => this.fetchGroup(g, requireStable)) };
    }
    const topics = v < 2 ? (request.topics ?? []) : request.topics;
    const r = this.groups.fetchOffsets({ groupId: request.groupId, topics, requireStable });
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
  }

  private fetchGroup(g: Group, requireStable: boolean): NonNullable<OffsetFetchResponseInput['groups']>[number] {
    const r = this.groups.fetchOffsets({ groupId: g.groupId, topics: g.topics, requireStable });
    return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
  }
}
