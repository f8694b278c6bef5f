import {
  isRetriableError,
  SinkTopics,
  type Converter,
  type RetryWithToleranceOperator,
  type SinkRecord,
  type SinkTask,
  type TransformChain,
} from '@millrace/connect-sdk';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { TaskMetrics } from '../metrics/task-metrics';
import { SinkAssignment } from './sink-assignment';
import { SinkBatchWriter } from './sink-batch-writer';
import { sinkConsumerConfig, type SinkConsumerConfig } from './sink-consumer-config';
import { createSinkConsumer, groupByTopic, sinkDebugLog, type SinkBatchPayload, type SinkConsumer, type SinkConsumerKind } from './sink-group-consumer';
import { SinkRecordConversion } from './sink-record-conversion';
import { missingTopicsNote, sameTopics, SinkTopicWatcher, type SinkTopicState } from './sink-topic-watcher';
import { isTransientKafkaError } from './kafka-errors';
import { connectorLogger } from './connector-logger';
import type { TaskRunner, TaskStateListener } from './task-runner';

export interface SinkTaskRunnerOptions {
  readonly connector: string;
  readonly id: number;
  readonly task: SinkTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly kafka: Kafka;
  /** host:port list: the project's GroupConsumer (MILLRACE_SINK_CONSUMER=protocol) connects to it. */
  readonly bootstrap?: readonly string[];
  /** The sink consumer's client; default sinkConsumerKind() (MILLRACE_SINK_CONSUMER). */
  readonly consumerKind?: SinkConsumerKind;
  /** `topics` (non-empty) or `topics.regex`. */
  readonly topics: readonly string[];
  readonly topicsRegex: string;
  /** Session, rebalance and topic-check settings (defaults, or the connector's consumer.override.*). */
  readonly consumerConfig?: SinkConsumerConfig;
  readonly keyConverter: Converter;
  readonly valueConverter: Converter;
  readonly transforms: TransformChain<SinkRecord>;
  /** Runs converters and transforms under errors.tolerance / errors.retry.* (reporters: log, DLQ). */
  readonly operator: RetryWithToleranceOperator;
  readonly onState: TaskStateListener;
  readonly logger: Logger;
  /** Batch, failure, commit and lag metrics of this task. */
  readonly metrics?: TaskMetrics;
}

/**
 * Runs a sink task as a member of the consumer group `connect-<connector>`.
 *
 * Contracts: on every assignment the task's `partitionsRevoked`/`partitionsAssigned`
 * are called and the consumer seeks to the offsets the task returns (exactly-once sinks
 * keep them in their destination); other partitions start from the group's committed
 * offset, or the earliest when none (Kafka Connect's sink default); batches wait until
 * the assignment was handed to the task, and records before a sought offset are never
 * delivered (SinkAssignment). Each batch goes through SinkBatchWriter: converted and
 * transformed (tolerated failures skipped, after the reporters — log, dead letter
 * queue — had them), written, flushed, and only then its offsets are committed, so a
 * record is never committed before it was flushed. A write or flush failing with a
 * retriable error is retried; any other failure fails the task, except an offset commit
 * failing because the broker is unreachable, which is only logged (the records may then
 * be delivered again).
 *
 * Pipelining: one batch is written (task write + flush + offset commit) while the next
 * one is fetched (a fetch of up to 16 MiB and its decoding take about a second per
 * 100k records, while the task mostly waits for its database). The task's calls stay
 * strictly serial (a batch's write starts after the previous one ended;
 * partitionsRevoked/partitionsAssigned run after the write in flight ended) and at most
 * one write is in flight. A new assignment, replacing the consumer and stopping all wait
 * for the write in flight before they touch the task or leave the group; once a write
 * failed, or while the consumer is being replaced or the task stops, no new write starts
 * (the batch is delivered again from the committed offsets). A write that ends after the
 * group rebalanced does not commit its offsets to the group (SinkBatchWriter: they may
 * belong to another member by then). Commit before rejoin (Kafka's onPartitionsRevoked):
 * the project's consumer calls `beforeRejoin` before it sends JoinGroup, while its
 * generation's commits are still accepted; the write in flight ends and its offsets, and
 * those of flushed batches whose commit had failed, are committed then, so the
 * partitions' next owner starts after every record this task flushed. Replacing the
 * consumer and stopping commit those pending offsets too before the consumer leaves.
 * (kafkajs has no such hook: a write in flight when it notices the rebalance is not
 * committed and its records are delivered again.)
 *
 * Topics that do not exist: the consumer subscribes only to the consumed topics that
 * exist (SinkTopicWatcher checks every `metadata.max.age.ms`), so the others keep
 * flowing; when that set changes (a listed topic is created, a new topic matches
 * `topics.regex`, a topic is deleted) the consumer is replaced: the old one finishes
 * its batch and leaves the group (its partitions are revoked from the task), a new one
 * joins with the new subscription and resumes from the task's or the group's offsets.
 * While topics are missing, the task's status (RUNNING or PAUSED) carries a `trace`
 * naming them — what `GET /connectors/{c}/status` shows; Kafka Connect has no such field
 * for a running task, so this is Millrace's — and the trace is cleared once they exist.
 * With `topics.regex` matching nothing yet, the trace says so.
 */
export class SinkTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly id: number;
  private consumer: SinkConsumer | undefined;
  /** The topics the current consumer subscribed to (undefined: none tried yet). */
  private subscribed: readonly string[] | undefined;
  /** True while a consumer is being replaced: batches in flight end without failing the task. */
  private replacing = false;
  private watcher: SinkTopicWatcher | undefined;
  private readonly sinkTopics: SinkTopics;
  private readonly consumerConfig: SinkConsumerConfig;
  /** What the status trace says about missing topics; null when none are missing. */
  private topicsNote: string | null = null;
  /** The task's own status message (context.reportStatus); null when none. */
  private taskNote: string | null = null;
  private started = false;
  private readonly assigned: SinkAssignment;
  /** Settles when the latest assignment was handed to the task (batches wait for it). */
  private assignment: Promise<void> = Promise.resolve();
  private paused = false;
  private failed = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private joining: Promise<void> = Promise.resolve();
  private readonly writer: SinkBatchWriter;
  /** The write of the previous batch (never rejects; failures are handled inside). */
  private inFlight: Promise<void> = Promise.resolve();
  /** Counts the group's rebalances seen by this runner: a write commits its offsets only if none happened since its batch was fetched. */
  private generation = 0;
  /** A write of the current consumer failed: no later batch of it may be written (that would leave a gap). */
  private writeFailed = false;
  /** The per-partition decisions (MILLRACE_SINK_CONSUMER_DEBUG, or the logger at debug); undefined: off. */
  private readonly debug: ((message: string) => void) | undefined;

  constructor(private readonly opts: SinkTaskRunnerOptions) {
    this.debug = sinkDebugLog(opts.logger);
    this.assigned = new SinkAssignment(opts.task, this.debug);
    this.writer = new SinkBatchWriter({
      task: opts.task,
      conversion: new SinkRecordConversion(opts),
      logger: opts.logger,
      metrics: opts.metrics,
      consumer: () => this.consumer,
      ending: () => this.stopping || this.replacing,
    });
    this.connector = opts.connector;
    this.id = opts.id;
    this.sinkTopics = new SinkTopics(opts.topics, opts.topics.length > 0 ? '' : opts.topicsRegex);
    this.consumerConfig = opts.consumerConfig ?? sinkConsumerConfig({});
  }

  async start(paused: boolean): Promise<void> {
    const { task, connector, id } = this.opts;
    this.paused = paused;
    try {
      await task.open(this.opts.taskConfig, {
        connectorName: connector,
        taskId: id,
        logger: connectorLogger(this.opts.logger),
        pause: (tps) => this.consumer?.pause(groupByTopic(tps)),
        resume: (tps) => this.consumer?.resume(groupByTopic(tps)),
        reportStatus: (message) => {
          this.taskNote = message;
          this.report();
        },
      });
    } catch (err) {
      await this.fail(err);
      return;
    }
    this.started = true;
    this.report();
    if (this.consumerConfig.ignored.length > 0) this.opts.logger.warn({ keys: this.consumerConfig.ignored }, 'consumer.override keys not supported by this runtime; ignored');
    const watcher = new SinkTopicWatcher({
      kafka: this.opts.kafka,
      topics: this.sinkTopics,
      intervalMs: this.consumerConfig.metadataMaxAgeMs,
      logger: this.opts.logger,
      onChange: (state) => this.onTopics(state),
    });
    this.watcher = watcher;
    // Not awaiting fail here: fail -> stop -> close awaits `joining` itself.
    this.joining = watcher.run().catch((err: unknown) => {
      void this.fail(err);
    });
  }

  /** Reports the task's RUNNING/PAUSED state with its status notes as the trace, once started and unless it failed or stops. */
  private report(): void {
    if (!this.started || this.failed || this.stopping) return;
    const notes = [this.topicsNote, this.taskNote].filter((n): n is string => n !== null);
    this.opts.onState(this.paused ? 'PAUSED' : 'RUNNING', notes.length > 0 ? notes.join('\n') : undefined);
  }

  /** The consumed topics that exist changed: update the status and the subscription. */
  private async onTopics(state: SinkTopicState): Promise<void> {
    const note = missingTopicsNote(this.sinkTopics, state);
    if (note !== this.topicsNote) {
      this.topicsNote = note;
      if (note !== null) this.opts.logger.warn(note);
      else this.opts.logger.info({ topics: state.present }, 'every sink topic exists');
      this.report();
    }
    if (this.subscribed !== undefined && sameTopics(this.subscribed, state.present)) return;
    await this.stopConsumer();
    if (this.stopping) return;
    this.subscribed = state.present;
    if (state.present.length > 0) await this.startConsumer(state.present);
  }

  /**
   * Joins the group subscribed to `topics` (all existing) and starts consuming. A topic
   * deleted meanwhile or the broker unreachable (a transient error) leaves no consumer
   * and the next topic check tries again.
   */
  private async startConsumer(topics: readonly string[]): Promise<void> {
    const { kafka, bootstrap, consumerKind, logger } = this.opts;
    const consumer = createSinkConsumer({ kafka, bootstrap, kind: consumerKind, logger: { warn: (message) => logger.warn(message), debug: this.debug } }, this.opts.connector, this.consumerConfig);
    this.consumer = consumer;
    this.writeFailed = false;
    consumer.on(consumer.events.REBALANCING, () => {
      this.generation++;
    });
    consumer.on(consumer.events.GROUP_JOIN, (event: { payload: { memberAssignment: Record<string, number[]> } }) => {
      this.generation++;
      const previous = this.assignment;
      // Not awaiting fail: stopping waits for the consumer, which may wait for this chain.
      this.assignment = previous
        .then(() => this.drain())
        .then(() => this.onAssignment(event.payload.memberAssignment))
        .catch((err: unknown) => {
          void this.fail(err);
        });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      if (this.stopping) return;
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload), beforeRejoin: () => this.beforeRejoin() });
    } catch (err) {
      if (!isRetriableError(err) && !isTransientKafkaError(err)) throw err;
      this.opts.logger.warn({ err: (err as Error).message, topics }, 'the sink consumer could not subscribe; retrying at the next topic check');
      await this.stopConsumer();
      this.subscribed = undefined;
      return;
    }
    if (this.paused) consumer.pause(groupByTopic(this.assigned.partitions));
  }

  /** Stops the current consumer (waiting for its batch in flight) and revokes its partitions from the task. */
  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.replacing = true;
    try {
      // The write in flight commits its offsets while the consumer is still a member.
      await this.drain();
      await this.writer.commitPending(consumer);
      await consumer.disconnect().catch(() => undefined);
      await this.drain();
    } finally {
      this.replacing = false;
    }
    this.consumer = undefined;
    await this.assignment;
    this.assignment = Promise.resolve();
    await this.assigned.revokeAll(!this.failed);
  }

  /**
   * The group rebalances and this member still holds its generation (the consumer calls
   * this before JoinGroup): the write in flight ends — flushed, and its offsets committed
   * under that generation — and offsets flushed earlier whose commit failed are committed
   * again, so the partitions' next owner starts after every record this task applied.
   */
  private async beforeRejoin(): Promise<void> {
    await this.drain();
    await this.writer.commitPending(this.consumer);
  }

  /** Resolves once no batch write is in flight (one may start meanwhile only if the runner is neither stopping nor replacing its consumer). */
  private async drain(): Promise<void> {
    for (let w = this.inFlight; ; w = this.inFlight) {
      await w;
      if (w === this.inFlight) return;
    }
  }

  async pause(): Promise<void> {
    this.paused = true;
    this.consumer?.pause(groupByTopic(this.assigned.partitions));
    this.report();
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.consumer?.resume(groupByTopic(this.assigned.partitions));
    this.report();
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.watcher?.stop();
    this.opts.operator.stop();
    this.stopped ??= this.close();
    return this.stopped;
  }

  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    await this.assigned.update(assignment, (tp, offset) => this.consumer?.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) }));
    if (this.paused) this.consumer?.pause(groupByTopic(this.assigned.partitions));
  }

  private async onBatch(payload: SinkBatchPayload): Promise<void> {
    const { batch } = payload;
    await this.assignment;
    if (this.failed || payload.isStale() || !payload.isRunning()) return this.skipped(payload, 'stale, or the task failed or stops');
    // A batch fetched before the seek to the task's own offsets: drop what precedes them.
    const first = batch.firstOffset();
    const tp = { topic: batch.topic, partition: batch.partition };
    if (!this.assigned.admits(tp, first === null ? null : Number(first))) {
      this.seekTargetAgain(tp, first);
      return this.skipped(payload, 'before the offset the task asked for');
    }
    if (this.paused) {
      payload.pause();
      return this.skipped(payload, 'the task is paused');
    }
    const generation = this.generation;
    // This batch was fetched while the previous one was written; that write must end first.
    await this.drain();
    // Not written (a failure, a stop, a consumer being replaced, a seek or a rebalance since the fetch): delivered again from the committed offsets.
    if (this.failed || this.writeFailed || this.stopping || this.replacing || payload.isStale() || !payload.isRunning() || generation !== this.generation) {
      return this.skipped(payload, `after the previous write: ${this.failed || this.writeFailed ? 'a write failed' : this.stopping || this.replacing ? 'stopping or replacing the consumer' : 'stale or rebalanced'}`);
    }
    this.debug?.(`sink batch ${batch.topic}-${batch.partition} ${batch.firstOffset()}..${batch.lastOffset()}: written`);
    // The consumer fetches past this batch while it is written.
    payload.resolveOffset(batch.lastOffset());
    this.inFlight = this.writer.write(payload, () => generation === this.generation).catch((err: unknown) => this.onWriteFailure(err, payload));
  }

  /**
   * A batch that is not stale starts before the offset the task asked for: the consumer's
   * position is below it with no seek pending (a seek lost to a reset or a rebalance).
   * Left alone, the batch would be fetched again from the same position and dropped
   * forever (the partition stalls); so the consumer is sought to the task's offset again.
   */
  private seekTargetAgain(tp: { topic: string; partition: number }, first: string | null): void {
    const target = this.assigned.targetOf(tp);
    if (target === undefined || !this.consumer) return;
    this.opts.logger.warn({ topic: tp.topic, partition: tp.partition, batchFrom: first, target }, 'a sink batch starts before the offset the task asked for and no seek is pending: seeking there again');
    this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(target) });
  }

  /** A batch not written (left unresolved: the consumer fetches it again), for the debug log. */
  private skipped(payload: SinkBatchPayload, why: string): void {
    this.debug?.(`sink batch ${payload.batch.topic}-${payload.batch.partition} ${payload.batch.firstOffset()}..${payload.batch.lastOffset()}: skipped (${why})`);
  }

  private onWriteFailure(err: unknown, payload: SinkBatchPayload): void {
    this.writeFailed = true;
    // Stopping or replacing the consumer: the batch was not committed and is delivered again.
    if ((this.stopping || this.replacing) && (isRetriableError(err) || !payload.isRunning())) return;
    if (this.failed) return;
    this.failed = true;
    // Disconnecting from inside eachBatch would wait for this very batch: do it after.
    setImmediate(() => void this.fail(err));
  }

  private async fail(err: unknown): Promise<void> {
    this.failed = true;
    this.opts.logger.error({ err: (err as Error)?.message, stack: (err as Error)?.stack }, 'sink task failed');
    this.opts.onState('FAILED', err);
    await this.stop();
  }

  private async close(): Promise<void> {
    await this.joining;
    await this.drain();
    const consumer = this.consumer;
    await this.writer.commitPending(consumer);
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await this.drain();
    await this.opts.task.flush().catch(() => undefined);
    await this.opts.task.teardown().catch((err: unknown) => this.opts.logger.warn({ err: (err as Error).message }, 'sink task teardown failed'));
  }
}
