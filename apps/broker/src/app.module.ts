import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import { ClusterCatalogueModule } from './cluster/cluster-catalogue.module';
import { ClusterModule } from './cluster/cluster.module';
import type { BrokerConfig } from './config/broker-config';
import { MessageBrowserModule } from './admin/message-browser';
import { ConsoleModule } from './console/console';
import { CoreModule } from './core/core.module';
import { HealthController } from './http/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { NetworkModule } from './network/network.module';
import { SchemaRegistryModule } from './schema-registry/schema-registry.module';

/** The broker application: the Kafka listener and the HTTP API (health, metrics, admin). */
@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, logger), ClusterModule, ClusterCatalogueModule, NetworkModule, AdminModule, SchemaRegistryModule, ConsoleModule, MessageBrowserModule],
      controllers: [HealthController, MetricsController],
    };
  }
}
