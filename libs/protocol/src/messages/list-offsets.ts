import { defineApi } from '../schema/api';
import { array, int16, int32, int64, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ListOffsets (API key 2): versions 0-8, flexible from v6. */
export const ListOffsetsRequest = struct({
  replicaId: int32(),
  isolationLevel: int8({ versions: '2+' }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      currentLeaderEpoch: int32({ versions: '4+', default: -1 }),
      timestamp: int64(),
      maxNumOffsets: int32({ versions: '0', default: 1 }),
    })),
  })),
});

export const ListOffsetsResponse = struct({
  throttleTimeMs: int32({ versions: '2+' }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
      oldStyleOffsets: array(int64(), { versions: '0' }),
      timestamp: int64({ versions: '1+', default: -1 }),
      offset: int64({ versions: '1+', default: -1 }),
      leaderEpoch: int32({ versions: '4+', default: -1 }),
    })),
  })),
});

export const ListOffsetsApi = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: [0, 8],
  flexibleFrom: 6,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
});

export type ListOffsetsRequestData = Infer<typeof ListOffsetsRequest>;
export type ListOffsetsRequestInput = InferInput<typeof ListOffsetsRequest>;
export type ListOffsetsResponseData = Infer<typeof ListOffsetsResponse>;
export type ListOffsetsResponseInput = InferInput<typeof ListOffsetsResponse>;
