import { Injectable } from '@nestjs/common';
import { DeleteGroupsApi, type DeleteGroupsRequestData, type DeleteGroupsResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** DeleteGroups (42), v0-1: only Empty (or unknown: GROUP_ID_NOT_FOUND) groups. */
@Injectable()
export class DeleteGroupsHandler implements ApiHandler<typeof DeleteGroupsApi> {
  readonly api = DeleteGroupsApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: DeleteGroupsRequestData): Promise<DeleteGroupsResponseInput> {
    return { throttleTimeMs: 0, results: await this.groups.deleteGroups(request.groupsNames) };
  }
}
