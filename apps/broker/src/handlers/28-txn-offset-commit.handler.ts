import { Injectable } from '@nestjs/common';
import { TxnOffsetCommitApi, type TxnOffsetCommitRequestData, type TxnOffsetCommitResponseInput } from '@millrace/protocol';
import { TxnOffsetCommitter } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** TxnOffsetCommit (28), v0-3 (v3: KIP-447 member id, generation, group instance id); see TxnOffsetCommitter. */
@Injectable()
export class TxnOffsetCommitHandler implements ApiHandler<typeof TxnOffsetCommitApi> {
  readonly api = TxnOffsetCommitApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly committer: TxnOffsetCommitter) {}

  handle(request: TxnOffsetCommitRequestData, context: RequestContext): Promise<TxnOffsetCommitResponseInput> {
    return this.committer.commit(request, context.apiVersion);
  }
}
