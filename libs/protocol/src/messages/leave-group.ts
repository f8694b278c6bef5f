import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** LeaveGroup (API key 13): versions 0-5, flexible from v4. */
export const LeaveGroupRequest = struct({
  groupId: string(),
  memberId: string({ versions: '0-2' }),
  members: array(struct({
    memberId: string(),
    groupInstanceId: string({ nullableVersions: '3+', default: null }),
    reason: string({ versions: '5+', nullableVersions: '5+', default: null }),
  }), { versions: '3+' }),
});

export const LeaveGroupResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16(),
  members: array(struct({
    memberId: string(),
    groupInstanceId: string({ nullableVersions: '3+' }),
    errorCode: int16(),
  }), { versions: '3+' }),
});

export const LeaveGroupApi = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: [0, 5],
  flexibleFrom: 4,
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
});

export type LeaveGroupRequestData = Infer<typeof LeaveGroupRequest>;
export type LeaveGroupRequestInput = InferInput<typeof LeaveGroupRequest>;
export type LeaveGroupResponseData = Infer<typeof LeaveGroupResponse>;
export type LeaveGroupResponseInput = InferInput<typeof LeaveGroupResponse>;
