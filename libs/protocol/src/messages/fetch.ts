import { defineApi } from '../schema/api';
import { array, int16, int32, int64, int8, records, string, struct, uuid, type Infer, type InferInput } from '../schema/fields';

/** Fetch (API key 1): versions 0-16, flexible from v12. */
export const FetchRequest = struct({
  clusterId: string({ versions: '12+', nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: null }),
  replicaId: int32({ versions: '0-14', default: -1 }),
  replicaState: struct({
    replicaId: int32({ default: -1 }),
    replicaEpoch: int64({ default: -1 }),
  }, { versions: '15+', taggedVersions: '15+', tag: 1 }),
  maxWaitMs: int32(),
  minBytes: int32(),
  maxBytes: int32({ versions: '3+', default: 2147483647 }),
  isolationLevel: int8({ versions: '4+', default: 0 }),
  sessionId: int32({ versions: '7+', default: 0 }),
  sessionEpoch: int32({ versions: '7+', default: -1 }),
  topics: array(struct({
    topic: string({ versions: '0-12' }),
    topicId: uuid({ versions: '13+' }),
    partitions: array(struct({
      partition: int32(),
      currentLeaderEpoch: int32({ versions: '9+', default: -1 }),
      fetchOffset: int64(),
      lastFetchedEpoch: int32({ versions: '12+', default: -1 }),
      logStartOffset: int64({ versions: '5+', default: -1 }),
      partitionMaxBytes: int32(),
    })),
  })),
  forgottenTopicsData: array(struct({
    topic: string({ versions: '7-12' }),
    topicId: uuid({ versions: '13+' }),
    partitions: array(int32()),
  }), { versions: '7+' }),
  rackId: string({ versions: '11+', default: '' }),
});

export const FetchResponse = struct({
  throttleTimeMs: int32({ versions: '1+' }),
  errorCode: int16({ versions: '7+' }),
  sessionId: int32({ versions: '7+', default: 0 }),
  responses: array(struct({
    topic: string({ versions: '0-12' }),
    topicId: uuid({ versions: '13+' }),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
      highWatermark: int64(),
      lastStableOffset: int64({ versions: '4+', default: -1 }),
      logStartOffset: int64({ versions: '5+', default: -1 }),
      divergingEpoch: struct({
        epoch: int32({ default: -1 }),
        endOffset: int64({ default: -1 }),
      }, { versions: '12+', taggedVersions: '12+', tag: 0 }),
      currentLeader: struct({
        leaderId: int32({ default: -1 }),
        leaderEpoch: int32({ default: -1 }),
      }, { versions: '12+', taggedVersions: '12+', tag: 1 }),
      snapshotId: struct({
        endOffset: int64({ default: -1 }),
        epoch: int32({ default: -1 }),
      }, { versions: '12+', taggedVersions: '12+', tag: 2 }),
      abortedTransactions: array(struct({
        producerId: int64(),
        firstOffset: int64(),
      }), { versions: '4+', nullableVersions: '4+' }),
      preferredReadReplica: int32({ versions: '11+', default: -1 }),
      records: records(),
    })),
  })),
  nodeEndpoints: array(struct({
    nodeId: int32(),
    host: string(),
    port: int32(),
    rack: string({ nullableVersions: '16+', default: null }),
  }), { versions: '16+', taggedVersions: '16+', tag: 0 }),
});

export const FetchApi = defineApi({
  apiKey: 1,
  name: 'Fetch',
  validVersions: [0, 16],
  flexibleFrom: 12,
  request: FetchRequest,
  response: FetchResponse,
});

export type FetchRequestData = Infer<typeof FetchRequest>;
export type FetchRequestInput = InferInput<typeof FetchRequest>;
export type FetchResponseData = Infer<typeof FetchResponse>;
export type FetchResponseInput = InferInput<typeof FetchResponse>;
