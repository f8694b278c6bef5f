import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** OffsetDelete (API key 47): version 0, never flexible. */
export const OffsetDeleteRequest = struct({
  groupId: string(),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
    })),
  })),
});

export const OffsetDeleteResponse = struct({
  errorCode: int16(),
  throttleTimeMs: int32(),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
    })),
  })),
});

export const OffsetDeleteApi = defineApi({
  apiKey: 47,
  name: 'OffsetDelete',
  validVersions: [0, 0],
  flexibleFrom: null,
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
});

export type OffsetDeleteRequestData = Infer<typeof OffsetDeleteRequest>;
export type OffsetDeleteRequestInput = InferInput<typeof OffsetDeleteRequest>;
export type OffsetDeleteResponseData = Infer<typeof OffsetDeleteResponse>;
export type OffsetDeleteResponseInput = InferInput<typeof OffsetDeleteResponse>;
