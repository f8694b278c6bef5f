import type { TransactionCompletion, TxnCoordinatorLogger } from './transaction-completion';
import type { LoadedTxn } from './transaction-log-format';
import { copyPartitions, newTxnMetadata, partitionList, TxnState, type TxnMetadata } from './transaction-metadata';

export interface AdoptSummary {
  ids: number;
  prepared: number;
  ongoing: number;
}

/**
 * The transaction coordinator's transactional ids in memory, and how loaded state enters
 * it: as a new coordinator does in Kafka (at start, or after taking over a
 * `__transaction_state` partition), prepared transactions get their markers (again) and
 * complete; open ones abort at their timeout (or when their producer re-initialises).
 */
export class TransactionCache {
  readonly txns = new Map<string, TxnMetadata>();

  constructor(
    private readonly completion: TransactionCompletion,
    private readonly logger: TxnCoordinatorLogger,
  ) {}

  /** Takes loaded ids into the cache and resumes the markers of the prepared ones. */
  adopt(loaded: Map<string, LoadedTxn>): AdoptSummary {
    let prepared = 0;
    let ongoing = 0;
    const adopted: TxnMetadata[] = [];
    for (const [id, t] of loaded) {
      const meta: TxnMetadata = {
        ...newTxnMetadata(id, t.producerId, t.txnTimeoutMs, t.txnLastUpdateTimestamp),
        producerEpoch: t.producerEpoch,
        state: t.state === TxnState.PrepareEpochFence ? TxnState.Ongoing : t.state,
        partitions: copyPartitions(t.partitions),
        txnStartTimestamp: t.txnStartTimestamp,
      };
      this.txns.set(id, meta);
      adopted.push(meta);
      if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) prepared++;
      if (meta.state === TxnState.Ongoing) ongoing++;
    }
    for (const meta of adopted) {
      if (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort) {
        this.logger.info(`resuming ${meta.state === TxnState.PrepareCommit ? 'commit' : 'abort'} of transaction ${meta.transactionalId} (producer ${meta.producerId}, epoch ${meta.producerEpoch}) on ${partitionList(meta.partitions).length} partition(s)`);
        this.completion.startMarkers(meta);
      }
    }
    return { ids: loaded.size, prepared, ongoing };
  }

  /** Forgets the ids `inPartition` selects (their partition moved to another broker); returns how many. */
  drop(inPartition: (transactionalId: string) => boolean): number {
    let n = 0;
    for (const id of [...this.txns.keys()]) {
      if (!inPartition(id)) continue;
      this.txns.delete(id);
      n++;
    }
    return n;
  }
}
