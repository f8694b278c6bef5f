import { isRetriableError, type SinkRecord, type SinkTask } from '@millrace/connect-sdk';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import type { TaskMetrics } from '../metrics/task-metrics';
import { isGroupRebalanceError } from './sink-group-consumer';
import { SinkRecordConversion, SLOW } from './sink-record-conversion';
import { isTransientKafkaError } from './source-task-runner';

export interface SinkBatchWriterOptions {
  readonly task: SinkTask;
  readonly conversion: SinkRecordConversion;
  readonly logger: Logger;
  readonly metrics?: TaskMetrics;
  /** The consumer that fetched the batches (offsets are committed through it). */
  readonly consumer: () => Consumer | undefined;
  /** True once the task stops or its consumer is being replaced: retries end, the batch is delivered again. */
  readonly ending: () => boolean;
}

/**
 * One fetched batch into the sink task: each message converted and transformed
 * (SinkRecordConversion; tolerated failures skipped), the records written and flushed,
 * and only then the batch's offsets committed to the group, so a record is never
 * committed before it was flushed.
 *
 * Contracts: a write or flush failing with a retriable error is retried (300 ms
 * doubling to 10 s) for as long as the task runs and the consumer is not being replaced;
 * any other failure is thrown. An offset commit failing because the broker is unreachable
 * or the group is rebalancing is only logged (a later batch commits past these records,
 * or they are delivered again: at-least-once; exactly-once sinks keep their offsets in
 * the destination).
 */
export class SinkBatchWriter {
  constructor(private readonly opts: SinkBatchWriterOptions) {}

  async write(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { task, conversion, metrics } = this.opts;
    const started = performance.now();
    const records: SinkRecord[] = [];
    for (const m of batch.messages) {
      const fast = conversion.convertFast(batch.topic, batch.partition, m);
      const record = fast === SLOW ? await conversion.convert(batch.topic, batch.partition, m) : fast;
      if (record) records.push(record);
    }
    if (records.length > 0) await this.retrying(payload, () => task.write(records));
    await this.retrying(payload, () => task.flush());
    const last = batch.lastOffset();
    const lag = Number(batch.highWatermark) - Number(last) - 1;
    metrics?.sinkBatch({ topic: batch.topic, partition: batch.partition, polled: batch.messages.length, written: records.length, seconds: (performance.now() - started) / 1000, lag });
    try {
      const committing = performance.now();
      await this.opts.consumer()?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
      metrics?.offsetCommit((performance.now() - committing) / 1000);
      payload.resolveOffset(last);
      await payload.heartbeat();
    } catch (err) {
      // The broker unreachable (e.g. restarting): as in Kafka Connect, a failed offset
      // commit does not fail the task; a later batch commits past these records, or
      // they are delivered again after a rebalance (at-least-once). The same holds when
      // the consumer group is rebalancing (tasks of the connector starting or moving
      // between workers): the consumer rejoins and the batch's offsets are committed or
      // redelivered then.
      if (!isTransientKafkaError(err) && !isGroupRebalanceError(err)) throw err;
      this.opts.logger.warn({ err: (err as Error).message }, 'committing sink offsets failed; records may be delivered again');
      payload.resolveOffset(last);
    }
  }

  /**
   * Runs a write or flush; a retriable error (`isRetriableError`, e.g. a lost database
   * connection) is retried with backoff (300 ms doubling to 10 s) for as long as the task
   * runs, as Kafka Connect redelivers a batch after a RetriableException. Any other error
   * is thrown (the task fails).
   */
  private async retrying(payload: EachBatchPayload, operation: () => Promise<void>): Promise<void> {
    for (let delay = 300; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        await operation();
        return;
      } catch (err) {
        if (!isRetriableError(err) || this.opts.ending() || !payload.isRunning()) throw err;
        this.opts.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'retriable sink error; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        await payload.heartbeat().catch(() => undefined);
      }
    }
  }
}
