import { Injectable } from '@nestjs/common';
import { HeartbeatApi, type HeartbeatRequestData, type HeartbeatResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import type { ApiHandler } from './api-handler';

/** Heartbeat (12), v0-3. */
@Injectable()
export class HeartbeatHandler implements ApiHandler<typeof HeartbeatApi> {
  readonly api = HeartbeatApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly groups: GroupCoordinator) {}

  handle(request: HeartbeatRequestData): HeartbeatResponseInput {
    const r = this.groups.heartbeat(request);
    return { throttleTimeMs: 0, errorCode: r.errorCode };
  }
}
