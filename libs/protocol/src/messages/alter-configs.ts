import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** AlterConfigs (API key 33): versions 0-2, flexible from v2. */
export const AlterConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8(),
    resourceName: string(),
    configs: array(struct({
      name: string(),
      value: string({ nullableVersions: '0+' }),
    })),
  })),
  validateOnly: bool(),
});

export const AlterConfigsResponse = struct({
  throttleTimeMs: int32(),
  responses: array(struct({
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+' }),
    resourceType: int8(),
    resourceName: string(),
  })),
});

export const AlterConfigsApi = defineApi({
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: [0, 2],
  flexibleFrom: 2,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
});

export type AlterConfigsRequestData = Infer<typeof AlterConfigsRequest>;
export type AlterConfigsRequestInput = InferInput<typeof AlterConfigsRequest>;
export type AlterConfigsResponseData = Infer<typeof AlterConfigsResponse>;
export type AlterConfigsResponseInput = InferInput<typeof AlterConfigsResponse>;
