import { Module } from '@nestjs/common';
import { DistributedModule } from '../distributed/distributed.module';
import { HerderModule } from '../herder/herder.module';
import { MetricsModule } from '../metrics/metrics.module';
import { PluginsModule } from '../plugins/plugins.module';
import { SecretsModule } from '../secrets/secrets.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { ReconcileController } from './reconcile.controller';
import { ReconcileService } from './reconcile.service';

/** Source ↔ warehouse reconciliation of sink connectors: the service, its schedule and its REST resource. */
@Module({ imports: [HerderModule, PluginsModule, SecretsModule, StatusStoreModule, DistributedModule, MetricsModule], providers: [ReconcileService], controllers: [ReconcileController] })
export class ReconcileModule {}
