import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { NetworkModule } from '../network/network.module';
import { CompatibilityController } from './compatibility.controller';
import { ConfigController } from './config.controller';
import { KafkaStore } from './kafka-store';
import { ModeController } from './mode.controller';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryForwardingMiddleware } from './registry-forwarding.middleware';
import { RegistryLeadership } from './registry-leadership';
import { RegistryMediaTypeMiddleware } from './registry-media-type.middleware';
import { RegistrySettingsService } from './registry-settings.service';
import { RegistryStoreLifecycle } from './registry-store.lifecycle';
import { RootController } from './root.controller';
import { SchemaRegistryService } from './schema-registry.service';
import { SchemaRegistryState } from './schema-registry.state';
import { SchemasController } from './schemas.controller';
import { SubjectsController } from './subjects.controller';

const CONTROLLERS = [RootController, SubjectsController, SchemasController, ConfigController, ModeController, CompatibilityController];

/**
 * The Confluent-compatible Avro schema registry, served on the broker's HTTP port and
 * stored in the `_schemas` topic through the Kafka protocol. Its settings are the
 * `registry` part of the BrokerConfig (validated before anything starts); the store is
 * started and stopped by RegistryStoreLifecycle. In a cluster the broker leading the
 * store partition is the one writer; the others forward writes to it
 * (RegistryForwardingMiddleware). Exports SchemaRegistryService.
 */
@Module({
  imports: [NetworkModule],
  controllers: CONTROLLERS,
  providers: [
    { provide: REGISTRY_CONFIG, inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig): RegistryConfig => config.registry },
    { provide: SchemaRegistryState, useFactory: () => new SchemaRegistryState() },
    RegistryLeadership,
    KafkaStore,
    RegistrySettingsService,
    SchemaRegistryService,
    RegistryStoreLifecycle,
  ],
  exports: [SchemaRegistryService],
})
export class SchemaRegistryModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RegistryMediaTypeMiddleware, RegistryForwardingMiddleware).forRoutes(...CONTROLLERS);
  }
}
