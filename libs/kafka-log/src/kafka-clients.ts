import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafkaClient } from './kafka-client';
import { createRecordProducer, type RecordProducer, type RecordProducerOptions } from './record-producer';

/**
 * The Kafka clients of one process component, the single place where the client behind
 * each role is chosen:
 * - `producer()`: the project's own idempotent producer over libs/protocol
 *   (RecordProducer; measured 3-4x kafkajs per record, bench/kafka-client-bench.ts);
 *   task produce and dead letter queues use it;
 * - `kafkajs`: admin calls and consumer-group membership (the sink consumer), which
 *   the own client does not implement yet; fetches that need no group use
 *   PartitionReader.
 */
export class KafkaClients {
  readonly kafkajs: Kafka;

  constructor(
    readonly bootstrap: readonly string[],
    readonly clientId: string,
    private readonly logger: Logger,
  ) {
    this.kafkajs = createKafkaClient(bootstrap, clientId, logger);
  }

  /** A new producer named `<clientId>-<name>`; see RecordProducer. */
  producer(name: string, options: Pick<RecordProducerOptions, 'transactionalId' | 'tuning'> = {}): RecordProducer {
    const clientId = `${this.clientId}-${name}`;
    return createRecordProducer({
      ...options,
      bootstrap: this.bootstrap,
      clientId,
      logger: { warn: (message) => this.logger.warn({ component: clientId }, message) },
    });
  }
}
