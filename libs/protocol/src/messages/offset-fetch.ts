import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** OffsetFetch (API key 9): versions 0-9, flexible from v6. */
export const OffsetFetchRequest = struct({
  groupId: string({ versions: '0-7' }),
  topics: array(struct({
    name: string(),
    partitionIndexes: array(int32()),
  }), { versions: '0-7', nullableVersions: '2-7' }),
  groups: array(struct({
    groupId: string(),
    memberId: string({ versions: '9+', nullableVersions: '9+', default: null }),
    memberEpoch: int32({ versions: '9+', default: -1 }),
    topics: array(struct({
      name: string(),
      partitionIndexes: array(int32()),
    }), { nullableVersions: '8+' }),
  }), { versions: '8+' }),
  requireStable: bool({ versions: '7+', default: false }),
});

export const OffsetFetchResponse = struct({
  throttleTimeMs: int32({ versions: '3+' }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      committedOffset: int64(),
      committedLeaderEpoch: int32({ versions: '5-7', default: -1 }),
      metadata: string({ nullableVersions: '0-7' }),
      errorCode: int16(),
    })),
  }), { versions: '0-7' }),
  errorCode: int16({ versions: '2-7', default: 0 }),
  groups: array(struct({
    groupId: string(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        committedOffset: int64(),
        committedLeaderEpoch: int32({ default: -1 }),
        metadata: string({ nullableVersions: '8+' }),
        errorCode: int16(),
      })),
    })),
    errorCode: int16({ default: 0 }),
  }), { versions: '8+' }),
});

export const OffsetFetchApi = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: [0, 9],
  flexibleFrom: 6,
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
});

export type OffsetFetchRequestData = Infer<typeof OffsetFetchRequest>;
export type OffsetFetchRequestInput = InferInput<typeof OffsetFetchRequest>;
export type OffsetFetchResponseData = Infer<typeof OffsetFetchResponse>;
export type OffsetFetchResponseInput = InferInput<typeof OffsetFetchResponse>;
