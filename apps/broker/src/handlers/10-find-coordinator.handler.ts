import { Injectable } from '@nestjs/common';
import { ErrorCode, FindCoordinatorApi, type FindCoordinatorRequestData, type FindCoordinatorResponseInput } from '@millrace/protocol';
import { ClusterIdentity } from '../metadata/cluster-identity';
import type { ApiHandler } from './api-handler';

enum CoordinatorType {
  GROUP = 0,
  TRANSACTION = 1,
}

/**
 * FindCoordinator (10), v0-2: this broker coordinates every group. Transaction
 * coordinators come with the transactions issue; until then key type 1 answers
 * COORDINATOR_NOT_AVAILABLE.
 */
@Injectable()
export class FindCoordinatorHandler implements ApiHandler<typeof FindCoordinatorApi> {
  readonly api = FindCoordinatorApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly identity: ClusterIdentity) {}

  handle(request: FindCoordinatorRequestData): FindCoordinatorResponseInput {
    const { nodeId, host, port } = this.identity;
    if (request.keyType === CoordinatorType.GROUP) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId, host, port };
    }
    const errorCode = request.keyType === CoordinatorType.TRANSACTION ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.INVALID_REQUEST;
    return { throttleTimeMs: 0, errorCode, errorMessage: `no coordinator for key type ${request.keyType}`, nodeId: -1, host: '', port: -1 };
  }
}
