import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { ROOT_LOGGER } from '@millrace/app-common';
import { decodeKey, decodeOffsetCommitValue } from '../group-coordinator';
import { ConsumerOffsetsLog, type OpenTransactionalRecords } from '../group-coordinator/consumer-offsets-log';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { TopicManager } from '../metadata/topic-manager';
import { ReplicaManager } from '../partition/replica-manager';
import { TRANSACTION_CONFIG, type TransactionConfig } from './transaction-config';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { PendingTxnOffsets, type TxnOffsetEntry } from './pending-txn-offsets';
import { TransactionCoordinator } from './transaction-coordinator';
import { TRANSACTION_STATE_TOPIC } from './transaction-log-format';
import { TXN_STATE_NAMES } from './transaction-metadata';
import { TransactionStateLog } from './transaction-state-log';

/**
 * Starts and stops the transaction coordinator with the application.
 *
 * Start (onModuleInit, after the group coordinator loaded `__consumer_offsets`):
 * re-registers the transactional offsets whose transaction has no marker yet, loads every
 * transactional id's last state from `__transaction_state` (when it exists: it is created
 * on first use, by TransactionStateLog, with ensureTransactionStateTopic) and lets the
 * coordinator resume prepared transactions. The Kafka listener opens only after this.
 * Also registers the metrics millrace_transactions_open {state} and
 * millrace_transaction_oldest_open_age_seconds.
 */
@Injectable()
export class TransactionCoordinatorLifecycle implements OnModuleInit, OnModuleDestroy {
  private readonly logger: Logger;

  constructor(
    private readonly topics: TopicManager,
    private readonly log: TransactionStateLog,
    private readonly offsetsLog: ConsumerOffsetsLog,
    private readonly pending: PendingTxnOffsets,
    private readonly coordinator: TransactionCoordinator,
    metrics: BrokerMetrics,
    @Inject(ROOT_LOGGER) root: Logger,
    @Inject(BROKER_CONFIG) private readonly broker: BrokerConfig,
    @Inject(TRANSACTION_CONFIG) private readonly config: TransactionConfig,
    private readonly replicas: ReplicaManager,
  ) {
    this.logger = root.child({ component: 'transaction-coordinator' });
    const open = (): ReturnType<TransactionCoordinator['openTransactions']> => this.coordinator.openTransactions();
    new Gauge({
      name: 'millrace_transactions_open',
      help: 'Transactions not yet complete (Ongoing or Prepare*), by state',
      labelNames: ['state'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        const byState = new Map<string, number>();
        for (const t of open()) byState.set(TXN_STATE_NAMES[t.state], (byState.get(TXN_STATE_NAMES[t.state]) ?? 0) + 1);
        for (const [state, n] of byState) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'millrace_transaction_oldest_open_age_seconds',
      help: 'Age of the oldest transaction not yet complete (0 when none)',
      registers: [metrics.registry],
      collect() {
        this.set(open().reduce((max, t) => Math.max(max, t.ageMs), 0) / 1000);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    const numPartitions = this.topics.get(TRANSACTION_STATE_TOPIC)?.partitions;
    let pendingOffsets = 0;
    for (const open of this.offsetsLog.openTransactionalRecords) pendingOffsets += this.addPending(open);
    // Cluster: a `__consumer_offsets` partition's pending offsets come and go with its leadership.
    this.offsetsLog.partitionListeners.push({
      loaded: (_partition, open) => open.forEach((o) => this.addPending(o)),
      unloaded: (partition) => this.pending.dropPartition(partition),
    });
    if (this.broker.cluster) return this.followLeadership(numPartitions ?? this.config.stateLogNumPartitions);
    if (numPartitions === undefined) {
      this.coordinator.load(new Map());
      this.logger.info(`${TRANSACTION_STATE_TOPIC} does not exist yet (created on first use); ${pendingOffsets} pending transactional offsets`);
      return;
    }
    const { txns, skipped } = await this.log.readAll(numPartitions);
    const summary = this.coordinator.load(txns, numPartitions);
    this.logger.info(
      `loaded ${summary.ids} transactional ids from ${TRANSACTION_STATE_TOPIC} (${summary.prepared} prepared, resumed; ${summary.ongoing} open, abort at their timeout; ${skipped} records skipped) and ${pendingOffsets} pending transactional offsets`,
    );
  }

  onModuleDestroy(): void {
    this.coordinator.shutdown();
  }

  /**
   * Cluster mode: `__transaction_state` is a replicated cluster topic; the coordinator
   * serves an id while this broker leads its partition: elected → that partition's ids
   * are loaded (prepared transactions complete), resigned → they are forgotten here.
   */
  private followLeadership(numPartitions: number): void {
    this.coordinator.startPartitioned(numPartitions);
    this.replicas.onLeadershipChange((topic, partition, { elected, leaderEpoch }) => {
      if (topic !== TRANSACTION_STATE_TOPIC) return;
      if (!elected) {
        const ids = this.coordinator.unloadPartition(partition);
        this.logger.info(`no longer coordinator for ${TRANSACTION_STATE_TOPIC}-${partition}: ${ids} transactional ids unloaded`);
        return;
      }
      const partitions = this.topics.get(TRANSACTION_STATE_TOPIC)?.partitions ?? numPartitions;
      void this.coordinator
        .loadPartition(partition, async () => (await this.log.readPartition(partition)).txns, partitions)
        .then(
          (summary) =>
            summary &&
            this.logger.info(
              `coordinator for ${TRANSACTION_STATE_TOPIC}-${partition} (leader epoch ${leaderEpoch}): loaded ${summary.ids} transactional ids (${summary.prepared} prepared, resumed; ${summary.ongoing} open, abort at their timeout)`,
            ),
          (err: unknown) => this.logger.error({ err }, `loading ${TRANSACTION_STATE_TOPIC}-${partition} failed`),
        );
    });
  }

  /** Registers one open transaction's offsets as pending; returns how many. */
  private addPending(open: OpenTransactionalRecords): number {
    const entries: TxnOffsetEntry[] = [];
    for (const r of open.records) {
      const key = decodeKey(r.key);
      if (key === null || key.type !== 'offset' || r.value === null) continue;
      entries.push({ groupId: key.group, topic: key.topic, partition: key.partition, value: decodeOffsetCommitValue(r.value) });
    }
    this.pending.add(open.producerId, open.partition, entries);
    return entries.length;
  }
}

/**
 * Creates `__transaction_state` if it does not exist (compacted, `numPartitions`
 * partitions, 100 MiB segments, as Kafka's TransactionLogConfig; in a cluster
 * min(`replicationFactor`, live brokers) replicas and min.insync.replicas `minIsr`);
 * returns its partition count.
 */
export async function ensureTransactionStateTopic(topics: TopicManager, numPartitions: number, replicationFactor = 1, minIsr?: number): Promise<number> {
  const created = await topics.ensureInternalTopic(TRANSACTION_STATE_TOPIC, numPartitions, replicationFactor, minIsr);
  if (created.topic) return created.topic.partitions;
  throw new Error(`cannot create ${TRANSACTION_STATE_TOPIC}: ${created.errorMessage}`);
}
