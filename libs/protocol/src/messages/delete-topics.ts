import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, uuid, type Infer, type InferInput } from '../schema/fields';

/** DeleteTopics (API key 20): versions 0-6, flexible from v4. */
export const DeleteTopicsRequest = struct({
  topics: array(struct({
    name: string({ nullableVersions: '6+', default: null }),
    topicId: uuid(),
  }), { versions: '6+' }),
  topicNames: array(string(), { versions: '0-5' }),
  timeoutMs: int32(),
});

export const DeleteTopicsResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  responses: array(struct({
    name: string({ nullableVersions: '6+' }),
    topicId: uuid({ versions: '6+' }),
    errorCode: int16(),
    errorMessage: string({ versions: '5+', nullableVersions: '5+', default: null }),
  })),
});

export const DeleteTopicsApi = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: [0, 6],
  flexibleFrom: 4,
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
});

export type DeleteTopicsRequestData = Infer<typeof DeleteTopicsRequest>;
export type DeleteTopicsRequestInput = InferInput<typeof DeleteTopicsRequest>;
export type DeleteTopicsResponseData = Infer<typeof DeleteTopicsResponse>;
export type DeleteTopicsResponseInput = InferInput<typeof DeleteTopicsResponse>;
