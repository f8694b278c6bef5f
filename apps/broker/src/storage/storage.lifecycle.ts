import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LogManager } from '@millrace/storage';

/**
 * Starts and stops the log manager with the application.
 *
 * Start (onModuleInit, after TopicStoreModule's: the catalogue is loaded): recovers and
 * opens the logs, each with its topic's config.
 * Stop (onApplicationShutdown, the last phase): the logs shut down after the group
 * coordinator stopped (onModuleDestroy) and the Kafka listener closed
 * (beforeApplicationShutdown), so no request runs against a closing log.
 */
@Injectable()
export class StorageLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(LogManager) private readonly logs: LogManager) {}

  async onModuleInit(): Promise<void> {
    await this.logs.startup();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.logs.shutdown();
  }
}
