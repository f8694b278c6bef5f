import { Module } from '@nestjs/common';
import { LogManager, parseLogConfig } from '@millrace/storage';
import type { Logger } from 'pino';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { TopicStore } from '../metadata/topic-store';
import { StorageLifecycle } from './storage.lifecycle';

/**
 * The broker's on-disk state under MILLRACE_DATA_DIR:
 *   meta/   the topic catalogue, cluster id and producer id block (small JSON/text files);
 *   logs/   one directory per partition, owned by the storage library's LogManager.
 * Exports the catalogue (TopicStore) and the LogManager; both are constructed here and
 * opened by StorageLifecycle (catalogue first, so that each log opens with its topic's
 * config), which also shuts the logs down last.
 */
@Module({
  providers: [
    {
      provide: TopicStore,
      inject: [BROKER_CONFIG],
      useFactory: (config: BrokerConfig) => new TopicStore(path.resolve(config.dataDir)),
    },
    {
      provide: LogManager,
      inject: [BROKER_CONFIG, TopicStore, ROOT_LOGGER],
      useFactory: (config: BrokerConfig, store: TopicStore, root: Logger) => {
        const logger = root.child({ component: 'storage' });
        const defaults = parseLogConfig(config.logDefaults);
        return new LogManager({
          dataDir: path.resolve(config.dataDir, 'logs'),
          defaultConfig: defaults,
          configFor: (topic) => {
            const t = store.get(topic);
            return t ? parseLogConfig(t.configs, defaults) : undefined;
          },
          logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) },
          retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
          cleanerIntervalMs: config.logCleanerBackoffMs,
        });
      },
    },
    StorageLifecycle,
  ],
  exports: [TopicStore, LogManager],
})
export class StorageModule {}
