import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TopicStore } from './topic-store';

/**
 * Loads the topic catalogue (`meta/topics.json`) at start, in onModuleInit: before
 * StorageModule's, which opens each log with its topic's config from the catalogue.
 */
@Injectable()
export class TopicStoreLifecycle implements OnModuleInit {
  constructor(private readonly store: TopicStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.load();
  }
}
