import { Injectable } from '@nestjs/common';
import { EndTxnApi, type EndTxnRequestData, type EndTxnResponseInput } from '@millrace/protocol';
import { PRODUCER_FENCED_SINCE, TransactionCoordinator } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** EndTxn (26), v0-3: commit or abort; answered once Prepare* is durable (the markers follow). */
@Injectable()
export class EndTxnHandler implements ApiHandler<typeof EndTxnApi> {
  readonly api = EndTxnApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly txns: TransactionCoordinator) {}

  async handle(request: EndTxnRequestData, context: RequestContext): Promise<EndTxnResponseInput> {
    const errorCode = await this.txns.endTxn(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      request.committed,
      context.apiVersion >= PRODUCER_FENCED_SINCE.endTxn,
    );
    return { throttleTimeMs: 0, errorCode };
  }
}
