import { Module } from '@nestjs/common';
import { DistributedModule } from '../distributed/distributed.module';
import { PluginsModule } from '../plugins/plugins.module';
import { SecretsModule } from '../secrets/secrets.module';
import { ConfigStoreModule } from '../storage/config-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { WorkerModule } from '../worker/worker.module';
import { AssignedWorkService } from './assigned-work.service';
import { HerderService } from './herder.service';

/** Provides the HerderService: connector lifecycle from REST to the work this worker was assigned. */
@Module({
  imports: [ConfigStoreModule, StatusStoreModule, WorkerModule, PluginsModule, DistributedModule, SecretsModule],
  providers: [HerderService, AssignedWorkService],
  exports: [HerderService],
})
export class HerderModule {}
