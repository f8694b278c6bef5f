import { Injectable } from '@nestjs/common';
import { JoinGroupApi, type JoinGroupRequestData, type JoinGroupResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** JoinGroup (11), v0-5; v4+ uses MEMBER_ID_REQUIRED for new dynamic members. */
@Injectable()
export class JoinGroupHandler implements ApiHandler<typeof JoinGroupApi> {
  readonly api = JoinGroupApi;
  readonly minVersion = 0;
  readonly maxVersion = 5;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: JoinGroupRequestData, context: RequestContext): Promise<JoinGroupResponseInput> {
    const r = await this.groups.joinGroup({
      groupId: request.groupId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: context.apiVersion >= 1 ? request.rebalanceTimeoutMs : undefined,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: request.protocolType,
      protocols: request.protocols,
      clientId: context.clientId ?? '',
      clientHost: '/' + context.clientHost,
      requireKnownMemberId: context.apiVersion >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: r.protocolName ?? '',
      leader: r.leader,
      memberId: r.memberId,
      members: r.members,
    };
  }
}
