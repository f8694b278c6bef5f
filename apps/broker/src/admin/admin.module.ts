import { Module } from '@nestjs/common';
import { GroupCoordinatorModule } from '../group-coordinator/group-coordinator.module';
import { MetadataModule } from '../metadata/metadata.module';
import { PartitionModule } from '../partition/partition.module';
import { StorageModule } from '../storage/storage.module';
import { AlertsController, BrokerAlerts } from './alerts';
import { ClusterController } from './cluster.controller';
import { GroupOffsetResetController } from './group-offset-reset';
import { GroupsController } from './groups.controller';
import { ReplicaHealthService } from './replica-health.service';
import { BrokerMetricsSampler } from './metrics-sampler';
import { StorageAdminController } from './storage-admin.controller';
import { StorageHealthService } from './storage-health.service';
import { TopicsController } from './topics.controller';
import { TransactionsController } from './transactions.controller';
import { TransactionCoordinatorModule } from '../transaction-coordinator';

/** The broker's HTTP admin API under /admin, and the metrics that need the same services. */
@Module({
  imports: [MetadataModule, PartitionModule, GroupCoordinatorModule, StorageModule, TransactionCoordinatorModule],
  controllers: [AlertsController, ClusterController, TopicsController, GroupsController, GroupOffsetResetController, StorageAdminController, TransactionsController],
  providers: [BrokerMetricsSampler, StorageHealthService, BrokerAlerts, ReplicaHealthService],
  exports: [StorageHealthService],
})
export class AdminModule {}
