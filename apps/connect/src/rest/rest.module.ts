import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { ClusterInfoModule } from '../cluster/cluster-info.module';
import { ConnectErrorFilter } from '../http/connect-error.filter';
import { HerderModule } from '../herder/herder.module';
import { ROOT_LOGGER } from '@millrace/app-common';
import { ConnectorOffsetsModule } from '../offsets/connector-offsets.module';
import { PluginsModule } from '../plugins/plugins.module';
import { ConnectorConfigController } from './connector-config.controller';
import { ConnectorOffsetsController } from './connector-offsets.controller';
import { ConnectorPluginsController } from './connector-plugins.controller';
import { ConnectorStateController } from './connector-state.controller';
import { ConnectorTasksController } from './connector-tasks.controller';
import { ConnectorsController } from './connectors.controller';
import { OpenApiController } from './openapi.controller';
import { RootController } from './root.controller';

/** The REST API (Kafka Connect's resources and error shape); controllers only, no service of its own. */
@Module({
  imports: [HerderModule, ConnectorOffsetsModule, PluginsModule, ClusterInfoModule],
  controllers: [
    RootController,
    ConnectorsController,
    ConnectorConfigController,
    ConnectorStateController,
    ConnectorTasksController,
    ConnectorOffsetsController,
    ConnectorPluginsController,
    OpenApiController,
  ],
  providers: [{ provide: APP_FILTER, inject: [ROOT_LOGGER], useFactory: (logger: Logger) => new ConnectErrorFilter(logger.child({ component: 'rest' })) }],
})
export class RestModule {}
