import { type CoordinatorClock, type ScheduledTask } from '../group-coordinator';
import type { TransactionConfig } from './transaction-config';
import type { TransactionCompletion, TxnCoordinatorLogger } from './transaction-completion';
import { encodeTxnKey } from './transaction-log-format';
import { TxnState, type TxnMetadata } from './transaction-metadata';
import type { TxnStateStore } from './transaction-state-log';

/**
 * The transaction coordinator's timers, as Kafka's: every
 * transaction.abort.timed.out.transaction.cleanup.interval.ms, open transactions past
 * their transaction.timeout.ms are aborted (producer fenced, KIP-588 recovery allowed);
 * every transaction.remove.expired.transaction.cleanup.interval.ms, ids idle longer than
 * transactional.id.expiration.ms are removed with a tombstone in `__transaction_state`.
 * Each timer re-arms after its run finishes, and only while `active()` holds.
 */
export class TransactionHousekeeping {
  private timers: ScheduledTask[] = [];

  constructor(
    private readonly config: TransactionConfig,
    private readonly txns: Map<string, TxnMetadata>,
    private readonly completion: TransactionCompletion,
    private readonly store: TxnStateStore,
    private readonly logger: TxnCoordinatorLogger,
    private readonly clock: CoordinatorClock,
    private readonly partitionFor: (transactionalId: string) => number,
    private readonly active: () => boolean,
  ) {}

  start(): void {
    this.scheduleTimeouts();
    this.scheduleExpiration();
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private scheduleTimeouts(): void {
    const tick = (): void => {
      if (!this.active()) return;
      void this.abortTimedOut().finally(() => {
        if (this.active()) this.timers.push(this.clock.schedule(this.config.abortTimedOutTransactionsIntervalMs, tick));
      });
    };
    this.timers.push(this.clock.schedule(this.config.abortTimedOutTransactionsIntervalMs, tick));
  }

  /**
   * Aborts (and fences) every open transaction past its transaction.timeout.ms; its
   * producer may recover with InitProducerId and the epoch it had (KIP-588).
   */
  async abortTimedOut(): Promise<number> {
    const now = this.clock.now();
    const expired = [...this.txns.values()].filter((m) => m.state === TxnState.Ongoing && !m.pending && m.txnStartTimestamp >= 0 && now > m.txnStartTimestamp + m.txnTimeoutMs);
    for (const meta of expired) {
      this.logger.info(`transaction ${meta.transactionalId} (producer ${meta.producerId}, epoch ${meta.producerEpoch}) exceeded its timeout of ${meta.txnTimeoutMs} ms: aborting it`);
      meta.pending = true;
      const epoch = meta.producerEpoch;
      try {
        await this.completion.fenceAndAbort(meta);
        // KIP-588: the producer whose transaction timed out may recover with InitProducerId
        // carrying the epoch it had (answered the bumped one) instead of being fenced for good.
        meta.lastProducerEpoch = epoch;
      } catch (err) {
        this.logger.warn(`aborting timed-out transaction ${meta.transactionalId} failed`, err);
      } finally {
        meta.pending = false;
      }
    }
    return expired.length;
  }

  private scheduleExpiration(): void {
    const tick = (): void => {
      if (!this.active()) return;
      void this.removeExpiredIds().finally(() => {
        if (this.active()) this.timers.push(this.clock.schedule(this.config.removeExpiredTransactionalIdsIntervalMs, tick));
      });
    };
    this.timers.push(this.clock.schedule(this.config.removeExpiredTransactionalIdsIntervalMs, tick));
  }

  /** transactional.id.expiration.ms: ids idle (Empty / Complete*) that long are removed (tombstone). */
  async removeExpiredIds(): Promise<number> {
    const now = this.clock.now();
    let removed = 0;
    for (const meta of [...this.txns.values()]) {
      const idle = meta.state === TxnState.Empty || meta.state === TxnState.CompleteCommit || meta.state === TxnState.CompleteAbort;
      if (!idle || meta.pending || now - meta.txnLastUpdateTimestamp < this.config.transactionalIdExpirationMs) continue;
      const previous = meta.state;
      meta.state = TxnState.Dead;
      meta.pending = true;
      try {
        await this.store.append(this.partitionFor(meta.transactionalId), encodeTxnKey(meta.transactionalId), null);
        this.txns.delete(meta.transactionalId);
        removed++;
      } catch (err) {
        meta.state = previous;
        this.logger.warn(`expiring transactional id ${meta.transactionalId} failed`, err);
      } finally {
        meta.pending = false;
      }
    }
    if (removed > 0) this.logger.info(`expired ${removed} transactional id(s) idle for ${this.config.transactionalIdExpirationMs} ms`);
    return removed;
  }
}
