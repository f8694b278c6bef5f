import { Injectable } from '@nestjs/common';
import { OffsetFetchApi, type OffsetFetchRequestData, type OffsetFetchResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';
import { answerOffsetFetch } from './offset-requests';

/** OffsetFetch (9), v1-8: null topics = all (v2+), require_stable (v7+), several groups (v8); see answerOffsetFetch. */
@Injectable()
export class OffsetFetchHandler implements ApiHandler<typeof OffsetFetchApi> {
  readonly api = OffsetFetchApi;
  readonly minVersion = 1;
  readonly maxVersion = 8;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: OffsetFetchRequestData, context: RequestContext): OffsetFetchResponseInput {
    return answerOffsetFetch(this.groups, request, context.apiVersion);
  }
}
