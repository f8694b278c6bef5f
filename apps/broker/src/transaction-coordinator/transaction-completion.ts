import type { CoordinatorClock } from '../group-coordinator';
import type { TransactionConfig } from './transaction-config';
import { encodeTxnKey, encodeTxnValue } from './transaction-log-format';
import type { MarkerWriter } from './transaction-markers';
import { MAX_PRODUCER_EPOCH, partitionList, TxnState, type TxnMetadata } from './transaction-metadata';
import type { TxnStateStore } from './transaction-state-log';

export interface TxnCoordinatorLogger {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
}

/** How long a request waits for markers in flight before answering CONCURRENT_TRANSACTIONS. */
const SETTLE_WAIT_MS = 500;

/**
 * The end of a transaction, for the TransactionCoordinator: writing Prepare{Commit,Abort}
 * (the commit point), the markers (retried every markerRetryBackoffMs until all are
 * written, first delayed by markerDelayMs when set), then Complete{Commit,Abort}; and the
 * epoch fence (PrepareEpochFence) that aborts a transaction on behalf of a newer producer
 * or a timeout. Also every state write (`persist`) and the brief wait (`settle`) a request
 * makes for markers in flight. One completion at a time per transactional id.
 */
export class TransactionCompletion {
  private readonly completions = new Map<string, { meta: TxnMetadata; done: Promise<void> }>();

  constructor(
    private readonly config: TransactionConfig,
    private readonly store: TxnStateStore,
    private readonly markers: MarkerWriter,
    private readonly logger: TxnCoordinatorLogger,
    private readonly clock: CoordinatorClock,
    private readonly partitionFor: (transactionalId: string) => number,
    /** Whether the coordinator stopped serving this id (shut down, or another broker coordinates it now). */
    private readonly stopped: (transactionalId: string) => boolean,
  ) {}

  /** Waits (briefly) for a transition or markers in flight; false if the id is still busy. */
  async settle(meta: TxnMetadata): Promise<boolean> {
    const busy = (): boolean => meta.pending || meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort || meta.state === TxnState.PrepareEpochFence;
    if (!busy()) return true;
    const inFlight = this.completions.get(meta.transactionalId)?.done;
    if (inFlight) await Promise.race([inFlight.catch(() => undefined), sleep(SETTLE_WAIT_MS)]);
    return !busy();
  }

  async persist(next: TxnMetadata): Promise<void> {
    await this.store.append(this.partitionFor(next.transactionalId), encodeTxnKey(next.transactionalId), encodeTxnValue(next));
  }

  /** Ongoing -> PrepareEpochFence (epoch bumped, in memory) -> PrepareAbort; resolves when the markers are written. */
  async fenceAndAbort(meta: TxnMetadata): Promise<void> {
    const epoch = meta.producerEpoch;
    meta.state = TxnState.PrepareEpochFence;
    if (meta.producerEpoch < MAX_PRODUCER_EPOCH + 1) meta.producerEpoch += 1;
    try {
      await this.prepare(meta, false);
    } catch (err) {
      // Not written: the transaction is still open under the epoch it had (the bumped one was
      // never written nor returned), so the producer retrying InitProducerId with it (KIP-360)
      // is not fenced; the next attempt fences and aborts again.
      meta.state = TxnState.Ongoing;
      meta.producerEpoch = epoch;
      throw err;
    }
    await this.completions.get(meta.transactionalId)?.done;
  }

  /** Writes Prepare{Commit,Abort} and starts the markers. Rejects (state unchanged) if the record is not written. */
  async prepare(meta: TxnMetadata, commit: boolean): Promise<void> {
    const previous = meta.state;
    const next = { ...meta, state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, txnLastUpdateTimestamp: this.clock.now() };
    const wasPending = meta.pending;
    meta.pending = true;
    try {
      await this.persist(next);
    } catch (err) {
      meta.state = previous;
      throw err;
    } finally {
      meta.pending = wasPending;
    }
    meta.state = next.state;
    meta.txnLastUpdateTimestamp = next.txnLastUpdateTimestamp;
    this.startMarkers(meta);
  }

  /** Writes the markers of a prepared transaction (retrying until they are all written), then Complete*. */
  startMarkers(meta: TxnMetadata): void {
    const id = meta.transactionalId;
    const running = this.completions.get(id);
    if (running) {
      // A completion of an earlier copy of this id (before its partition moved away and back): ours follows it.
      if (running.meta !== meta) void running.done.finally(() => (meta.state === TxnState.PrepareCommit || meta.state === TxnState.PrepareAbort ? this.startMarkers(meta) : undefined));
      return;
    }
    const commit = meta.state === TxnState.PrepareCommit;
    const run = async (): Promise<void> => {
      if (this.config.markerDelayMs > 0) await sleep(this.config.markerDelayMs);
      for (;;) {
        if (this.stopped(id)) return;
        try {
          await this.markers.writeMarkers(meta.producerId, meta.producerEpoch, commit, partitionList(meta.partitions));
          // Another broker coordinates the id now: it records the completion.
          if (this.stopped(id)) return;
          const next = {
            ...meta,
            state: commit ? TxnState.CompleteCommit : TxnState.CompleteAbort,
            partitions: new Map<string, Set<number>>(),
            txnLastUpdateTimestamp: this.clock.now(),
          };
          await this.persist(next);
          Object.assign(meta, { state: next.state, partitions: next.partitions, txnLastUpdateTimestamp: next.txnLastUpdateTimestamp });
          return;
        } catch (err) {
          this.logger.warn(`transaction ${id}: writing ${commit ? 'COMMIT' : 'ABORT'} markers failed, retrying in ${this.config.markerRetryBackoffMs} ms`, err);
          await sleep(this.config.markerRetryBackoffMs);
        }
      }
    };
    const done = run().finally(() => {
      if (this.completions.get(id)?.meta === meta) this.completions.delete(id);
    });
    this.completions.set(id, { meta, done });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
