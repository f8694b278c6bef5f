import { Module } from '@nestjs/common';
import { ClusterInfoModule } from '../cluster/cluster-info.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SecretsModule } from '../secrets/secrets.module';
import { OffsetStoreModule } from '../storage/offset-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { WorkerService } from './worker.service';

/** Provides the WorkerService, which runs connectors and tasks in this process. */
@Module({ imports: [StatusStoreModule, OffsetStoreModule, SecretsModule, MetricsModule, ClusterInfoModule], providers: [WorkerService], exports: [WorkerService] })
export class WorkerModule {}
