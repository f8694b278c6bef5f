import {
  decodeCoordinatorRecord,
  encodeCoordinatorRecord,
  TransactionLogKey,
  TransactionLogValue,
  type TransactionLogValueData,
} from '@millrace/protocol';
import { kafkaAbs, javaStringHashCode } from '../group-coordinator';
import { copyPartitions, TxnState, type TxnMetadata } from './transaction-metadata';

/**
 * `__transaction_state` records (byte layout in libs/protocol/src/messages/coordinator-records.ts):
 * key TransactionLogKey v0 {transactionalId}, value TransactionLogValue v0 — the state a
 * transition moves to. The id's partition is Kafka's: `Utils.abs(id.hashCode) % partitions`.
 */
export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export function partitionForTransactionalId(transactionalId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(transactionalId)) % numPartitions;
}

export function encodeTxnKey(transactionalId: string): Buffer {
  return encodeCoordinatorRecord(TransactionLogKey, 0, { transactionalId });
}

export function decodeTxnKey(data: Buffer): string {
  return decodeCoordinatorRecord(TransactionLogKey, data).value.transactionalId;
}

/** The record value of `meta` (its current fields; the caller passes the state being written). */
export function encodeTxnValue(meta: Pick<TxnMetadata, 'producerId' | 'producerEpoch' | 'txnTimeoutMs' | 'state' | 'partitions' | 'txnLastUpdateTimestamp' | 'txnStartTimestamp'>): Buffer {
  const complete = meta.state === TxnState.Empty || meta.state === TxnState.CompleteAbort || meta.state === TxnState.CompleteCommit || meta.state === TxnState.Dead;
  return encodeCoordinatorRecord(TransactionLogValue, 0, {
    producerId: meta.producerId,
    producerEpoch: meta.producerEpoch,
    transactionTimeoutMs: meta.txnTimeoutMs,
    transactionStatus: meta.state,
    // Kafka writes no partitions for Empty and Complete* (the transaction is over).
    transactionPartitions: complete ? [] : [...meta.partitions].map(([topic, ids]) => ({ topic, partitionIds: [...ids].sort((a, b) => a - b) })),
    transactionLastUpdateTimestampMs: meta.txnLastUpdateTimestamp,
    transactionStartTimestampMs: meta.txnStartTimestamp,
  });
}

export interface LoadedTxn {
  producerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions: Map<string, Set<number>>;
  txnLastUpdateTimestamp: number;
  txnStartTimestamp: number;
}

export function decodeTxnValue(data: Buffer): LoadedTxn {
  const v: TransactionLogValueData = decodeCoordinatorRecord(TransactionLogValue, data).value;
  if (v.transactionStatus < 0 || v.transactionStatus > 7) throw new Error(`unknown transaction status ${v.transactionStatus}`);
  const partitions = new Map<string, Set<number>>();
  for (const t of v.transactionPartitions ?? []) partitions.set(t.topic, new Set(t.partitionIds));
  return {
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    txnTimeoutMs: v.transactionTimeoutMs,
    state: v.transactionStatus as TxnState,
    partitions: copyPartitions(partitions),
    txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
    txnStartTimestamp: v.transactionStartTimestampMs,
  };
}
