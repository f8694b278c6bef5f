import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ListGroups (API key 16): versions 0-5, flexible from v3. */
export const ListGroupsRequest = struct({
  statesFilter: array(string(), { versions: '4+' }),
  typesFilter: array(string(), { versions: '5+' }),
});

export const ListGroupsResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16(),
  groups: array(struct({
    groupId: string(),
    protocolType: string(),
    groupState: string({ versions: '4+' }),
    groupType: string({ versions: '5+' }),
  })),
});

export const ListGroupsApi = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  validVersions: [0, 5],
  flexibleFrom: 3,
  request: ListGroupsRequest,
  response: ListGroupsResponse,
});

export type ListGroupsRequestData = Infer<typeof ListGroupsRequest>;
export type ListGroupsRequestInput = InferInput<typeof ListGroupsRequest>;
export type ListGroupsResponseData = Infer<typeof ListGroupsResponse>;
export type ListGroupsResponseInput = InferInput<typeof ListGroupsResponse>;
