import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';
import { ROOT_LOGGER } from '@millrace/app-common';
import { KafkaServer } from './kafka-server';
import { REQUEST_DISPATCHER, type RequestDispatcher } from './request-dispatcher';

/**
 * Request bytes one connection may have dispatched and unanswered. Without it, a
 * producer pipelining 1 MB batches could park maxInFlightRequestsPerConnection (256) of
 * them in the broker's memory; the group commit writes whatever is queued at once, so a
 * few MiB in flight already keep the log's writes full.
 */
const MAX_IN_FLIGHT_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The Kafka listener's lifecycle: it opens (onApplicationBootstrap) only after every
 * module initialised (logs recovered, groups loaded), and closes in
 * beforeApplicationShutdown: after the modules' onModuleDestroy (the group coordinator
 * then answers NOT_COORDINATOR) and before the logs shut down (onApplicationShutdown),
 * so no request runs against a closing log.
 */
@Injectable()
export class KafkaListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: KafkaServer;
  private markListening!: () => void;
  /** Resolves once the Kafka port accepts connections (for in-process Kafka clients, e.g. the schema registry's store). */
  readonly listening: Promise<void> = new Promise((resolve) => (this.markListening = resolve));

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(REQUEST_DISPATCHER) dispatcher: RequestDispatcher,
    @Inject(ROOT_LOGGER) root: Logger,
  ) {
    const logger = root.child({ component: 'network' });
    this.server = new KafkaServer(
      dispatcher,
      {
        maxFrameBytes: config.socketRequestMaxBytes,
        maxInFlight: config.maxInFlightRequestsPerConnection,
        maxInFlightRequestBytes: MAX_IN_FLIGHT_REQUEST_BYTES,
        maxQueuedResponseBytes: 64 * 1024 * 1024,
      },
      { warn: (m) => logger.warn(m), debug: (m) => logger.debug(m) },
    );
  }

  get connections(): number {
    return this.server.connectionCount;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.server.listen(this.config.host, this.config.kafkaPort);
    this.markListening();
  }

  /** The address in-process Kafka clients use to reach this broker. */
  get bootstrap(): string {
    return `${this.config.host}:${this.config.kafkaPort}`;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}
