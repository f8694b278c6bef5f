import { Module } from '@nestjs/common';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ProducerIdManager } from './producer-id-manager';
import { ProducerIdManagerLifecycle } from './producer-id-manager.lifecycle';

/** Producer id allocation for InitProducerId; ProducerIdManagerLifecycle loads it at start. */
@Module({
  providers: [
    {
      provide: ProducerIdManager,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => new ProducerIdManager(path.resolve(config.dataDir)),
    },
    ProducerIdManagerLifecycle,
  ],
  exports: [ProducerIdManager],
})
export class ProducerModule {}
