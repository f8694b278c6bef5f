import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DeleteGroups (API key 42): versions 0-2, flexible from v2. */
export const DeleteGroupsRequest = struct({
  groupsNames: array(string()),
});

export const DeleteGroupsResponse = struct({
  throttleTimeMs: int32(),
  results: array(struct({
    groupId: string(),
    errorCode: int16(),
  })),
});

export const DeleteGroupsApi = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: [0, 2],
  flexibleFrom: 2,
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
});

export type DeleteGroupsRequestData = Infer<typeof DeleteGroupsRequest>;
export type DeleteGroupsRequestInput = InferInput<typeof DeleteGroupsRequest>;
export type DeleteGroupsResponseData = Infer<typeof DeleteGroupsResponse>;
export type DeleteGroupsResponseInput = InferInput<typeof DeleteGroupsResponse>;
