import { Injectable } from '@nestjs/common';
import { ErrorCode, FindCoordinatorApi, type FindCoordinatorRequestData, type FindCoordinatorResponseInput } from '@millrace/protocol';
import { ClusterIdentity } from '../metadata/cluster-identity';
import type { ApiHandler } from './api-handler';

enum CoordinatorType {
  GROUP = 0,
  TRANSACTION = 1,
}

/**
 * FindCoordinator (10), v0-2: this broker coordinates every group (key type 0) and every
 * transactional id (key type 1).
 */
@Injectable()
export class FindCoordinatorHandler implements ApiHandler<typeof FindCoordinatorApi> {
  readonly api = FindCoordinatorApi;
  readonly minVersion = 0;
  readonly maxVersion = 2;

  constructor(private readonly identity: ClusterIdentity) {}

  handle(request: FindCoordinatorRequestData): FindCoordinatorResponseInput {
    const { nodeId, host, port } = this.identity;
    if (request.keyType === CoordinatorType.GROUP || request.keyType === CoordinatorType.TRANSACTION) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId, host, port };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `no coordinator for key type ${request.keyType}`, nodeId: -1, host: '', port: -1 };
  }
}
