import { defineApi } from '../schema/api';
import { array, bool, int16, int32, int8, string, struct, type Infer, type InferInput } from '../schema/fields';

/** DescribeCluster (API key 60): versions 0-1, flexible from v0. */
export const DescribeClusterRequest = struct({
  includeClusterAuthorizedOperations: bool(),
  endpointType: int8({ versions: '1+', default: 1 }),
});

export const DescribeClusterResponse = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  endpointType: int8({ versions: '1+', default: 1 }),
  clusterId: string(),
  controllerId: int32({ default: -1 }),
  brokers: array(struct({
    brokerId: int32(),
    host: string(),
    port: int32(),
    rack: string({ nullableVersions: '0+', default: null }),
  })),
  clusterAuthorizedOperations: int32({ default: -2147483648 }),
});

export const DescribeClusterApi = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  validVersions: [0, 1],
  flexibleFrom: 0,
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
});

export type DescribeClusterRequestData = Infer<typeof DescribeClusterRequest>;
export type DescribeClusterRequestInput = InferInput<typeof DescribeClusterRequest>;
export type DescribeClusterResponseData = Infer<typeof DescribeClusterResponse>;
export type DescribeClusterResponseInput = InferInput<typeof DescribeClusterResponse>;
