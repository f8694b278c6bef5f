import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ApiVersions (API key 18): versions 0-3, flexible from v3. */
export const ApiVersionsRequest = struct({
  clientSoftwareName: string({ versions: '3+' }),
  clientSoftwareVersion: string({ versions: '3+' }),
});

export const ApiVersionsResponse = struct({
  errorCode: int16(),
  apiKeys: array(struct({
    apiKey: int16(),
    minVersion: int16(),
    maxVersion: int16(),
  })),
  throttleTimeMs: int32({ versions: '1+' }),
  supportedFeatures: array(struct({
    name: string(),
    minVersion: int16(),
    maxVersion: int16(),
  }), { versions: '3+', taggedVersions: '3+', tag: 0 }),
  finalizedFeaturesEpoch: int64({ versions: '3+', taggedVersions: '3+', tag: 1, default: -1 }),
  finalizedFeatures: array(struct({
    name: string(),
    maxVersionLevel: int16(),
    minVersionLevel: int16(),
  }), { versions: '3+', taggedVersions: '3+', tag: 2 }),
  zkMigrationReady: bool({ versions: '3+', taggedVersions: '3+', tag: 3, default: false }),
});

export const ApiVersionsApi = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: [0, 3],
  flexibleFrom: 3,
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
});

export type ApiVersionsRequestData = Infer<typeof ApiVersionsRequest>;
export type ApiVersionsRequestInput = InferInput<typeof ApiVersionsRequest>;
export type ApiVersionsResponseData = Infer<typeof ApiVersionsResponse>;
export type ApiVersionsResponseInput = InferInput<typeof ApiVersionsResponse>;
