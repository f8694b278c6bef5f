import { Injectable } from '@nestjs/common';
import { LeaveGroupApi, type LeaveGroupRequestData, type LeaveGroupResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** LeaveGroup (13), v0-3: one member_id before v3, a members[] batch from v3. */
@Injectable()
export class LeaveGroupHandler implements ApiHandler<typeof LeaveGroupApi> {
  readonly api = LeaveGroupApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: LeaveGroupRequestData, context: RequestContext): LeaveGroupResponseInput {
    const members = context.apiVersion >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
    const r = this.groups.leaveGroup({ groupId: request.groupId, members });
    const errorCode = context.apiVersion >= 3 || r.errorCode !== 0 ? r.errorCode : (r.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode, members: r.members };
  }
}
