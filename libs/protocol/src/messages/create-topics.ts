import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int8, string, struct, uuid, type Infer, type InferInput } from '../schema/fields';

/** CreateTopics (API key 19): versions 0-7, flexible from v5. */
export const CreateTopicsRequest = struct({
  topics: array(struct({
    name: string(),
    numPartitions: int32(),
    replicationFactor: int16(),
    assignments: array(struct({
      partitionIndex: int32(),
      brokerIds: array(int32()),
    })),
    configs: array(struct({
      name: string(),
      value: string({ nullableVersions: '0+' }),
    })),
  })),
  timeoutMs: int32({ default: 60000 }),
  validateOnly: bool({ versions: '1+', default: false }),
});

export const CreateTopicsResponse = struct({
  throttleTimeMs: int32({ versions: '2+' }),
  topics: array(struct({
    name: string(),
    topicId: uuid({ versions: '7+' }),
    errorCode: int16(),
    errorMessage: string({ versions: '1+', nullableVersions: '0+' }),
    topicConfigErrorCode: int16({ versions: '5+', taggedVersions: '5+', tag: 0 }),
    numPartitions: int32({ versions: '5+', default: -1 }),
    replicationFactor: int16({ versions: '5+', default: -1 }),
    configs: array(struct({
      name: string(),
      value: string({ nullableVersions: '5+' }),
      readOnly: bool(),
      configSource: int8({ default: -1 }),
      isSensitive: bool(),
    }), { versions: '5+', nullableVersions: '5+' }),
  })),
});

export const CreateTopicsApi = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: [0, 7],
  flexibleFrom: 5,
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
});

export type CreateTopicsRequestData = Infer<typeof CreateTopicsRequest>;
export type CreateTopicsRequestInput = InferInput<typeof CreateTopicsRequest>;
export type CreateTopicsResponseData = Infer<typeof CreateTopicsResponse>;
export type CreateTopicsResponseInput = InferInput<typeof CreateTopicsResponse>;
