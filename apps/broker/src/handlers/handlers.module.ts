import { Module } from '@nestjs/common';
import { GroupCoordinatorModule } from '../group-coordinator/group-coordinator.module';
import { MetadataModule } from '../metadata/metadata.module';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { PartitionModule } from '../partition/partition.module';
import { StorageModule } from '../storage/storage.module';
import { ProducerModule } from '../producer/producer.module';
import { TransactionCoordinatorModule } from '../transaction-coordinator';
import { ProduceHandler } from './00-produce.handler';
import { FetchHandler } from './01-fetch.handler';
import { ListOffsetsHandler } from './02-list-offsets.handler';
import { MetadataHandler } from './03-metadata.handler';
import { OffsetCommitHandler } from './08-offset-commit.handler';
import { OffsetFetchHandler } from './09-offset-fetch.handler';
import { FindCoordinatorHandler } from './10-find-coordinator.handler';
import { JoinGroupHandler } from './11-join-group.handler';
import { HeartbeatHandler } from './12-heartbeat.handler';
import { LeaveGroupHandler } from './13-leave-group.handler';
import { SyncGroupHandler } from './14-sync-group.handler';
import { DescribeGroupsHandler } from './15-describe-groups.handler';
import { ListGroupsHandler } from './16-list-groups.handler';
import { ApiVersionsHandler } from './18-api-versions.handler';
import { CreateTopicsHandler } from './19-create-topics.handler';
import { DeleteTopicsHandler } from './20-delete-topics.handler';
import { DeleteRecordsHandler } from './21-delete-records.handler';
import { InitProducerIdHandler } from './22-init-producer-id.handler';
import { OffsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.handler';
import { AddPartitionsToTxnHandler } from './24-add-partitions-to-txn.handler';
import { AddOffsetsToTxnHandler } from './25-add-offsets-to-txn.handler';
import { EndTxnHandler } from './26-end-txn.handler';
import { WriteTxnMarkersHandler } from './27-write-txn-markers.handler';
import { TxnOffsetCommitHandler } from './28-txn-offset-commit.handler';
import { DescribeConfigsHandler } from './32-describe-configs.handler';
import { AlterConfigsHandler } from './33-alter-configs.handler';
import { DescribeLogDirsHandler } from './35-describe-log-dirs.handler';
import { CreatePartitionsHandler } from './37-create-partitions.handler';
import { DeleteGroupsHandler } from './42-delete-groups.handler';
import { ElectLeadersHandler } from './43-elect-leaders.handler';
import { IncrementalAlterConfigsHandler } from './44-incremental-alter-configs.handler';
import { AlterPartitionReassignmentsHandler } from './45-alter-partition-reassignments.handler';
import { ListPartitionReassignmentsHandler } from './46-list-partition-reassignments.handler';
import { OffsetDeleteHandler } from './47-offset-delete.handler';
import { DescribeClusterHandler } from './60-describe-cluster.handler';
import { DescribeTransactionsHandler } from './65-describe-transactions.handler';
import { ListTransactionsHandler } from './66-list-transactions.handler';
import { API_HANDLERS, type ApiHandler } from './api-handler';
import { HandlerRegistry } from './handler-registry';
import { ApiRequestDispatcher } from './request-dispatcher.service';
import { REQUEST_DISPATCHER } from '../network/request-dispatcher';

/** Every Kafka API the broker serves: one handler class per API, listed once here. */
const HANDLERS = [
  ProduceHandler,
  FetchHandler,
  ListOffsetsHandler,
  MetadataHandler,
  OffsetCommitHandler,
  OffsetFetchHandler,
  FindCoordinatorHandler,
  JoinGroupHandler,
  HeartbeatHandler,
  LeaveGroupHandler,
  SyncGroupHandler,
  DescribeGroupsHandler,
  ListGroupsHandler,
  CreateTopicsHandler,
  DeleteTopicsHandler,
  DeleteRecordsHandler,
  InitProducerIdHandler,
  OffsetForLeaderEpochHandler,
  AddPartitionsToTxnHandler,
  AddOffsetsToTxnHandler,
  EndTxnHandler,
  WriteTxnMarkersHandler,
  TxnOffsetCommitHandler,
  DescribeConfigsHandler,
  AlterConfigsHandler,
  DescribeLogDirsHandler,
  CreatePartitionsHandler,
  DeleteGroupsHandler,
  ElectLeadersHandler,
  IncrementalAlterConfigsHandler,
  AlterPartitionReassignmentsHandler,
  ListPartitionReassignmentsHandler,
  OffsetDeleteHandler,
  DescribeClusterHandler,
  DescribeTransactionsHandler,
  ListTransactionsHandler,
];

/** The Kafka API handlers behind one request dispatcher (REQUEST_DISPATCHER, the network layer's port). */
@Module({
  imports: [PartitionModule, StorageModule, MetadataModule, GroupCoordinatorModule, ProducerModule, TransactionCoordinatorModule],
  providers: [
    ...HANDLERS,
    { provide: API_HANDLERS, inject: HANDLERS, useFactory: (...handlers: ApiHandler[]) => handlers },
    {
      provide: HandlerRegistry,
      inject: [API_HANDLERS],
      useFactory: (handlers: ApiHandler[]) => {
        const registry = new HandlerRegistry(handlers);
        registry.register(new ApiVersionsHandler(registry));
        return registry;
      },
    },
    { provide: REQUEST_DISPATCHER, inject: [HandlerRegistry, BrokerMetrics], useFactory: (r: HandlerRegistry, m: BrokerMetrics) => new ApiRequestDispatcher(r, m) },
  ],
  exports: [REQUEST_DISPATCHER],
})
export class HandlersModule {}
