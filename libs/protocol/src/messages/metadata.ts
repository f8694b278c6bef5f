import { defineApi } from '../schema/api';
import { array, bool, int16, int32, string, struct, uuid, type Infer, type InferInput } from '../schema/fields';

/** Metadata (API key 3): versions 0-12, flexible from v9. */
export const MetadataRequest = struct({
  topics: array(struct({
    topicId: uuid({ versions: '10+' }),
    name: string({ nullableVersions: '10+' }),
  }), { nullableVersions: '1+' }),
  allowAutoTopicCreation: bool({ versions: '4+', default: true }),
  includeClusterAuthorizedOperations: bool({ versions: '8-10' }),
  includeTopicAuthorizedOperations: bool({ versions: '8+' }),
});

export const MetadataResponse = struct({
  throttleTimeMs: int32({ versions: '3+' }),
  brokers: array(struct({
    nodeId: int32(),
    host: string(),
    port: int32(),
    rack: string({ versions: '1+', nullableVersions: '1+', default: null }),
  })),
  clusterId: string({ versions: '2+', nullableVersions: '2+', default: null }),
  controllerId: int32({ versions: '1+', default: -1 }),
  topics: array(struct({
    errorCode: int16(),
    name: string({ nullableVersions: '12+' }),
    topicId: uuid({ versions: '10+' }),
    isInternal: bool({ versions: '1+', default: false }),
    partitions: array(struct({
      errorCode: int16(),
      partitionIndex: int32(),
      leaderId: int32(),
      leaderEpoch: int32({ versions: '7+', default: -1 }),
      replicaNodes: array(int32()),
      isrNodes: array(int32()),
      offlineReplicas: array(int32(), { versions: '5+' }),
    })),
    topicAuthorizedOperations: int32({ versions: '8+', default: -2147483648 }),
  })),
  clusterAuthorizedOperations: int32({ versions: '8-10', default: -2147483648 }),
});

export const MetadataApi = defineApi({
  apiKey: 3,
  name: 'Metadata',
  validVersions: [0, 12],
  flexibleFrom: 9,
  request: MetadataRequest,
  response: MetadataResponse,
});

export type MetadataRequestData = Infer<typeof MetadataRequest>;
export type MetadataRequestInput = InferInput<typeof MetadataRequest>;
export type MetadataResponseData = Infer<typeof MetadataResponse>;
export type MetadataResponseInput = InferInput<typeof MetadataResponse>;
