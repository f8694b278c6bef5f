import { Injectable } from '@nestjs/common';
import { AddPartitionsToTxnApi, type AddPartitionsToTxnRequestData, type AddPartitionsToTxnResponseInput } from '@millrace/protocol';
import { partitionErrorKey, PRODUCER_FENCED_SINCE, TransactionCoordinator } from '../transaction-coordinator';
import type { ApiHandler, RequestContext } from './api-handler';

/**
 * AddPartitionsToTxn (24), v0-3 (the client's single-transaction form; v4+ is the
 * broker-to-broker batch form of KIP-890). One error code per requested partition.
 */
@Injectable()
export class AddPartitionsToTxnHandler implements ApiHandler<typeof AddPartitionsToTxnApi> {
  readonly api = AddPartitionsToTxnApi;
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly txns: TransactionCoordinator) {}

  async handle(request: AddPartitionsToTxnRequestData, context: RequestContext): Promise<AddPartitionsToTxnResponseInput> {
    const partitions = request.v3AndBelowTopics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
    const errors = await this.txns.addPartitions(
      request.v3AndBelowTransactionalId,
      request.v3AndBelowProducerId,
      request.v3AndBelowProducerEpoch,
      partitions,
      context.apiVersion >= PRODUCER_FENCED_SINCE.addPartitions,
    );
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: request.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errors.get(partitionErrorKey(t.name, p))! })),
      })),
    };
  }
}
