import { defineApi } from '../schema/api';
import { array, bytes, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** SyncGroup (API key 14): versions 0-5, flexible from v4. */
export const SyncGroupRequest = struct({
  groupId: string(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: string({ versions: '3+', nullableVersions: '3+', default: null }),
  protocolType: string({ versions: '5+', nullableVersions: '5+', default: null }),
  protocolName: string({ versions: '5+', nullableVersions: '5+', default: null }),
  assignments: array(struct({
    memberId: string(),
    assignment: bytes(),
  })),
});

export const SyncGroupResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16(),
  protocolType: string({ versions: '5+', nullableVersions: '5+', default: null }),
  protocolName: string({ versions: '5+', nullableVersions: '5+', default: null }),
  assignment: bytes(),
});

export const SyncGroupApi = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: [0, 5],
  flexibleFrom: 4,
  request: SyncGroupRequest,
  response: SyncGroupResponse,
});

export type SyncGroupRequestData = Infer<typeof SyncGroupRequest>;
export type SyncGroupRequestInput = InferInput<typeof SyncGroupRequest>;
export type SyncGroupResponseData = Infer<typeof SyncGroupResponse>;
export type SyncGroupResponseInput = InferInput<typeof SyncGroupResponse>;
