import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { NetworkModule } from '../network/network.module';
import { CompatibilityController } from './compatibility.controller';
import { ConfigController } from './config.controller';
import { KafkaStore } from './kafka-store';
import { ModeController } from './mode.controller';
import { loadRegistryConfig, REGISTRY_CONFIG, type RegistryConfig } from './registry-config';
import { RegistryMediaTypeMiddleware } from './registry-media-type.middleware';
import { RegistryStoreLifecycle } from './registry-store.lifecycle';
import { RootController } from './root.controller';
import { SchemaRegistryService } from './schema-registry.service';
import { SchemaRegistryState } from './schema-registry.state';
import { SchemasController } from './schemas.controller';
import { SubjectsController } from './subjects.controller';

const CONTROLLERS = [RootController, SubjectsController, SchemasController, ConfigController, ModeController, CompatibilityController];

/**
 * The Confluent-compatible Avro schema registry, served on the broker's HTTP port and
 * stored in the `_schemas` topic through the Kafka protocol. Exports SchemaRegistryService.
 */
@Module({
  imports: [NetworkModule],
  controllers: CONTROLLERS,
  providers: [
    { provide: REGISTRY_CONFIG, useFactory: (): RegistryConfig => loadRegistryConfig() },
    { provide: SchemaRegistryState, useFactory: () => new SchemaRegistryState() },
    {
      provide: KafkaStore,
      inject: [REGISTRY_CONFIG, SchemaRegistryState, ROOT_LOGGER],
      useFactory: (config: RegistryConfig, state: SchemaRegistryState, root: Logger) => new KafkaStore(config, state, root.child({ component: 'schema-registry' })),
    },
    SchemaRegistryService,
    RegistryStoreLifecycle,
  ],
  exports: [SchemaRegistryService],
})
export class SchemaRegistryModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RegistryMediaTypeMiddleware).forRoutes(...CONTROLLERS);
  }
}
