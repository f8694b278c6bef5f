import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** OffsetCommit (API key 8): versions 0-9, flexible from v8. */
export const OffsetCommitRequest = struct({
  groupId: string(),
  generationIdOrMemberEpoch: int32({ versions: '1+', default: -1 }),
  memberId: string({ versions: '1+' }),
  groupInstanceId: string({ versions: '7+', nullableVersions: '7+', default: null }),
  retentionTimeMs: int64({ versions: '2-4', default: -1 }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      committedOffset: int64(),
      committedLeaderEpoch: int32({ versions: '6+', default: -1 }),
      commitTimestamp: int64({ versions: '1', default: -1 }),
      committedMetadata: string({ nullableVersions: '0+' }),
    })),
  })),
});

export const OffsetCommitResponse = struct({
  throttleTimeMs: int32({ versions: '3+' }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
    })),
  })),
});

export const OffsetCommitApi = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: [0, 9],
  flexibleFrom: 8,
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
});

export type OffsetCommitRequestData = Infer<typeof OffsetCommitRequest>;
export type OffsetCommitRequestInput = InferInput<typeof OffsetCommitRequest>;
export type OffsetCommitResponseData = Infer<typeof OffsetCommitResponse>;
export type OffsetCommitResponseInput = InferInput<typeof OffsetCommitResponse>;
