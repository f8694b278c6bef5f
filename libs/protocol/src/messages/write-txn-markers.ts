import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** WriteTxnMarkers (API key 27): versions 0-1, flexible from v1. */
export const WriteTxnMarkersRequest = struct({
  markers: array(struct({
    producerId: int64(),
    producerEpoch: int16(),
    transactionResult: bool(),
    topics: array(struct({
      name: string(),
      partitionIndexes: array(int32()),
    })),
    coordinatorEpoch: int32(),
  })),
});

export const WriteTxnMarkersResponse = struct({
  markers: array(struct({
    producerId: int64(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16(),
      })),
    })),
  })),
});

export const WriteTxnMarkersApi = defineApi({
  apiKey: 27,
  name: 'WriteTxnMarkers',
  validVersions: [0, 1],
  flexibleFrom: 1,
  request: WriteTxnMarkersRequest,
  response: WriteTxnMarkersResponse,
});

export type WriteTxnMarkersRequestData = Infer<typeof WriteTxnMarkersRequest>;
export type WriteTxnMarkersRequestInput = InferInput<typeof WriteTxnMarkersRequest>;
export type WriteTxnMarkersResponseData = Infer<typeof WriteTxnMarkersResponse>;
export type WriteTxnMarkersResponseInput = InferInput<typeof WriteTxnMarkersResponse>;
