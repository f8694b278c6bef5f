import { errorMessage } from '@millrace/app-common';
import { BatchProducer, ProduceError } from './batch-producer';
import { batchProducerOptions, type ProducedRecord, type RecordProducer, type RecordProducerOptions } from './produced-record';
import { RecordPartitioner } from './record-partitioner';
import { TransactionalRecordProducer } from './transactional-record-producer';

export type { ProducedRecord, RecordProducer, RecordProducerOptions } from './produced-record';

/** The project's producer (see RecordProducer). */
export function createRecordProducer(options: RecordProducerOptions): RecordProducer {
  return options.transactionalId !== undefined ? new TransactionalRecordProducer({ ...options, transactionalId: options.transactionalId }) : new IdempotentRecordProducer(options);
}

/** RecordProducer over BatchProducer (libs/protocol), one idempotent session at a time. */
class IdempotentRecordProducer implements RecordProducer {
  private producer: BatchProducer | null = null;
  private readonly partitioner: RecordPartitioner;
  private closed = false;

  constructor(private readonly options: RecordProducerOptions) {
    this.partitioner = new RecordPartitioner(options.bootstrap, options.clientId);
  }

  async open(): Promise<void> {}

  async send(records: readonly ProducedRecord[]): Promise<void> {
    if (this.closed) throw new Error('producer is closed');
    if (records.length === 0) return;
    const groups = await this.partitioner.group(records);
    const producer = (this.producer ??= new BatchProducer(batchProducerOptions(this.options)));
    try {
      const deliveries = [];
      for (const g of groups) deliveries.push(await producer.append(g.topic, g.partition, g.inputs));
      await Promise.all(deliveries.map((d) => d.delivered));
    } catch (err) {
      // The session's sequence numbers are gone (BatchProducer failed as a whole): start a new one next time.
      if (this.producer === producer) this.producer = null;
      await producer.close().catch(() => undefined);
      throw err instanceof ProduceError ? err : new ProduceError(errorMessage(err), true);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const producer = this.producer;
    this.producer = null;
    try {
      await producer?.close();
    } finally {
      this.partitioner.close();
    }
  }
}
