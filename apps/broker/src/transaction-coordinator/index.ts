/** Public surface of the transaction coordinator module (handlers and admin import from here). */
export { TransactionCoordinator, PRODUCER_FENCED_SINCE, partitionErrorKey, type InitProducerIdResult } from './transaction-coordinator';
export { TransactionCoordinatorModule } from './transaction-coordinator.module';
export { TxnOffsetCommitter } from './txn-offset-commit';
export { PendingTxnOffsets } from './pending-txn-offsets';
export { TxnState, TXN_STATE_NAMES, txnStateFromName } from './transaction-metadata';
export { TRANSACTION_STATE_TOPIC, partitionForTransactionalId } from './transaction-log-format';
