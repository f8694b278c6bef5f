import { Module } from '@nestjs/common';
import { HandlersModule } from '../handlers/handlers.module';
import { GroupsController } from './groups.controller';
import { BrokerMetricsSampler } from './metrics-sampler';
import { TopicsController } from './topics.controller';

/** The broker's HTTP admin API under /admin, and the metrics that need the same services. */
@Module({
  imports: [HandlersModule],
  controllers: [TopicsController, GroupsController],
  providers: [BrokerMetricsSampler],
})
export class AdminModule {}
