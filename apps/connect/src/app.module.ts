import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ConnectConfig } from './config/connect-config';
import { CoreModule, type CoreLogging } from './core/core.module';
import { MetricsModule } from './metrics/metrics.module';
import { ReconcileModule } from './reconcile/reconcile.module';
import { RestModule } from './rest/rest.module';

/** The connect worker: storage topics, worker, herder, the REST API, reconciliation and /metrics + /health. */
@Module({})
export class AppModule {
  static forRoot(config: ConnectConfig, logger: Logger, logging: CoreLogging): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(config, logger, logging), RestModule, ReconcileModule, MetricsModule] };
  }
}
