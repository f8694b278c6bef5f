import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { TopicManager } from './topic-manager';

/**
 * Start-up reconciliation of the topic catalogue with the logs on disk
 * (TopicManager.reconcile): opens every catalogued partition and deletes stray logs.
 * Runs in onModuleInit, after StorageModule's (catalogue loaded, log manager started)
 * and before the group coordinator loads `__consumer_offsets` from the opened partitions.
 */
@Injectable()
export class TopicManagerLifecycle implements OnModuleInit {
  constructor(
    private readonly topics: TopicManager,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const stray = await this.topics.reconcile();
    if (stray.length > 0) this.logger.warn(`deleted ${stray.length} partition logs of topics no longer in the catalogue: ${stray.join(', ')}`);
  }
}
