import { Injectable } from '@nestjs/common';
import { ErrorCode, ListTransactionsApi, type ListTransactionsRequestData, type ListTransactionsResponseInput } from '@millrace/protocol';
import { TransactionCoordinator, TXN_STATE_NAMES, txnStateFromName } from '../transaction-coordinator';
import type { ApiHandler } from './api-handler';

/**
 * ListTransactions (66), v0-1 (KIP-664, KIP-994): every transactional id, filtered by
 * state names (unknown names are echoed in UnknownStateFilters), producer ids and — v1 —
 * a minimum running time of the open transaction.
 */
@Injectable()
export class ListTransactionsHandler implements ApiHandler<typeof ListTransactionsApi> {
  readonly api = ListTransactionsApi;
  readonly minVersion = 0;
  readonly maxVersion = 1;

  constructor(private readonly txns: TransactionCoordinator) {}

  handle(request: ListTransactionsRequestData): ListTransactionsResponseInput {
    const unknownStateFilters = request.stateFilters.filter((s) => txnStateFromName(s) === undefined);
    const states = new Set(request.stateFilters.map(txnStateFromName).filter((s) => s !== undefined));
    const pids = new Set(request.producerIdFilters);
    const now = Date.now();
    const transactionStates = this.txns
      .all()
      .filter((m) => request.stateFilters.length === 0 || states.has(m.state))
      .filter((m) => pids.size === 0 || pids.has(m.producerId))
      .filter((m) => request.durationFilter < 0 || (m.txnStartTimestamp >= 0 && now - m.txnStartTimestamp > request.durationFilter))
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: TXN_STATE_NAMES[m.state] }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
  }
}
