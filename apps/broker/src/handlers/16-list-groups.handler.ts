import { Injectable } from '@nestjs/common';
import { ListGroupsApi, type ListGroupsRequestData, type ListGroupsResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** ListGroups (16), v0-4 (v4 adds the state filter). */
@Injectable()
export class ListGroupsHandler implements ApiHandler<typeof ListGroupsApi> {
  readonly api = ListGroupsApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: ListGroupsRequestData): ListGroupsResponseInput {
    const r = this.groups.listGroups(request.statesFilter);
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups.map((g) => ({ ...g, groupType: 'classic' })) };
  }
}
