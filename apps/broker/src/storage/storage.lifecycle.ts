import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LogManager } from '@millrace/storage';
import { TopicStore } from '../metadata/topic-store';

/**
 * Opens and closes the broker's on-disk state with the application.
 *
 * Start (onModuleInit, before any module that imports StorageModule initialises): the
 * topic catalogue loads first, then the log manager starts (recovers and opens the logs)
 * with each topic's config from it.
 * Stop (onApplicationShutdown, the last phase): the log manager shuts down after the
 * group coordinator stopped (onModuleDestroy) and the Kafka listener closed
 * (beforeApplicationShutdown), so no request runs against a closing log.
 */
@Injectable()
export class StorageLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly store: TopicStore,
    @Inject(LogManager) private readonly logs: LogManager,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.load();
    await this.logs.startup();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.logs.shutdown();
  }
}
