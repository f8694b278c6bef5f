import { defineApi } from '../schema/api';
import { int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** Heartbeat (API key 12): versions 0-4, flexible from v4. */
export const HeartbeatRequest = struct({
  groupId: string(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: string({ versions: '3+', nullableVersions: '3+', default: null }),
});

export const HeartbeatResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16(),
});

export const HeartbeatApi = defineApi({
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: [0, 4],
  flexibleFrom: 4,
  request: HeartbeatRequest,
  response: HeartbeatResponse,
});

export type HeartbeatRequestData = Infer<typeof HeartbeatRequest>;
export type HeartbeatRequestInput = InferInput<typeof HeartbeatRequest>;
export type HeartbeatResponseData = Infer<typeof HeartbeatResponse>;
export type HeartbeatResponseInput = InferInput<typeof HeartbeatResponse>;
