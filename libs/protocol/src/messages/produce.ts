import { defineApi } from '../schema/api';
import { array, int16, int32, int64, records, string, struct, type Infer, type InferInput } from '../schema/fields';

/** Produce (API key 0): versions 0-11, flexible from v9. */
export const ProduceRequest = struct({
  transactionalId: string({ versions: '3+', nullableVersions: '3+', default: null }),
  acks: int16(),
  timeoutMs: int32(),
  topicData: array(struct({
    name: string(),
    partitionData: array(struct({
      index: int32(),
      records: records(),
    })),
  })),
});

export const ProduceResponse = struct({
  responses: array(struct({
    name: string(),
    partitionResponses: array(struct({
      index: int32(),
      errorCode: int16(),
      baseOffset: int64(),
      logAppendTimeMs: int64({ versions: '2+', default: -1 }),
      logStartOffset: int64({ versions: '5+', default: -1 }),
      recordErrors: array(struct({
        batchIndex: int32(),
        batchIndexErrorMessage: string({ nullableVersions: '8+', default: null }),
      }), { versions: '8+' }),
      errorMessage: string({ versions: '8+', nullableVersions: '8+', default: null }),
      currentLeader: struct({
        leaderId: int32({ default: -1 }),
        leaderEpoch: int32({ default: -1 }),
      }, { versions: '10+', taggedVersions: '10+', tag: 0 }),
    })),
  })),
  throttleTimeMs: int32({ versions: '1+', default: 0 }),
  nodeEndpoints: array(struct({
    nodeId: int32(),
    host: string(),
    port: int32(),
    rack: string({ nullableVersions: '10+', default: null }),
  }), { versions: '10+', taggedVersions: '10+', tag: 0 }),
});

export const ProduceApi = defineApi({
  apiKey: 0,
  name: 'Produce',
  validVersions: [0, 11],
  flexibleFrom: 9,
  request: ProduceRequest,
  response: ProduceResponse,
});

export type ProduceRequestData = Infer<typeof ProduceRequest>;
export type ProduceRequestInput = InferInput<typeof ProduceRequest>;
export type ProduceResponseData = Infer<typeof ProduceResponse>;
export type ProduceResponseInput = InferInput<typeof ProduceResponse>;
