import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** OffsetForLeaderEpoch (API key 23): versions 0-4, flexible from v4. */
export const OffsetForLeaderEpochRequest = struct({
  replicaId: int32({ versions: '3+', default: -2 }),
  topics: array(struct({
    topic: string(),
    partitions: array(struct({
      partition: int32(),
      currentLeaderEpoch: int32({ versions: '2+', default: -1 }),
      leaderEpoch: int32(),
    })),
  })),
});

export const OffsetForLeaderEpochResponse = struct({
  throttleTimeMs: int32({ versions: '2+' }),
  topics: array(struct({
    topic: string(),
    partitions: array(struct({
      errorCode: int16(),
      partition: int32(),
      leaderEpoch: int32({ versions: '1+', default: -1 }),
      endOffset: int64({ default: -1 }),
    })),
  })),
});

export const OffsetForLeaderEpochApi = defineApi({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: [0, 4],
  flexibleFrom: 4,
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
});

export type OffsetForLeaderEpochRequestData = Infer<typeof OffsetForLeaderEpochRequest>;
export type OffsetForLeaderEpochRequestInput = InferInput<typeof OffsetForLeaderEpochRequest>;
export type OffsetForLeaderEpochResponseData = Infer<typeof OffsetForLeaderEpochResponse>;
export type OffsetForLeaderEpochResponseInput = InferInput<typeof OffsetForLeaderEpochResponse>;
