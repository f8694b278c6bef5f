import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { SecretsModule } from '../secrets/secrets.module';
import { OffsetStoreModule } from '../storage/offset-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { WorkerService } from './worker.service';

/** Provides the WorkerService, which runs connectors and tasks in this process. */
@Module({ imports: [StatusStoreModule, OffsetStoreModule, SecretsModule, MetricsModule], providers: [WorkerService], exports: [WorkerService] })
export class WorkerModule {}
