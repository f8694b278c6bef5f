import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { errorMessage, ROOT_LOGGER } from '@millrace/app-common';
import { GroupCoordinator } from '../group-coordinator';
import { GroupCoordinatorModule } from '../group-coordinator/group-coordinator.module';
import { MetadataModule } from '../metadata/metadata.module';
import { PartitionModule } from '../partition/partition.module';
import { ReplicaManager } from '../partition/replica-manager';
import { ProducerIdManager } from '../producer/producer-id-manager';
import { ProducerModule } from '../producer/producer.module';
import { TopicManager } from '../metadata/topic-manager';
import { PendingTxnOffsets } from './pending-txn-offsets';
import { loadTransactionConfig, TRANSACTION_CONFIG, type TransactionConfig } from './transaction-config';
import { TransactionCoordinator } from './transaction-coordinator';
import { ensureTransactionStateTopic, TransactionCoordinatorLifecycle } from './transaction-coordinator.lifecycle';
import type { ClusterView } from '../cluster/cluster-view';
import { CLUSTER_VIEW } from '../cluster/cluster-view';
import { PartitionStateTable } from '../cluster/partition-state-table';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ClusterMarkerWriter } from './cluster-marker-writer';
import { LocalMarkerWriter, type MarkerWriter } from './transaction-markers';
import { TransactionStateLog } from './transaction-state-log';
import { TxnOffsetCommitter } from './txn-offset-commit';

const MARKER_WRITER = Symbol('MARKER_WRITER');

/**
 * The transaction coordinator over `__transaction_state`, its markers and the pending
 * transactional offsets. Exports TransactionCoordinator (handlers, admin) and
 * TxnOffsetCommitter (TxnOffsetCommit). TransactionCoordinatorLifecycle loads it at start,
 * after the group coordinator (which this module imports, so Nest initialises it first).
 */
@Module({
  imports: [MetadataModule, PartitionModule, GroupCoordinatorModule, ProducerModule],
  providers: [
    { provide: TRANSACTION_CONFIG, useFactory: (): TransactionConfig => loadTransactionConfig(process.env) },
    {
      provide: PendingTxnOffsets,
      inject: [GroupCoordinator],
      useFactory: (groups: GroupCoordinator) => {
        const pending = new PendingTxnOffsets(groups);
        // OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT while these are pending.
        groups.usePendingTransactionalOffsets(pending);
        return pending;
      },
    },
    {
      provide: TransactionStateLog,
      inject: [ReplicaManager, TopicManager, TRANSACTION_CONFIG],
      useFactory: (replicas: ReplicaManager, topics: TopicManager, config: TransactionConfig) =>
        new TransactionStateLog(replicas, () =>
          ensureTransactionStateTopic(topics, config.stateLogNumPartitions, config.stateLogReplicationFactor, config.stateLogMinIsr).then(() => undefined),
        ),
    },
    {
      // Cluster mode: markers for partitions led elsewhere go to their leaders (WriteTxnMarkers).
      provide: MARKER_WRITER,
      inject: [BROKER_CONFIG, ReplicaManager, PendingTxnOffsets, PartitionStateTable, CLUSTER_VIEW],
      useFactory: (broker: BrokerConfig, replicas: ReplicaManager, pending: PendingTxnOffsets, table: PartitionStateTable, view: ClusterView): MarkerWriter =>
        broker.cluster ? new ClusterMarkerWriter(replicas, pending, table, view) : new LocalMarkerWriter(replicas, pending),
    },
    {
      provide: TransactionCoordinator,
      inject: [TRANSACTION_CONFIG, TransactionStateLog, MARKER_WRITER, ReplicaManager, PendingTxnOffsets, ProducerIdManager, ROOT_LOGGER],
      useFactory: (config: TransactionConfig, log: TransactionStateLog, markers: MarkerWriter, replicas: ReplicaManager, pending: PendingTxnOffsets, ids: ProducerIdManager, root: Logger) => {
        const logger = root.child({ component: 'transaction-coordinator' });
        return new TransactionCoordinator(
          config,
          log,
          markers,
          ids,
          (topic, partition) => replicas.knowsPartition(topic, partition),
          {
            info: (m: string) => logger.info(m),
            warn: (m: string, err?: unknown) => logger.warn(err === undefined ? m : `${m}: ${errorMessage(err)}`),
          },
        );
      },
    },
    {
      provide: TxnOffsetCommitter,
      inject: [ReplicaManager, GroupCoordinator, TransactionCoordinator, PendingTxnOffsets],
      useFactory: (replicas: ReplicaManager, groups: GroupCoordinator, txns: TransactionCoordinator, pending: PendingTxnOffsets) =>
        new TxnOffsetCommitter(replicas, groups, txns, pending),
    },
    TransactionCoordinatorLifecycle,
  ],
  exports: [TransactionCoordinator, TxnOffsetCommitter, PendingTxnOffsets, TRANSACTION_CONFIG],
})
export class TransactionCoordinatorModule {}
