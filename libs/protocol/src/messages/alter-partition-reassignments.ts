import { defineApi } from '../schema/api';
import { array, int16, int32, string, struct, type Infer, type InferInput } from '../schema/fields';

/** AlterPartitionReassignments (API key 45): version 0, flexible. */
export const AlterPartitionReassignmentsRequest = struct({
  timeoutMs: int32({ default: 60000 }),
  topics: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      replicas: array(int32(), { nullableVersions: '0+', default: null }),
    })),
  })),
});

export const AlterPartitionReassignmentsResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  responses: array(struct({
    name: string(),
    partitions: array(struct({
      partitionIndex: int32(),
      errorCode: int16(),
      errorMessage: string({ nullableVersions: '0+', default: null }),
    })),
  })),
});

export const AlterPartitionReassignmentsApi = defineApi({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  validVersions: [0, 0],
  flexibleFrom: 0,
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
});

export type AlterPartitionReassignmentsRequestData = Infer<typeof AlterPartitionReassignmentsRequest>;
export type AlterPartitionReassignmentsRequestInput = InferInput<typeof AlterPartitionReassignmentsRequest>;
export type AlterPartitionReassignmentsResponseData = Infer<typeof AlterPartitionReassignmentsResponse>;
export type AlterPartitionReassignmentsResponseInput = InferInput<typeof AlterPartitionReassignmentsResponse>;
