import { Injectable } from '@nestjs/common';
import { DescribeTransactionsApi, ErrorCode, type DescribeTransactionsRequestData, type DescribeTransactionsResponseInput } from '@millrace/protocol';
import { TransactionCoordinator, TXN_STATE_NAMES } from '../transaction-coordinator';
import type { ApiHandler } from './api-handler';

/** DescribeTransactions (65), v0 (KIP-664): state, producer, timeout, start time and partitions per id. */
@Injectable()
export class DescribeTransactionsHandler implements ApiHandler<typeof DescribeTransactionsApi> {
  readonly api = DescribeTransactionsApi;
  readonly minVersion = 0;
  readonly maxVersion = 0;

  constructor(private readonly txns: TransactionCoordinator) {}

  handle(request: DescribeTransactionsRequestData): DescribeTransactionsResponseInput {
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => {
        const m = this.txns.describe(id);
        if (!m) {
          return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId: id, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
        }
        return {
          errorCode: ErrorCode.NONE,
          transactionalId: id,
          transactionState: TXN_STATE_NAMES[m.state],
          transactionTimeoutMs: m.txnTimeoutMs,
          transactionStartTimeMs: m.txnStartTimestamp,
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          topics: [...m.partitions].map(([topic, ids]) => ({ topic, partitions: [...ids].sort((a, b) => a - b) })),
        };
      }),
    };
  }
}
