import { Injectable } from '@nestjs/common';
import { ErrorCode, InitProducerIdApi, type InitProducerIdRequestData, type InitProducerIdResponseInput } from '@millrace/protocol';
import { ProducerIdManager } from '../producer/producer-id-manager';
import type { ApiHandler } from './api-handler';

/**
 * InitProducerId (22), v0-4, for idempotent producers: a fresh producer id with epoch 0.
 * Transactional ids come with the transactions issue and are refused clearly until then.
 */
@Injectable()
export class InitProducerIdHandler implements ApiHandler<typeof InitProducerIdApi> {
  readonly api = InitProducerIdApi;
  readonly minVersion = 0;
  readonly maxVersion = 4;

  constructor(private readonly producerIds: ProducerIdManager) {}

  async handle(request: InitProducerIdRequestData): Promise<InitProducerIdResponseInput> {
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    const producerId = await this.producerIds.nextProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  }
}
