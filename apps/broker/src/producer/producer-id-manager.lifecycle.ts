import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ProducerIdManager } from './producer-id-manager';

/** Loads the reserved producer id block (`meta/producer-id-block`) before any InitProducerId is served. */
@Injectable()
export class ProducerIdManagerLifecycle implements OnModuleInit {
  constructor(private readonly producerIds: ProducerIdManager) {}

  async onModuleInit(): Promise<void> {
    await this.producerIds.load();
  }
}
