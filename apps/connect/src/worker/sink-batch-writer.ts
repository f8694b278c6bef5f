import { isRetriableError, type SinkRecord, type SinkTask } from '@millrace/connect-sdk';
import type { Logger } from 'pino';
import type { TaskMetrics } from '../metrics/task-metrics';
import { isGroupRebalanceError, type SinkBatchPayload, type SinkConsumer } from './sink-group-consumer';
import { SinkRecordConversion, SLOW } from './sink-record-conversion';
import { isTransientKafkaError } from './kafka-errors';

/** Messages converted between two looks at the task's write in flight (and yields to its I/O). */
export const CONVERT_SLICE = 1000;
/** Converted records waiting for the write in flight, at most (then conversion waits): bounds the memory a big fetched batch holds twice. */
export const CONVERT_AHEAD = 10_000;

export interface SinkBatchWriterOptions {
  readonly task: SinkTask;
  readonly conversion: SinkRecordConversion;
  readonly logger: Logger;
  readonly metrics?: TaskMetrics;
  /** The consumer that fetched the batches (offsets are committed through it). */
  readonly consumer: () => SinkConsumer | undefined;
  /** True once the task stops or its consumer is being replaced: retries end, the batch is delivered again. */
  readonly ending: () => boolean;
}

/**
 * One fetched batch into the sink task: each message converted and transformed
 * (SinkRecordConversion; tolerated failures skipped), the records written and flushed,
 * and only then the batch's offsets committed to the group, so a record is never
 * committed before it was flushed.
 *
 * Pipelining: conversion and the task's writes overlap. Records are converted in
 * slices of CONVERT_SLICE messages; whenever the task is not writing, everything
 * converted so far goes to `task.write` (not awaited), and conversion goes on, yielding
 * to the event loop after each slice so the write's I/O proceeds (a database write is
 * mostly waiting for the server), until CONVERT_AHEAD records wait for the write. The task is still called serially and in offset order
 * (one write in flight at a time, `flush` after the last), and the offsets are committed
 * only after the flush, as before.
 *
 * Contracts: a write or flush failing with a retriable error is retried (300 ms
 * doubling to 10 s) for as long as the task runs and the consumer is not being replaced;
 * any other failure is thrown. An offset commit failing because the broker is unreachable
 * or the group is rebalancing is only logged (a later batch commits past these records,
 * or `commitPending` commits them before the consumer rejoins or leaves, or they are
 * delivered again: at-least-once; exactly-once sinks keep their offsets in the
 * destination). `sameGeneration` false at commit time (the group rebalanced since
 * the batch was fetched) skips the commit the same way: the offsets would otherwise be
 * committed under a generation that may have given the partition to another member.
 * The consumer's fetch position is the runner's business (it resolves the batch before
 * the write starts, so the next batch is fetched meanwhile).
 */
export class SinkBatchWriter {
  /** Per partition (topic-partition key): the offset after its last flushed batch whose commit failed, while that batch's generation holds. */
  private readonly uncommitted = new Map<string, { topic: string; partition: number; offset: string; sameGeneration: () => boolean }>();

  constructor(private readonly opts: SinkBatchWriterOptions) {}

  /**
   * Commits, through `consumer`, the offsets of flushed batches whose commit failed
   * (transient errors) and that no later commit of their partition covered, if the group
   * did not rebalance since those batches were fetched (an older generation's offset
   * could move the group backwards after another member's commits). Forgets them either
   * way; never throws (a failure is logged: the records may be delivered again).
   */
  async commitPending(consumer: SinkConsumer | undefined): Promise<void> {
    const due = [...this.uncommitted.values()].filter((u) => u.sameGeneration());
    this.uncommitted.clear();
    if (!consumer || due.length === 0) return;
    try {
      await consumer.commitOffsets(due.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
      this.opts.logger.info({ partitions: due.length }, 'committed the sink offsets of flushed batches whose commit had failed');
    } catch (err) {
      // Never fails the task: the records were flushed; at worst they are delivered again.
      this.opts.logger.warn({ err: (err as Error).message }, 'committing the sink offsets of flushed batches failed; records may be delivered again');
    }
  }

  async write(payload: SinkBatchPayload, sameGeneration: () => boolean = () => true): Promise<void> {
    const { batch } = payload;
    const { task, metrics } = this.opts;
    const started = performance.now();
    const written = await this.convertAndWrite(payload);
    await this.retrying(payload, () => task.flush());
    const last = batch.lastOffset();
    const lag = Number(batch.highWatermark) - Number(last) - 1;
    metrics?.sinkBatch({ topic: batch.topic, partition: batch.partition, polled: batch.messages.length, written, seconds: (performance.now() - started) / 1000, lag });
    const key = `${batch.topic}-${batch.partition}`;
    const next = String(Number(last) + 1);
    if (!sameGeneration()) {
      this.uncommitted.delete(key);
      this.opts.logger.info('the group rebalanced while a sink batch was written; its offsets are not committed to the group (records may be delivered again)');
      return;
    }
    try {
      const committing = performance.now();
      const consumer = this.opts.consumer();
      if (consumer) {
        this.uncommitted.set(key, { topic: batch.topic, partition: batch.partition, offset: next, sameGeneration });
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        this.uncommitted.delete(key);
      }
      metrics?.offsetCommit((performance.now() - committing) / 1000);
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
    }
  }

  /**
   * Converts the batch's messages and writes the records (see the class contract);
   * resolves once every write finished; returns the number of records written.
   */
  private async convertAndWrite(payload: SinkBatchPayload): Promise<number> {
    const { batch } = payload;
    const { task, conversion } = this.opts;
    const messages = batch.messages;
    const rawValues = conversion.rawValuesFor(task);
    let converted: SinkRecord[] = [];
    let count = 0;
    let writing: Promise<void> | undefined;
    let writeError: { err: unknown } | undefined;
    const startWrite = (): void => {
      const records = converted;
      converted = [];
      count += records.length;
      writing = this.retrying(payload, () => task.write(records)).then(
        () => {
          writing = undefined;
        },
        (err: unknown) => {
          writeError = { err };
          writing = undefined;
        },
      );
    };
    try {
      for (let start = 0; start < messages.length && writeError === undefined; start += CONVERT_SLICE) {
        const end = Math.min(start + CONVERT_SLICE, messages.length);
        for (let i = start; i < end; i++) {
          const m = messages[i];
          const fast = conversion.convertFast(batch.topic, batch.partition, m, rawValues);
          const record = fast === SLOW ? await conversion.convert(batch.topic, batch.partition, m) : fast;
          if (record) converted.push(record);
        }
        if (writing !== undefined && converted.length >= CONVERT_AHEAD) {
          // Far enough ahead: wait for the write instead of holding more converted records in memory.
          while (writing !== undefined) await writing;
          if (writeError !== undefined) break;
        }
        if (writing === undefined) {
          if (converted.length > 0) startWrite();
        } else {
          // Let the write in flight make progress before converting the next slice.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        // A big batch takes seconds: stay in the group (kafkajs sends at most one heartbeat per interval;
        // a rebalance error here shows again at the offset commit, which handles it).
        await payload.heartbeat().catch(() => undefined);
      }
    } finally {
      // Never leave a write running behind a conversion failure: the task is called serially.
      while (writing !== undefined) await writing;
    }
    if (writeError !== undefined) throw writeError.err;
    if (converted.length > 0) {
      startWrite();
      while (writing !== undefined) await writing;
      if (writeError !== undefined) throw (writeError as { err: unknown }).err;
    }
    return count;
  }

  /**
   * Runs a write or flush; a retriable error (`isRetriableError`, e.g. a lost database
   * connection) is retried with backoff (300 ms doubling to 10 s) for as long as the task
   * runs, as Kafka Connect redelivers a batch after a RetriableException. Any other error
   * is thrown (the task fails).
   */
  private async retrying(payload: SinkBatchPayload, operation: () => Promise<void>): Promise<void> {
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
