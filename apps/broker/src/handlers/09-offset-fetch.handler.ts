import { Injectable } from '@nestjs/common';
import { OffsetFetchApi, type OffsetFetchRequestData, type OffsetFetchResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** OffsetFetch (9), v1-5; topics=null (v2+) fetches every committed partition of the group. */
@Injectable()
export class OffsetFetchHandler implements ApiHandler<typeof OffsetFetchApi> {
  readonly api = OffsetFetchApi;
  readonly minVersion = 1;
  readonly maxVersion = 5;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: OffsetFetchRequestData, context: RequestContext): OffsetFetchResponseInput {
    const topics = context.apiVersion >= 2 ? request.topics : (request.topics ?? []);
    const r = this.groups.fetchOffsets({ groupId: request.groupId, topics });
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics: r.topics };
  }
}
