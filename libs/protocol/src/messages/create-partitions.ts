import { defineApi } from '../schema/api';
import { array, bool, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** CreatePartitions (API key 37): versions 0-3, flexible from v2. */
export const CreatePartitionsRequest = struct({
  topics: array(struct({
    name: string(),
    count: int32(),
    assignments: array(struct({
      brokerIds: array(int32()),
    }), { nullableVersions: '0+' }),
  })),
  timeoutMs: int32(),
  validateOnly: bool(),
});

export const CreatePartitionsResponse = struct({
  throttleTimeMs: int32(),
  results: array(struct({
    name: string(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
  })),
});

export const CreatePartitionsApi = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: [0, 3],
  flexibleFrom: 2,
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
});

export type CreatePartitionsRequestData = Infer<typeof CreatePartitionsRequest>;
export type CreatePartitionsRequestInput = InferInput<typeof CreatePartitionsRequest>;
export type CreatePartitionsResponseData = Infer<typeof CreatePartitionsResponse>;
export type CreatePartitionsResponseInput = InferInput<typeof CreatePartitionsResponse>;
