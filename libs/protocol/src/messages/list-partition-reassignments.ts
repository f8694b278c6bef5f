import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** ListPartitionReassignments (API key 46): version 0, flexible. */
export const ListPartitionReassignmentsRequest = struct({
  timeoutMs: int32({ default: 60000 }),
  topics: array(struct({
    name: string(),
    partitionIndexes: array(int32()),
  }), { nullableVersions: '0+', default: null }),
});

export const ListPartitionReassignmentsResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      replicas: array(int32()),
      addingReplicas: array(int32()),
      removingReplicas: array(int32()),
    })),
  })),
});

export const ListPartitionReassignmentsApi = defineApi({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  validVersions: [0, 0],
  flexibleFrom: 0,
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
});

export type ListPartitionReassignmentsRequestData = Infer<typeof ListPartitionReassignmentsRequest>;
export type ListPartitionReassignmentsRequestInput = InferInput<typeof ListPartitionReassignmentsRequest>;
export type ListPartitionReassignmentsResponseData = Infer<typeof ListPartitionReassignmentsResponse>;
export type ListPartitionReassignmentsResponseInput = InferInput<typeof ListPartitionReassignmentsResponse>;
