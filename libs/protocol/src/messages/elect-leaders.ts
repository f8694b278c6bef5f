import { defineApi } from '../schema/api';
import { array, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ElectLeaders (API key 43): versions 0-2, flexible from v2. */
export const ElectLeadersRequest = struct({
  electionType: int8({ versions: '1+' }),
  topicPartitions: array(struct({
    topic: string(),
    partitions: array(int32()),
  }), { nullableVersions: '0+' }),
  timeoutMs: int32({ default: 60000 }),
});

export const ElectLeadersResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16({ versions: '1+' }),
  replicaElectionResults: array(struct({
    topic: string(),
    partitionResult: array(struct({
      partitionId: int32(),
      errorCode: int16(),
      errorMessage: string({ nullableVersions: '0+', default: null }),
    })),
  })),
});

export const ElectLeadersApi = defineApi({
  apiKey: 43,
  name: 'ElectLeaders',
  validVersions: [0, 2],
  flexibleFrom: 2,
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
});

export type ElectLeadersRequestData = Infer<typeof ElectLeadersRequest>;
export type ElectLeadersRequestInput = InferInput<typeof ElectLeadersRequest>;
export type ElectLeadersResponseData = Infer<typeof ElectLeadersResponse>;
export type ElectLeadersResponseInput = InferInput<typeof ElectLeadersResponse>;
