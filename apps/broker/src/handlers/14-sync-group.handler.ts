import { Injectable } from '@nestjs/common';
import { SyncGroupApi, type SyncGroupRequestData, type SyncGroupResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** SyncGroup (14), v0-3. */
@Injectable()
export class SyncGroupHandler implements ApiHandler<typeof SyncGroupApi> {
  readonly api = SyncGroupApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  async handle(request: SyncGroupRequestData): Promise<SyncGroupResponseInput> {
    const r = await this.groups.syncGroup(request);
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  }
}
