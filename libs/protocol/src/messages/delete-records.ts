import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DeleteRecords (API key 21): versions 0-2, flexible from v2. */
export const DeleteRecordsRequest = struct({
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      offset: int64(),
    })),
  })),
  timeoutMs: int32(),
});

export const DeleteRecordsResponse = struct({
  throttleTimeMs: int32(),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      lowWatermark: int64(),
      errorCode: int16(),
    })),
  })),
});

export const DeleteRecordsApi = defineApi({
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: [0, 2],
  flexibleFrom: 2,
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
});

export type DeleteRecordsRequestData = Infer<typeof DeleteRecordsRequest>;
export type DeleteRecordsRequestInput = InferInput<typeof DeleteRecordsRequest>;
export type DeleteRecordsResponseData = Infer<typeof DeleteRecordsResponse>;
export type DeleteRecordsResponseInput = InferInput<typeof DeleteRecordsResponse>;
