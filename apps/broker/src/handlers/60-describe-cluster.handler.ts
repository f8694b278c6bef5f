import { Inject, Injectable } from '@nestjs/common';
import { DescribeClusterApi, ErrorCode, type DescribeClusterRequestData, type DescribeClusterResponseInput } from '@millrace/protocol';
import { CLUSTER_VIEW, type ClusterView } from '../cluster/cluster-view';
import { ClusterIdentity } from '../metadata/cluster-identity';
import type { ApiHandler } from './api-handler';

/** Kafka's endpointType for broker endpoints (v1+); 2 (controller endpoints) is KRaft-only. */
const BROKER_ENDPOINT = 1;

/**
 * DescribeCluster (60), v0-1: the cluster id, the controller and the live brokers
 * (ClusterView, as in Metadata). Asking for controller endpoints (endpointType 2, a KRaft
 * controller quorum) answers UNSUPPORTED_ENDPOINT_TYPE, as Kafka's brokers do.
 * Authorized operations are not tracked (no ACLs): Kafka's "not requested" value.
 */
@Injectable()
export class DescribeClusterHandler implements ApiHandler<typeof DescribeClusterApi> {
  readonly api = DescribeClusterApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(
    private readonly identity: ClusterIdentity,
    @Inject(CLUSTER_VIEW) private readonly cluster: ClusterView,
  ) {}

  handle(request: DescribeClusterRequestData): DescribeClusterResponseInput {
    const base = { throttleTimeMs: 0, endpointType: request.endpointType, clusterId: this.identity.clusterId };
    if (request.endpointType !== BROKER_ENDPOINT) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `endpoint type ${request.endpointType} is not served by brokers`, controllerId: -1, brokers: [] };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: this.cluster.controllerId(),
      brokers: this.cluster.liveBrokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    };
  }
}
