import { Injectable } from '@nestjs/common';
import { AddOffsetsToTxnApi, type AddOffsetsToTxnRequestData, type AddOffsetsToTxnResponseInput } from '@millrace/protocol';
import { GroupCoordinator } from '../group-coordinator';
import { CONSUMER_OFFSETS_TOPIC } from '../group-coordinator/consumer-offsets-log';
import { PRODUCER_FENCED_SINCE, TransactionCoordinator } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/** AddOffsetsToTxn (25), v0-3: adds the group's `__consumer_offsets` partition to the transaction. */
@Injectable()
export class AddOffsetsToTxnHandler implements ApiHandler<typeof AddOffsetsToTxnApi> {
  readonly api = AddOffsetsToTxnApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(
    private readonly txns: TransactionCoordinator,
    private readonly groups: GroupCoordinator,
  ) {}

  async handle(request: AddOffsetsToTxnRequestData, context: RequestContext): Promise<AddOffsetsToTxnResponseInput> {
    const errorCode = await this.txns.addOffsets(
      request.transactionalId,
      request.producerId,
      request.producerEpoch,
      { topic: CONSUMER_OFFSETS_TOPIC, partition: this.groups.partitionFor(request.groupId) },
      context.apiVersion >= PRODUCER_FENCED_SINCE.addOffsets,
    );
    return { throttleTimeMs: 0, errorCode };
  }
}
