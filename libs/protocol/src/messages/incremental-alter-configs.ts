import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** IncrementalAlterConfigs (API key 44): versions 0-1, flexible from v1. */
export const IncrementalAlterConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8(),
    resourceName: string(),
    configs: array(struct({
      name: string(),
      configOperation: int8(),
      value: string({ nullableVersions: '0+' }),
    })),
  })),
  validateOnly: bool(),
});

export const IncrementalAlterConfigsResponse = struct({
  throttleTimeMs: int32(),
  responses: array(struct({
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+' }),
    resourceType: int8(),
    resourceName: string(),
  })),
});

export const IncrementalAlterConfigsApi = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  validVersions: [0, 1],
  flexibleFrom: 1,
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
});

export type IncrementalAlterConfigsRequestData = Infer<typeof IncrementalAlterConfigsRequest>;
export type IncrementalAlterConfigsRequestInput = InferInput<typeof IncrementalAlterConfigsRequest>;
export type IncrementalAlterConfigsResponseData = Infer<typeof IncrementalAlterConfigsResponse>;
export type IncrementalAlterConfigsResponseInput = InferInput<typeof IncrementalAlterConfigsResponse>;
