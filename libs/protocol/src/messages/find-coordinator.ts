import { defineApi } from '../schema/api';
import { array, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** FindCoordinator (API key 10): versions 0-5, flexible from v3. */
export const FindCoordinatorRequest = struct({
  key: string({ versions: '0-3' }),
  keyType: int8({ versions: '1+', default: 0 }),
  coordinatorKeys: array(string(), { versions: '4+' }),
});

export const FindCoordinatorResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16({ versions: '0-3' }),
  errorMessage: string({ versions: '1-3', nullableVersions: '1-3' }),
  nodeId: int32({ versions: '0-3' }),
  host: string({ versions: '0-3' }),
  port: int32({ versions: '0-3' }),
  coordinators: array(struct({
    key: string(),
    nodeId: int32(),
    host: string(),
    port: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '4+' }),
  }), { versions: '4+' }),
});

export const FindCoordinatorApi = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: [0, 5],
  flexibleFrom: 3,
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
});

export type FindCoordinatorRequestData = Infer<typeof FindCoordinatorRequest>;
export type FindCoordinatorRequestInput = InferInput<typeof FindCoordinatorRequest>;
export type FindCoordinatorResponseData = Infer<typeof FindCoordinatorResponse>;
export type FindCoordinatorResponseInput = InferInput<typeof FindCoordinatorResponse>;
