import { Module } from '@nestjs/common';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { TopicStore } from './topic-store';
import { TopicStoreLifecycle } from './topic-store.lifecycle';

/**
 * The durable topic catalogue under `<dataDir>/meta`. Exports TopicStore, loaded by
 * TopicStoreLifecycle before the modules importing this one initialise (the storage
 * layer reads topic configs from it).
 */
@Module({
  providers: [
    { provide: TopicStore, inject: [BROKER_CONFIG], useFactory: (config: BrokerConfig) => new TopicStore(path.resolve(config.dataDir)) },
    TopicStoreLifecycle,
  ],
  exports: [TopicStore],
})
export class TopicStoreModule {}
