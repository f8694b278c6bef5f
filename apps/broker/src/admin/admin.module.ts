import { Module } from '@nestjs/common';
import { GroupCoordinatorModule } from '../group-coordinator/group-coordinator.module';
import { MetadataModule } from '../metadata/metadata.module';
import { PartitionModule } from '../partition/partition.module';
import { GroupsController } from './groups.controller';
import { BrokerMetricsSampler } from './metrics-sampler';
import { TopicsController } from './topics.controller';
import { TransactionsController } from './transactions.controller';
import { TransactionCoordinatorModule } from '../transaction-coordinator';

/** The broker's HTTP admin API under /admin, and the metrics that need the same services. */
@Module({
  imports: [MetadataModule, PartitionModule, GroupCoordinatorModule, TransactionCoordinatorModule],
  controllers: [TopicsController, GroupsController, TransactionsController],
  providers: [BrokerMetricsSampler],
})
export class AdminModule {}
