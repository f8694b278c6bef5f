import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DescribeConfigs (API key 32): versions 0-4, flexible from v4. */
export const DescribeConfigsRequest = struct({
  resources: array(struct({
    resourceType: int8(),
    resourceName: string(),
    configurationKeys: array(string(), { nullableVersions: '0+' }),
  })),
  includeSynonyms: bool({ versions: '1+', default: false }),
  includeDocumentation: bool({ versions: '3+', default: false }),
});

export const DescribeConfigsResponse = struct({
  throttleTimeMs: int32(),
  results: array(struct({
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+' }),
    resourceType: int8(),
    resourceName: string(),
    configs: array(struct({
      name: string(),
      value: string({ nullableVersions: '0+' }),
      readOnly: bool(),
      isDefault: bool({ versions: '0' }),
      configSource: int8({ versions: '1+', default: -1 }),
      isSensitive: bool(),
      synonyms: array(struct({
        name: string(),
        value: string({ nullableVersions: '0+' }),
        source: int8(),
      }), { versions: '1+' }),
      configType: int8({ versions: '3+', default: 0 }),
      documentation: string({ versions: '3+', nullableVersions: '0+' }),
    })),
  })),
});

export const DescribeConfigsApi = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: [0, 4],
  flexibleFrom: 4,
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
});

export type DescribeConfigsRequestData = Infer<typeof DescribeConfigsRequest>;
export type DescribeConfigsRequestInput = InferInput<typeof DescribeConfigsRequest>;
export type DescribeConfigsResponseData = Infer<typeof DescribeConfigsResponse>;
export type DescribeConfigsResponseInput = InferInput<typeof DescribeConfigsResponse>;
