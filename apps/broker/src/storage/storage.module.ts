import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LogManager, parseLogConfig } from '@millrace/storage';
import type { Logger } from 'pino';
import * as path from 'path';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { TopicStore } from '../metadata/topic-store';

/**
 * The broker's on-disk state under MILLRACE_DATA_DIR:
 *   meta/   the topic catalogue, cluster id and producer id block (small JSON/text files);
 *   logs/   one directory per partition, owned by the storage library's LogManager.
 * The catalogue loads first so that each log opens with its topic's config. The log
 * manager shuts down last (onApplicationShutdown), after the listener and coordinator.
 */
@Module({
  providers: [
    {
      provide: TopicStore,
      inject: [BROKER_CONFIG],
      useFactory: async (config: BrokerConfig) => {
        const store = new TopicStore(path.resolve(config.dataDir));
        await store.load();
        return store;
      },
    },
    {
      provide: LogManager,
      inject: [BROKER_CONFIG, TopicStore, ROOT_LOGGER],
      useFactory: async (config: BrokerConfig, store: TopicStore, root: Logger) => {
        const logger = root.child({ component: 'storage' });
        const defaults = parseLogConfig(config.logDefaults);
        const manager = new LogManager({
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
        await manager.startup();
        return manager;
      },
    },
  ],
  exports: [TopicStore, LogManager],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(LogManager) private readonly logs: LogManager) {}

  async onApplicationShutdown(): Promise<void> {
    await this.logs.shutdown();
  }
}
