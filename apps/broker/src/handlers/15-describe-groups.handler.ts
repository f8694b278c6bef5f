import { Injectable } from '@nestjs/common';
import { DescribeGroupsApi, type DescribeGroupsRequestData, type DescribeGroupsResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** DescribeGroups (15), v0-4. */
@Injectable()
export class DescribeGroupsHandler implements ApiHandler<typeof DescribeGroupsApi> {
  readonly api = DescribeGroupsApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: DescribeGroupsRequestData): DescribeGroupsResponseInput {
    return { throttleTimeMs: 0, groups: this.groups.describeGroups(request.groups) };
  }
}
