import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '@millrace/app-common';
import { KafkaListener } from '../network/kafka-listener';
import { KafkaStore } from './kafka-store';
import { REGISTRY_CONFIG, type RegistryConfig } from './registry-config';

/**
 * Starts and stops the registry's Kafka store with the application.
 *
 * Start: in the background once the broker's Kafka listener accepts connections (it opens
 * only after every module initialised, so awaiting it inside a bootstrap hook could
 * deadlock). The store connects to MILLRACE_REGISTRY_BOOTSTRAP when set, else to this
 * broker. REST calls wait for it to load (see KafkaStore.ready).
 *
 * Stop: onModuleDestroy, which Nest runs before beforeApplicationShutdown, where the Kafka
 * listener closes: the kafkajs clients leave while the broker still answers them.
 */
@Injectable()
export class RegistryStoreLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private starting: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly store: KafkaStore,
    private readonly listener: KafkaListener,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    this.logger = root.child({ component: 'schema-registry' });
  }

  onApplicationBootstrap(): void {
    this.starting = (async () => {
      if (!this.config.bootstrap) await this.listener.listening;
      await this.store.start(this.config.bootstrap ?? this.listener.bootstrap);
    })().catch((err: unknown) => this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'schema registry store stopped starting'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.stop();
    await this.starting;
  }
}
