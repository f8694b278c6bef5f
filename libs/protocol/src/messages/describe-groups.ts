import { defineApi } from '../schema/api';
import { array, bool, bytes, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DescribeGroups (API key 15): versions 0-5, flexible from v5. */
export const DescribeGroupsRequest = struct({
  groups: array(string()),
  includeAuthorizedOperations: bool({ versions: '3+' }),
});

export const DescribeGroupsResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  groups: array(struct({
    errorCode: int16(),
    groupId: string(),
    groupState: string(),
    protocolType: string(),
    protocolData: string(),
    members: array(struct({
      memberId: string(),
      groupInstanceId: string({ versions: '4+', nullableVersions: '4+', default: null }),
      clientId: string(),
      clientHost: string(),
      memberMetadata: bytes(),
      memberAssignment: bytes(),
    })),
    authorizedOperations: int32({ versions: '3+', default: -2147483648 }),
  })),
});

export const DescribeGroupsApi = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: [0, 5],
  flexibleFrom: 5,
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
});

export type DescribeGroupsRequestData = Infer<typeof DescribeGroupsRequest>;
export type DescribeGroupsRequestInput = InferInput<typeof DescribeGroupsRequest>;
export type DescribeGroupsResponseData = Infer<typeof DescribeGroupsResponse>;
export type DescribeGroupsResponseInput = InferInput<typeof DescribeGroupsResponse>;
