import { Injectable } from '@nestjs/common';
import { ErrorCode, InitProducerIdApi, type InitProducerIdRequestData, type InitProducerIdResponseInput } from '@millrace/protocol';
import { ProducerIdManager } from '../producer/producer-id-manager';
import { TransactionCoordinator } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/**
 * InitProducerId (22), v0-4. Idempotent producers (no transactional id) get a fresh
 * producer id with epoch 0; with a transactional id the transaction coordinator answers
 * (epoch bump, fencing, KIP-360 recovery from v3).
 */
@Injectable()
export class InitProducerIdHandler implements ApiHandler<typeof InitProducerIdApi> {
  readonly api = InitProducerIdApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(
    private readonly producerIds: ProducerIdManager,
    private readonly txns: TransactionCoordinator,
  ) {}

  async handle(request: InitProducerIdRequestData, context: RequestContext): Promise<InitProducerIdResponseInput> {
    if (request.transactionalId !== null) {
      const r = await this.txns.initProducerId(request.transactionalId, request.transactionTimeoutMs, request.producerId, request.producerEpoch, context.apiVersion);
      return { throttleTimeMs: 0, ...r };
    }
    const producerId = await this.producerIds.nextProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  }
}
