import { errorMessage } from '@millrace/app-common';
import { BatchProducer, ProduceError } from './batch-producer';
import { batchProducerOptions, type ProducedRecord, type RecordProducer, type RecordProducerOptions } from './produced-record';
import { RecordPartitioner } from './record-partitioner';
import { ProducerFencedError, TransactionClient } from './transaction-client';

/**
 * A RecordProducer whose every `send` is one Kafka transaction (KIP-98), on
 * `libs/protocol`: the records' partitions are added to the transaction
 * (AddPartitionsToTxn), the records are written as transactional batches with the
 * transactional id's producer id and epoch, and the transaction is committed (EndTxn)
 * before `send` resolves. A `read_committed` consumer sees all of a `send` or none of it.
 *
 * Contracts:
 * - `open()` registers the transactional id (InitProducerId): every earlier producer of
 *   the id is fenced and its open transaction aborted before this one writes.
 * - A `send` that fails is aborted (EndTxn abort, best effort; the coordinator aborts it
 *   at transaction.timeout.ms otherwise) and rejects with a retriable ProduceError; the
 *   next `send` runs under a new epoch (InitProducerId with the current id and epoch,
 *   KIP-360), so nothing of the failed one becomes visible.
 * - Fenced (a newer producer took the id): rejects with a non-retriable ProduceError
 *   whose cause is a ProducerFencedError; every later call rejects the same way.
 * - One `send` at a time (a transaction is the unit); concurrent calls are queued.
 */
export class TransactionalRecordProducer implements RecordProducer {
  private readonly txn: TransactionClient;
  private readonly partitioner: RecordPartitioner;
  private producer: BatchProducer | null = null;
  private initialized = false;
  private fatal: ProduceError | null = null;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RecordProducerOptions & { transactionalId: string }) {
    this.txn = new TransactionClient({
      bootstrap: options.bootstrap,
      transactionalId: options.transactionalId,
      transactionTimeoutMs: options.transactionTimeoutMs,
      clientId: options.clientId,
      logger: options.logger,
    });
    this.partitioner = new RecordPartitioner(options.bootstrap, options.clientId);
  }

  open(): Promise<void> {
    return this.serial(() => this.init());
  }

  send(records: readonly ProducedRecord[]): Promise<void> {
    return this.serial(async () => {
      if (records.length === 0) return;
      await this.init();
      const groups = await this.partitioner.group(records);
      const producer = (this.producer ??= new BatchProducer(batchProducerOptions(this.options, { transactionalId: this.options.transactionalId, ...this.txn.producerId })));
      try {
        await this.txn.addPartitions(groups);
        const deliveries = [];
        for (const g of groups) deliveries.push(await producer.append(g.topic, g.partition, g.inputs));
        await Promise.all(deliveries.map((d) => d.delivered));
        await this.txn.endTransaction(true);
      } catch (err) {
        throw await this.failed(err);
      }
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      const producer = this.producer;
      this.producer = null;
      try {
        await producer?.close().catch(() => undefined);
      } finally {
        this.txn.close();
        this.partitioner.close();
      }
    });
  }

  private async init(): Promise<void> {
    if (this.closed) throw new Error('producer is closed');
    if (this.fatal) throw this.fatal;
    if (this.initialized) return;
    try {
      await this.txn.initTransactions();
    } catch (err) {
      throw this.classify(err);
    }
    this.initialized = true;
  }

  /** After a failed send: abort what it wrote, drop the session (the next send bumps the epoch), and say why. */
  private async failed(err: unknown): Promise<ProduceError> {
    const error = this.classify(err);
    const producer = this.producer;
    this.producer = null;
    this.initialized = false;
    await producer?.close().catch(() => undefined);
    if (!this.fatal) await this.txn.endTransaction(false).catch(() => undefined);
    return error;
  }

  private classify(err: unknown): ProduceError {
    if (err instanceof ProducerFencedError) {
      this.fatal = new ProduceError(err.message, false);
      this.fatal.cause = err;
      return this.fatal;
    }
    return err instanceof ProduceError ? err : new ProduceError(errorMessage(err), true);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
