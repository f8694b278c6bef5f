import { Module } from '@nestjs/common';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ProducerIdManager } from './producer-id-manager';

/** Producer id allocation for InitProducerId. */
@Module({
  providers: [
    {
      provide: ProducerIdManager,
      inject: [BROKER_CONFIG],
      useFactory: async (config: BrokerConfig) => {
        const m = new ProducerIdManager(path.resolve(config.dataDir));
        await m.load();
        return m;
      },
    },
  ],
  exports: [ProducerIdManager],
})
export class ProducerModule {}
