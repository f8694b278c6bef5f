import { defineApi } from '../schema/api';
import { array, bool, bytes, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** JoinGroup (API key 11): versions 0-9, flexible from v6. */
export const JoinGroupRequest = struct({
  groupId: string(),
  sessionTimeoutMs: int32(),
  rebalanceTimeoutMs: int32({ versions: '1+', default: -1 }),
  memberId: string(),
  groupInstanceId: string({ versions: '5+', nullableVersions: '5+', default: null }),
  protocolType: string(),
  protocols: array(struct({
    name: string(),
    metadata: bytes(),
  })),
  reason: string({ versions: '8+', nullableVersions: '8+', default: null }),
});

export const JoinGroupResponse = struct({
  throttleTimeMs: int32({ versions: '2+' }),
  errorCode: int16(),
  generationId: int32({ default: -1 }),
  protocolType: string({ versions: '7+', nullableVersions: '7+', default: null }),
  protocolName: string({ nullableVersions: '7+' }),
  leader: string(),
  skipAssignment: bool({ versions: '9+', default: false }),
  memberId: string(),
  members: array(struct({
    memberId: string(),
    groupInstanceId: string({ versions: '5+', nullableVersions: '5+', default: null }),
    metadata: bytes(),
  })),
});

export const JoinGroupApi = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: [0, 9],
  flexibleFrom: 6,
  request: JoinGroupRequest,
  response: JoinGroupResponse,
});

export type JoinGroupRequestData = Infer<typeof JoinGroupRequest>;
export type JoinGroupRequestInput = InferInput<typeof JoinGroupRequest>;
export type JoinGroupResponseData = Infer<typeof JoinGroupResponse>;
export type JoinGroupResponseInput = InferInput<typeof JoinGroupResponse>;
