import { defineApi } from '../schema/api';
import { array, int16, int32, int64, string, struct, type Infer, type InferInput } from '../schema/fields';

/** TxnOffsetCommit (API key 28): versions 0-4, flexible from v3. */
export const TxnOffsetCommitRequest = struct({
  transactionalId: string(),
  groupId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  generationId: int32({ versions: '3+', default: -1 }),
  memberId: string({ versions: '3+', default: '' }),
  groupInstanceId: string({ versions: '3+', nullableVersions: '3+', default: null }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      committedOffset: int64(),
      committedLeaderEpoch: int32({ versions: '2+', default: -1 }),
      committedMetadata: string({ nullableVersions: '0+' }),
    })),
  })),
});

export const TxnOffsetCommitResponse = struct({
  throttleTimeMs: int32(),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
    })),
  })),
});

export const TxnOffsetCommitApi = defineApi({
  apiKey: 28,
  name: 'TxnOffsetCommit',
  validVersions: [0, 4],
  flexibleFrom: 3,
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
});

export type TxnOffsetCommitRequestData = Infer<typeof TxnOffsetCommitRequest>;
export type TxnOffsetCommitRequestInput = InferInput<typeof TxnOffsetCommitRequest>;
export type TxnOffsetCommitResponseData = Infer<typeof TxnOffsetCommitResponse>;
export type TxnOffsetCommitResponseInput = InferInput<typeof TxnOffsetCommitResponse>;
