import { ErrorCode as E } from '@millrace/protocol';
import { type CoordinatorClock, PartitionOwnership, systemClock } from '../group-coordinator';
import type { TransactionConfig } from './transaction-config';
import { TransactionCache } from './transaction-cache';
import { TransactionCompletion, type TxnCoordinatorLogger } from './transaction-completion';
import { TransactionHousekeeping } from './transaction-housekeeping';
import { partitionForTransactionalId, type LoadedTxn } from './transaction-log-format';
import type { MarkerWriter } from './transaction-markers';
import { copyPartitions, hasPartition, MAX_PRODUCER_EPOCH, newTxnMetadata, NO_PRODUCER_EPOCH, TXN_STATE_NAMES, TxnState, type TxnMetadata } from './transaction-metadata';
import type { TxnStateStore } from './transaction-state-log';

export type { TxnCoordinatorLogger };

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** Kafka answers PRODUCER_FENCED only from these request versions on, INVALID_PRODUCER_EPOCH before. */
export const PRODUCER_FENCED_SINCE = { initProducerId: 4, addPartitions: 2, addOffsets: 2, endTxn: 2, txnOffsetCommit: 2 } as const;

/**
 * Kafka's TransactionCoordinator for one broker (semantics of
 * core/.../coordinator/transaction/TransactionCoordinator.scala; states in
 * transaction-metadata.ts): InitProducerId with a transactional id, AddPartitionsToTxn,
 * AddOffsetsToTxn, EndTxn, the checks for transactional Produce and TxnOffsetCommit,
 * transaction timeouts and transactional id expiration.
 *
 * Durability: every transition is appended to `__transaction_state` (TxnStateStore)
 * before the client hears of it; Prepare* is the commit point, after which the markers
 * (MarkerWriter) are written — retried until they all are, and resumed at start for
 * every id loaded in a Prepare* state — and then Complete*. EndTxn answers once Prepare*
 * is durable, as Kafka does; a request arriving while the markers are in flight waits
 * for them briefly, then gets CONCURRENT_TRANSACTIONS.
 *
 * Concurrency: one transition per id at a time (`pending`); others get
 * CONCURRENT_TRANSACTIONS. Everything runs on the event loop.
 */
export class TransactionCoordinator {
  private readonly txns: Map<string, TxnMetadata>;
  private readonly completion: TransactionCompletion;
  private readonly cache: TransactionCache;
  private statusValue: 'loading' | 'active' | 'shutdown' = 'loading';
  private readonly housekeeping: TransactionHousekeeping;
  private numPartitions: number;
  /** Cluster mode: the `__transaction_state` partitions this broker leads; null = all (single broker). */
  private ownership: PartitionOwnership | null = null;

  constructor(
    readonly config: TransactionConfig,
    private readonly store: TxnStateStore,
    private readonly markers: MarkerWriter,
    private readonly producerIds: { nextProducerId(): Promise<number> },
    private readonly partitionExists: (topic: string, partition: number) => boolean,
    private readonly logger: TxnCoordinatorLogger,
    private readonly clock: CoordinatorClock = systemClock,
  ) {
    this.numPartitions = config.stateLogNumPartitions;
    this.completion = new TransactionCompletion(config, store, markers, logger, clock, (id) => this.partitionFor(id), (id) => this.statusValue === 'shutdown' || this.statusOf(id) === 'not-owned');
    this.cache = new TransactionCache(this.completion, logger);
    this.txns = this.cache.txns;
    this.housekeeping = new TransactionHousekeeping(config, this.txns, this.completion, store, logger, clock, (id) => this.partitionFor(id), () => this.statusValue === 'active');
  }

  get status(): 'loading' | 'active' | 'shutdown' {
    return this.statusValue;
  }

  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.numPartitions);
  }

  // ================================================================ lifecycle

  /**
   * Takes the state loaded from `__transaction_state`, starts serving, resumes the markers
   * of every prepared transaction and starts the timeout and expiration timers. Open
   * (Ongoing) transactions abort when their timeout passes, counted from their start.
   * `numPartitions` is the existing topic's partition count (it wins over the config).
   */
  load(loaded: Map<string, LoadedTxn>, numPartitions = this.numPartitions): { ids: number; prepared: number; ongoing: number } {
    this.numPartitions = numPartitions;
    this.statusValue = 'active';
    const summary = this.cache.adopt(loaded);
    this.housekeeping.start();
    return summary;
  }

  /**
   * Cluster mode instead of `load`: serves no transactional id until this broker is
   * elected leader of its `__transaction_state` partition (`loadPartition`); others get
   * NOT_COORDINATOR.
   */
  startPartitioned(numPartitions = this.numPartitions): void {
    this.numPartitions = numPartitions;
    this.ownership = new PartitionOwnership();
    this.statusValue = 'active';
    this.housekeeping.start();
  }

  /**
   * Cluster mode: this broker became the leader of `__transaction_state` partition
   * `partition`: its ids are read back (`read`; COORDINATOR_LOAD_IN_PROGRESS meanwhile)
   * and served, as a new coordinator does after a failover in Kafka: prepared
   * transactions get their markers (again) and complete, open ones abort at their
   * timeout (or when their producer re-initialises). Null when the partition was given
   * up (or elected again) before the load ended.
   */
  async loadPartition(partition: number, read: () => Promise<Map<string, LoadedTxn>>, numPartitions: number): Promise<{ ids: number; prepared: number; ongoing: number } | null> {
    const ownership = this.ownership;
    if (!ownership || this.statusValue !== 'active') return null;
    this.numPartitions = numPartitions;
    this.dropIdsOf(partition);
    const term = ownership.beginLoad(partition);
    const loaded = await read();
    if (this.statusValue !== 'active' || !ownership.isCurrent(partition, term)) return null;
    for (const id of [...loaded.keys()]) if (this.partitionFor(id) !== partition) loaded.delete(id);
    ownership.finishLoad(partition, term);
    return this.cache.adopt(loaded);
  }

  /** Cluster mode: another broker leads `__transaction_state` partition `partition` now; its ids are forgotten here (their markers in flight stop). */
  unloadPartition(partition: number): number {
    if (!this.ownership) return 0;
    this.ownership.release(partition);
    return this.dropIdsOf(partition);
  }

  private dropIdsOf(partition: number): number {
    return this.cache.drop((id) => this.partitionFor(id) === partition);
  }

  /** 'not-owned' for an id whose `__transaction_state` partition another broker leads (cluster mode), else the coordinator's state. */
  private statusOf(transactionalId: string): 'loading' | 'active' | 'shutdown' | 'not-owned' {
    if (this.statusValue !== 'active' || !this.ownership) return this.statusValue;
    return this.ownership.stateOf(this.partitionFor(transactionalId)) ?? 'not-owned';
  }

  shutdown(): void {
    this.statusValue = 'shutdown';
    this.housekeeping.stop();
  }

  // ================================================================ InitProducerId

  /**
   * InitProducerId with a transactional id: aborts the id's open transaction (fencing its
   * producer), then bumps the epoch (a new producer id when the epoch is exhausted).
   * With a producer id and epoch (v3+, KIP-360) it is the same producer recovering: the
   * epoch is bumped if they are current, a retry of a bump already made returns the
   * current epoch, anything else is fenced.
   */
  async initProducerId(transactionalId: string, timeoutMs: number, expectedPid: number, expectedEpoch: number, version: number): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === '') return fail(E.INVALID_REQUEST);
    const statusError = this.statusError(transactionalId);
    if (statusError !== null) return fail(statusError);
    if (timeoutMs <= 0 || timeoutMs > this.config.transactionMaxTimeoutMs) return fail(E.INVALID_TRANSACTION_TIMEOUT);
    let meta = this.txns.get(transactionalId);
    if (!meta) {
      let pid: number;
      try {
        pid = await this.producerIds.nextProducerId();
      } catch (err) {
        this.logger.warn(`InitProducerId for ${transactionalId}: no producer id could be allocated`, err);
        return fail(E.COORDINATOR_NOT_AVAILABLE);
      }
      meta = this.txns.get(transactionalId) ?? newTxnMetadata(transactionalId, pid, timeoutMs, this.clock.now());
      this.txns.set(transactionalId, meta);
    }
    if (!(await this.completion.settle(meta))) return fail(E.CONCURRENT_TRANSACTIONS);
    const fenced = version >= PRODUCER_FENCED_SINCE.initProducerId ? E.PRODUCER_FENCED : E.INVALID_PRODUCER_EPOCH;
    const hasExpected = expectedPid !== -1;
    if (hasExpected) {
      const validPid =
        meta.producerEpoch === NO_PRODUCER_EPOCH || expectedPid === meta.producerId || (expectedPid === meta.lastProducerId && expectedEpoch >= MAX_PRODUCER_EPOCH);
      const fence = (): InitProducerIdResult => {
        this.logger.info(
          `InitProducerId for ${transactionalId}: producer ${expectedPid} epoch ${expectedEpoch} fenced (current producer ${meta!.producerId} epoch ${meta!.producerEpoch}, last ${meta!.lastProducerId}/${meta!.lastProducerEpoch}, ${TXN_STATE_NAMES[meta!.state]})`,
        );
        return fail(fenced);
      };
      if (!validPid) return fence();
      if (expectedPid === meta.producerId && meta.producerEpoch !== NO_PRODUCER_EPOCH && expectedEpoch !== meta.producerEpoch) {
        // A retry of a bump this producer already got (its answer was lost) returns the current epoch.
        if (expectedEpoch === meta.lastProducerEpoch && meta.state !== TxnState.Ongoing) return { errorCode: E.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
        return fence();
      }
    }
    meta.pending = true;
    try {
      if (meta.state === TxnState.Ongoing) {
        this.logger.info(`InitProducerId for ${transactionalId}: aborting its open transaction (producer ${meta.producerId}, epoch ${meta.producerEpoch})`);
        await this.completion.fenceAndAbort(meta);
      }
      if (hasExpected) this.logger.info(`InitProducerId for ${transactionalId}: producer ${expectedPid} epoch ${expectedEpoch} recovers with an epoch bump (KIP-360)`);
      const next = { ...meta, partitions: new Map<string, Set<number>>() };
      if (meta.producerEpoch >= MAX_PRODUCER_EPOCH) {
        next.lastProducerId = meta.producerId;
        next.producerId = await this.producerIds.nextProducerId();
        next.producerEpoch = 0;
      } else {
        next.producerEpoch = meta.producerEpoch + 1;
      }
      next.lastProducerEpoch = hasExpected ? expectedEpoch : NO_PRODUCER_EPOCH;
      next.txnTimeoutMs = timeoutMs;
      next.state = TxnState.Empty;
      next.txnStartTimestamp = -1;
      next.txnLastUpdateTimestamp = this.clock.now();
      await this.completion.persist(next);
      Object.assign(meta, next, { pending: true });
      return { errorCode: E.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    } catch (err) {
      this.logger.warn(`InitProducerId for ${transactionalId} failed`, err);
      return fail(E.COORDINATOR_NOT_AVAILABLE);
    } finally {
      meta.pending = false;
    }
  }

  // ================================================================ AddPartitionsToTxn / AddOffsetsToTxn

  /**
   * Adds partitions to the id's transaction (starting it if none is open). Unknown
   * partitions get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED.
   * Returns one error code per requested partition, keyed "topic\0partition".
   */
  async addPartitions(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: { topic: string; partition: number }[],
    fencedSinceVersion: boolean,
  ): Promise<Map<string, number>> {
    const all = (code: number): Map<string, number> => new Map(partitions.map((p) => [partitionErrorKey(p.topic, p.partition), code]));
    const unknown = partitions.filter((p) => !this.partitionExists(p.topic, p.partition));
    if (unknown.length > 0) {
      const out = all(E.OPERATION_NOT_ATTEMPTED);
      for (const p of unknown) out.set(partitionErrorKey(p.topic, p.partition), E.UNKNOWN_TOPIC_OR_PARTITION);
      return out;
    }
    return all(await this.addToTransaction(transactionalId, producerId, producerEpoch, partitions, fencedSinceVersion));
  }

  /** AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, offsetsPartition: { topic: string; partition: number }, fencedSinceVersion: boolean): Promise<number> {
    return this.addToTransaction(transactionalId, producerId, producerEpoch, [offsetsPartition], fencedSinceVersion);
  }

  private async addToTransaction(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[], fencedSinceVersion: boolean): Promise<number> {
    const checked = await this.checkProducer(transactionalId, producerId, producerEpoch, fencedSinceVersion);
    if (typeof checked === 'number') return checked;
    const meta = checked;
    if (meta.state !== TxnState.Empty && meta.state !== TxnState.Ongoing && meta.state !== TxnState.CompleteCommit && meta.state !== TxnState.CompleteAbort) {
      return E.INVALID_TXN_STATE;
    }
    if (meta.state === TxnState.Ongoing && partitions.every((p) => hasPartition(meta, p.topic, p.partition))) return E.NONE;
    const now = this.clock.now();
    const next = { ...meta, partitions: meta.state === TxnState.Ongoing ? copyPartitions(meta.partitions) : new Map<string, Set<number>>() };
    for (const p of partitions) {
      const ids = next.partitions.get(p.topic) ?? new Set<number>();
      ids.add(p.partition);
      next.partitions.set(p.topic, ids);
    }
    if (meta.state !== TxnState.Ongoing) next.txnStartTimestamp = now;
    next.state = TxnState.Ongoing;
    next.txnLastUpdateTimestamp = now;
    meta.pending = true;
    try {
      await this.completion.persist(next);
      Object.assign(meta, next);
      return E.NONE;
    } catch (err) {
      this.logger.warn(`AddPartitionsToTxn for ${transactionalId} failed`, err);
      return E.COORDINATOR_NOT_AVAILABLE;
    } finally {
      meta.pending = false;
    }
  }

  // ================================================================ EndTxn

  /** EndTxn: writes Prepare{Commit,Abort} (the commit point) and answers; the markers follow. */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, fencedSinceVersion: boolean): Promise<number> {
    const checked = await this.checkProducer(transactionalId, producerId, producerEpoch, fencedSinceVersion);
    if (typeof checked === 'number') return checked;
    const meta = checked;
    switch (meta.state) {
      case TxnState.Ongoing:
        break;
      case TxnState.CompleteCommit:
        return commit ? E.NONE : E.INVALID_TXN_STATE;
      case TxnState.CompleteAbort:
        return commit ? E.INVALID_TXN_STATE : E.NONE;
      default:
        return E.INVALID_TXN_STATE;
    }
    try {
      await this.completion.prepare(meta, commit);
      return E.NONE;
    } catch (err) {
      this.logger.warn(`EndTxn for ${transactionalId} failed`, err);
      return E.COORDINATOR_NOT_AVAILABLE;
    }
  }

  // ================================================================ checks for Produce / TxnOffsetCommit

  /**
   * May this producer write transactional data to the partition now? Only when it is
   * the id's current producer and epoch and the partition was added to its open
   * transaction (so every transactional batch gets a marker). NONE or the error code.
   * In a cluster only ids this broker coordinates are checked.
   */
  verifyProduce(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): number {
    const meta = this.txns.get(transactionalId);
    // Cluster mode: an id coordinated by another broker cannot be checked here (Kafka's leaders do not check either).
    if (this.ownership && this.statusOf(transactionalId) !== 'active') return E.NONE;
    if (this.statusValue !== 'active') return E.NOT_COORDINATOR;
    if (!meta || meta.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return E.INVALID_PRODUCER_EPOCH;
    if (meta.state !== TxnState.Ongoing || !hasPartition(meta, topic, partition)) return E.INVALID_TXN_STATE;
    return E.NONE;
  }

  /** TxnOffsetCommit's producer check: current producer/epoch, and the group's offsets partition in the open transaction. */
  verifyTxnOffsetCommit(transactionalId: string, producerId: number, producerEpoch: number, offsetsPartition: { topic: string; partition: number }, fencedSinceVersion: boolean): number {
    const statusError = this.statusError(transactionalId);
    if (statusError !== null) return statusError;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return fencedSinceVersion ? E.PRODUCER_FENCED : E.INVALID_PRODUCER_EPOCH;
    if (meta.state !== TxnState.Ongoing || !hasPartition(meta, offsetsPartition.topic, offsetsPartition.partition)) return E.INVALID_TXN_STATE;
    return E.NONE;
  }

  // ================================================================ operations

  /** The id's state (a copy), undefined if unknown. */
  describe(transactionalId: string): Readonly<TxnMetadata> | undefined {
    const m = this.txns.get(transactionalId);
    return m ? { ...m, partitions: copyPartitions(m.partitions) } : undefined;
  }

  all(): Readonly<TxnMetadata>[] {
    return [...this.txns.keys()].map((id) => this.describe(id)!);
  }

  /** Transactions not yet complete (Ongoing or Prepare*), with their age, for metrics and /admin. */
  openTransactions(): { transactionalId: string; state: TxnState; ageMs: number }[] {
    const now = this.clock.now();
    return [...this.txns.values()]
      .filter((m) => m.state === TxnState.Ongoing || m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort || m.state === TxnState.PrepareEpochFence)
      .map((m) => ({ transactionalId: m.transactionalId, state: m.state, ageMs: m.txnStartTimestamp >= 0 ? now - m.txnStartTimestamp : 0 }));
  }

  // ================================================================ internals

  private statusError(transactionalId: string): number | null {
    const status = this.statusOf(transactionalId);
    if (status === 'loading') return E.COORDINATOR_LOAD_IN_PROGRESS;
    if (status === 'shutdown' || status === 'not-owned') return E.NOT_COORDINATOR;
    return null;
  }

  private async checkProducer(transactionalId: string, producerId: number, producerEpoch: number, fencedSinceVersion: boolean): Promise<TxnMetadata | number> {
    if (transactionalId === '') return E.INVALID_REQUEST;
    const statusError = this.statusError(transactionalId);
    if (statusError !== null) return statusError;
    const meta = this.txns.get(transactionalId);
    if (!meta || meta.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return fencedSinceVersion ? E.PRODUCER_FENCED : E.INVALID_PRODUCER_EPOCH;
    if (!(await this.completion.settle(meta))) return E.CONCURRENT_TRANSACTIONS;
    // The epoch may have moved while waiting (a timeout abort fences the producer).
    if (meta.producerEpoch !== producerEpoch) return fencedSinceVersion ? E.PRODUCER_FENCED : E.INVALID_PRODUCER_EPOCH;
    return meta;
  }

  /** Aborts (and fences) every open transaction past its transaction.timeout.ms (transaction-housekeeping.ts). */
  abortTimedOut(): Promise<number> {
    return this.housekeeping.abortTimedOut();
  }

  /** Removes the transactional ids idle for transactional.id.expiration.ms (transaction-housekeeping.ts). */
  removeExpiredIds(): Promise<number> {
    return this.housekeeping.removeExpiredIds();
  }
}

export function partitionErrorKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}
