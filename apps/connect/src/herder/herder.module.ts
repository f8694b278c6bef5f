import { Module } from '@nestjs/common';
import { PluginsModule } from '../plugins/plugins.module';
import { ConfigStoreModule } from '../storage/config-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { WorkerModule } from '../worker/worker.module';
import { HerderService } from './herder.service';

/** Provides the HerderService: connector lifecycle from REST to the worker. */
@Module({ imports: [ConfigStoreModule, StatusStoreModule, WorkerModule, PluginsModule], providers: [HerderService], exports: [HerderService] })
export class HerderModule {}
