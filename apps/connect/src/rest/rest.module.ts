import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { ClusterInfoModule } from '../cluster/cluster-info.module';
import { DistributedModule } from '../distributed/distributed.module';
import { ConnectErrorFilter } from '../http/connect-error.filter';
import { HerderModule } from '../herder/herder.module';
import { ROOT_LOGGER } from '@millrace/app-common';
import { MetricsModule } from '../metrics/metrics.module';
import { ConnectorOffsetsModule } from '../offsets/connector-offsets.module';
import { PluginsModule } from '../plugins/plugins.module';
import { LOG_SCRUBBER, type LogScrubber } from '../secrets/log-scrubber';
import { SecretsModule } from '../secrets/secrets.module';
import { ConfigStoreModule } from '../storage/config-store.module';
import { StatusStoreModule } from '../storage/status-store.module';
import { AdminLoggersController } from './admin-loggers.controller';
import { ConnectorConfigController } from './connector-config.controller';
import { ConnectorOffsetsController } from './connector-offsets.controller';
import { ConnectorPluginsController } from './connector-plugins.controller';
import { ConnectorSnapshotsController } from './connector-snapshots.controller';
import { ConnectorStateController } from './connector-state.controller';
import { ConnectorTasksController } from './connector-tasks.controller';
import { ConnectorTopicsController } from './connector-topics.controller';
import { ConnectorsController } from './connectors.controller';
import { LeaderForwardingMiddleware } from './leader-forwarding.middleware';
import { OpenApiController } from './openapi.controller';
import { RootController } from './root.controller';

/** The REST API (Kafka Connect's resources and error shape); controllers only, no service of its own. */
@Module({
  imports: [HerderModule, ConfigStoreModule, ConnectorOffsetsModule, PluginsModule, ClusterInfoModule, SecretsModule, MetricsModule, DistributedModule, StatusStoreModule],
  controllers: [
    RootController,
    ConnectorsController,
    ConnectorConfigController,
    ConnectorStateController,
    ConnectorTasksController,
    ConnectorOffsetsController,
    ConnectorSnapshotsController,
    ConnectorTopicsController,
    AdminLoggersController,
    ConnectorPluginsController,
    OpenApiController,
  ],
  providers: [
    {
      provide: APP_FILTER,
      inject: [ROOT_LOGGER, LOG_SCRUBBER],
      useFactory: (logger: Logger, scrubber: LogScrubber) => new ConnectErrorFilter(logger.child({ component: 'rest' }), (text) => scrubber.scrub(text)),
    },
  ],
})
export class RestModule implements NestModule {
  /** Writes under /connectors reaching a follower go to the leader. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(LeaderForwardingMiddleware).forRoutes({ path: 'connectors', method: RequestMethod.ALL }, { path: 'connectors/*path', method: RequestMethod.ALL });
  }
}
