import { Module } from '@nestjs/common';
import { LogManager, parseLogConfig } from '@millrace/storage';
import { DynamicBrokerConfig } from '../config/dynamic-broker-config';
import type { Logger } from 'pino';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { TopicStore } from '../metadata/topic-store';
import { TopicStoreModule } from '../metadata/topic-store.module';
import { StorageLifecycle } from './storage.lifecycle';

/**
 * The broker's on-disk state under MILLRACE_DATA_DIR:
 *   meta/   the topic catalogue (TopicStoreModule), cluster id and producer id block;
 *   logs/   one directory per partition, owned by the storage library's LogManager.
 * Exports the LogManager, which StorageLifecycle starts once the catalogue is loaded (each
 * log opens with its topic's config) and shuts down last.
 */
@Module({
  imports: [TopicStoreModule],
  providers: [
    {
      provide: LogManager,
      inject: [BROKER_CONFIG, TopicStore, ROOT_LOGGER, DynamicBrokerConfig],
      useFactory: (config: BrokerConfig, store: TopicStore, root: Logger, dyn: DynamicBrokerConfig) => {
        const logger = root.child({ component: 'storage' });
        return new LogManager({
          dataDir: path.resolve(config.dataDir, 'logs'),
          defaultConfig: dyn.logDefaults,
          configFor: (topic) => {
            const t = store.get(topic);
            return t ? parseLogConfig(t.configs, dyn.logDefaults) : undefined;
          },
          logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
          retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
          cleanerIntervalMs: config.logCleanerBackoffMs,
          scrubIntervalMs: config.logScrubIntervalMs,
          rescrubIntervalMs: config.logRescrubIntervalMs,
        });
      },
    },
    StorageLifecycle,
  ],
  exports: [LogManager],
})
export class StorageModule {}
