/**
 * One transactional id's state as Kafka's TransactionMetadata keeps it
 * (core/.../coordinator/transaction/TransactionMetadata.scala), and the state machine.
 *
 *   Empty ──AddPartitions──▶ Ongoing ──EndTxn(commit)──▶ PrepareCommit ──markers──▶ CompleteCommit
 *     ▲                        │   └──EndTxn(abort) / timeout / fencing──▶ PrepareAbort ──markers──▶ CompleteAbort
 *     │                        └──InitProducerId or timeout: PrepareEpochFence (epoch bumped, in memory) ──▶ PrepareAbort
 *   Complete* / Empty ──InitProducerId──▶ Empty (epoch bumped);  Empty / Complete* ──expiry──▶ Dead (tombstone)
 *
 * Prepare* is the commit point: once it is in `__transaction_state` the outcome is fixed
 * and the markers are (re)written until every partition has one, across restarts.
 * `pending` is set while a transition's record is being appended (or its markers
 * written): any other request for the id meanwhile gets CONCURRENT_TRANSACTIONS.
 */
export enum TxnState {
  Empty = 0,
  Ongoing = 1,
  PrepareCommit = 2,
  PrepareAbort = 3,
  CompleteCommit = 4,
  CompleteAbort = 5,
  Dead = 6,
  PrepareEpochFence = 7,
}

/** Kafka's names (DescribeTransactions / ListTransactions use them). */
export const TXN_STATE_NAMES: Record<TxnState, string> = {
  [TxnState.Empty]: 'Empty',
  [TxnState.Ongoing]: 'Ongoing',
  [TxnState.PrepareCommit]: 'PrepareCommit',
  [TxnState.PrepareAbort]: 'PrepareAbort',
  [TxnState.CompleteCommit]: 'CompleteCommit',
  [TxnState.CompleteAbort]: 'CompleteAbort',
  [TxnState.Dead]: 'Dead',
  [TxnState.PrepareEpochFence]: 'PrepareEpochFence',
};

export function txnStateFromName(name: string): TxnState | undefined {
  const found = Object.entries(TXN_STATE_NAMES).find(([, n]) => n === name);
  return found ? (Number(found[0]) as TxnState) : undefined;
}

/** Legal previous states of each state (TransactionState.validPreviousStates). */
const VALID_PREVIOUS: Record<TxnState, readonly TxnState[]> = {
  [TxnState.Empty]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.Ongoing]: [TxnState.Ongoing, TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareCommit]: [TxnState.Ongoing],
  [TxnState.PrepareAbort]: [TxnState.Ongoing, TxnState.PrepareEpochFence],
  [TxnState.CompleteCommit]: [TxnState.PrepareCommit],
  [TxnState.CompleteAbort]: [TxnState.PrepareAbort],
  [TxnState.Dead]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareEpochFence]: [TxnState.Ongoing],
};

export function isValidTransition(from: TxnState, to: TxnState): boolean {
  return VALID_PREVIOUS[to].includes(from);
}

/** Largest epoch a producer id is used with; the next bump takes a new producer id (Kafka: Short.MaxValue - 1). */
export const MAX_PRODUCER_EPOCH = 32766;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

export interface TxnMetadata {
  readonly transactionalId: string;
  producerId: number;
  /** The producer id before the last one (epoch exhaustion), -1 if none. */
  lastProducerId: number;
  producerEpoch: number;
  /** Epoch before the last bump done for a KIP-360 recovery (lets a retried InitProducerId be recognised), -1 if none. */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  /** Partitions of the open transaction, topic -> partition ids. */
  partitions: Map<string, Set<number>>;
  /** When the open transaction started (first AddPartitions), -1 when none. */
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** A transition in flight (record append / markers): other requests get CONCURRENT_TRANSACTIONS. */
  pending: boolean;
}

export function newTxnMetadata(transactionalId: string, producerId: number, txnTimeoutMs: number, now: number): TxnMetadata {
  return {
    transactionalId,
    producerId,
    lastProducerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs,
    state: TxnState.Empty,
    partitions: new Map(),
    txnStartTimestamp: -1,
    txnLastUpdateTimestamp: now,
    pending: false,
  };
}

export function hasPartition(meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions.get(topic)?.has(partition) ?? false;
}

export function partitionList(partitions: Map<string, Set<number>>): { topic: string; partition: number }[] {
  const out: { topic: string; partition: number }[] = [];
  for (const [topic, ids] of partitions) for (const partition of ids) out.push({ topic, partition });
  return out;
}

export function copyPartitions(partitions: Map<string, Set<number>>): Map<string, Set<number>> {
  return new Map([...partitions].map(([t, ids]) => [t, new Set(ids)]));
}
