import { applyStep, isToleratedFailure, NEEDS_ASYNC, ProcessingContext, type Converter, type RetryWithToleranceOperator, type SourceRecord, type SourceTask, type TransformChain } from '@millrace/connect-sdk';
import type { RecordHeader } from '@millrace/protocol';
import type { Logger } from 'pino';
import type { TaskMetrics } from '../metrics/task-metrics';
import type { SourceOffset, SourceOffsetEntry, SourcePartition } from '../storage/offset-store';
import { canonicalJson } from '../storage/offset-store';
import { StaleGenerationError } from './fenced-committer';
import type { OutgoingRecord, SourceRecordCommitter } from './source-record-committer';
import { isTransientKafkaError } from './kafka-errors';
import type { TaskRunner, TaskStateListener } from './task-runner';
import { connectorLogger } from './connector-logger';

const NO_HEADERS: RecordHeader[] = [];

/** A batch from `SourceTask.read` and when the read started (performance.now()). */
interface ReadBatch {
  readonly records: readonly SourceRecord[];
  readonly started: number;
}
/** processFast could not convert the record: run it through the operator. */
const SLOW: unique symbol = Symbol('slow');

export interface SourceTaskRunnerOptions {
  readonly connector: string;
  readonly id: number;
  readonly task: SourceTask;
  readonly taskConfig: Readonly<Record<string, string>>;
  readonly keyConverter: Converter;
  readonly valueConverter: Converter;
  readonly transforms: TransformChain<SourceRecord>;
  /** Runs transforms and converters under errors.tolerance / errors.retry.*. */
  readonly operator: RetryWithToleranceOperator;
  readonly committer: SourceRecordCommitter;
  /** The connector's stored source offsets (what `context.offset` answers). */
  readonly offsets: { offset(partition: SourcePartition): SourceOffset | null };
  readonly onState: TaskStateListener;
  readonly logger: Logger;
  /** Largest batch asked of `read`. */
  readonly batchSize: number;
  /** Batch, failure and commit metrics of this task. */
  readonly metrics?: TaskMetrics;
}

/**
 * Runs a source task: `read(max)` -> transforms -> converters -> committer (records to
 * Kafka, then source offsets) -> `ack`, in a loop, one batch at a time; the next
 * `read` runs while a batch commits (never more than one read ahead, never while
 * paused), and `stop` waits for it too. Records dropped
 * by a transform or skipped by errors.tolerance=all still advance the offsets (as in
 * Kafka Connect). A failure that is not tolerated fails the task (FAILED with the
 * error's trace) and ends the loop. A message the task reports (`context.reportStatus`)
 * is the `trace` of its RUNNING/PAUSED status until replaced.
 */
export class SourceTaskRunner implements TaskRunner {
  readonly connector: string;
  readonly id: number;
  private stopping = false;
  private paused = false;
  private wake: (() => void) | undefined;
  /** The batch being converted and committed, if any (pause waits for it). */
  private committing: Promise<unknown> | undefined;
  private loop: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** The task's own status message (context.reportStatus); null when none. */
  private statusNote: string | null = null;
  private started = false;

  constructor(private readonly opts: SourceTaskRunnerOptions) {
    this.connector = opts.connector;
    this.id = opts.id;
  }

  async start(paused: boolean): Promise<void> {
    const { task, connector, id, offsets } = this.opts;
    this.paused = paused;
    try {
      await this.opts.committer.open();
      await task.open(this.opts.taskConfig, {
        connectorName: connector,
        taskId: id,
        logger: connectorLogger(this.opts.logger),
        offset: (partition) => offsets.offset(partition),
        reportStatus: (message) => {
          this.statusNote = message;
          if (this.started) this.report();
        },
      });
    } catch (err) {
      await this.fail(err);
      return;
    }
    this.started = true;
    this.report();
    this.loop = this.run();
  }

  /**
   * Resolves once no batch is being committed: after it, nothing is produced until
   * resume. PAUSED is reported only then, so a PAUSED status (which the herder of any
   * worker waits for) means the task is quiet.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.committing;
    if (this.started && this.paused) this.report();
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.wake?.();
    if (this.started) this.report();
  }

  private report(): void {
    if (!this.stopping) this.opts.onState(this.paused ? 'PAUSED' : 'RUNNING', this.statusNote ?? undefined);
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.opts.operator.stop();
    this.wake?.();
    this.closed ??= (async () => {
      await this.loop;
      await this.close();
    })();
    return this.closed;
  }

  private async run(): Promise<void> {
    // One batch is read ahead while the previous one is converted and committed (as Kafka
    // Connect polls again while its sends are in flight): the database round trip of the
    // next read overlaps the Kafka round trips of this commit.
    let ahead: Promise<ReadBatch> | undefined;
    try {
      while (!this.stopping) {
        if (this.paused && !ahead) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const { records, started } = await (ahead ?? this.readBatch());
        ahead = undefined;
        if (records.length === 0) continue;
        // read before a pause: held (not produced) until resume; a stop drops it uncommitted
        while (this.paused && !this.stopping) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
        }
        if (this.stopping) return;
        if (!this.paused) {
          ahead = this.readBatch();
          ahead.catch(() => undefined);
        }
        const batch = this.convertAndCommit(records, started);
        this.committing = batch.catch(() => undefined);
        await batch;
        this.committing = undefined;
        if (this.stopping) return;
        await this.opts.task.ack(records);
      }
    } catch (err) {
      this.stopping = true;
      await this.fail(err);
    } finally {
      // A batch read ahead and not committed is dropped (its offsets were not stored: it is read again after a restart).
      await ahead?.catch(() => undefined);
    }
  }

  private async readBatch(): Promise<ReadBatch> {
    const started = performance.now();
    return { records: await this.opts.task.read(this.opts.batchSize), started };
  }

  /** Converts and commits one batch read at `started` (performance.now()), and reports its metrics. */
  private async convertAndCommit(records: readonly SourceRecord[], started: number): Promise<void> {
    const outgoing: OutgoingRecord[] = [];
    for (const r of records) {
      const fast = this.processFast(r);
      const converted = fast === SLOW ? await this.process(r) : fast;
      if (converted) outgoing.push(converted);
    }
    const committing = performance.now();
    await this.commitRetrying(outgoing, latestOffsets(records));
    const done = performance.now();
    this.opts.metrics?.offsetCommit((done - committing) / 1000);
    this.opts.metrics?.sourceBatch({ polled: records.length, written: outgoing.length, topics: new Set(outgoing.map((o) => o.topic)), seconds: (done - started) / 1000 });
  }

  /**
   * Commits a batch; a Kafka error that is transient (the broker unreachable or
   * restarting — retriable itself or after kafkajs gave up retrying it) is retried with
   * backoff (300 ms doubling to 10 s) for as long as the task runs, as Kafka Connect's
   * producer retries within delivery.timeout.ms, instead of failing the task. A retry
   * sends the whole batch again (at-least-once: records may repeat, none is lost).
   */
  private async commitRetrying(outgoing: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void> {
    for (let delay = 300; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.opts.committer.commit(outgoing, offsets);
        return;
      } catch (err) {
        // a commit fenced by a stale group generation waits: the worker regains the task, or stops it
        if (this.stopping || !(isTransientKafkaError(err) || err instanceof StaleGenerationError)) throw err;
        this.opts.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'committing source records failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.stopping) return;
      }
    }
  }

  /**
   * `process` without a promise per record: transforms and the converters' synchronous
   * paths in one try; SLOW when a converter has no synchronous answer now or anything
   * threw — then `process` runs the record under the error-handling operator from the
   * start (transforms are pure functions of the record, so running them again is safe).
   */
  private processFast(record: SourceRecord): OutgoingRecord | undefined | typeof SLOW {
    const { keyConverter, valueConverter } = this.opts;
    if (!keyConverter.fromConnectDataSync || !valueConverter.fromConnectDataSync) return SLOW;
    try {
      let r: SourceRecord = record;
      for (const step of this.opts.transforms.steps) {
        const out = applyStep(step, r);
        if (out === null) return undefined;
        r = out;
      }
      const key = keyConverter.fromConnectDataSync(r.topic, r.keySchema, r.key);
      if (key === NEEDS_ASYNC) return SLOW;
      const value = valueConverter.fromConnectDataSync(r.topic, r.valueSchema, r.value);
      if (value === NEEDS_ASYNC) return SLOW;
      return this.outgoing(r, key, value);
    } catch {
      return SLOW;
    }
  }

  /** Transforms and converts one record; undefined when it was dropped or skipped. */
  private async process(record: SourceRecord): Promise<OutgoingRecord | undefined> {
    const { operator } = this.opts;
    const context = ProcessingContext.forSource(record);
    let r: SourceRecord | null = record;
    for (const step of this.opts.transforms.steps) {
      const current: SourceRecord = r;
      const out = await operator.execute('TRANSFORMATION', () => applyStep(step, current), context, step.type);
      if (isToleratedFailure(out)) this.opts.metrics?.recordsFailed(1);
      if (isToleratedFailure(out) || out === null) return undefined;
      r = out;
    }
    const r2: SourceRecord = r;
    const key = await operator.execute('KEY_CONVERTER', () => this.opts.keyConverter.fromConnectData(r2.topic, r2.keySchema, r2.key), context, 'key.converter');
    const value = isToleratedFailure(key) ? key : await operator.execute('VALUE_CONVERTER', () => this.opts.valueConverter.fromConnectData(r2.topic, r2.valueSchema, r2.value), context, 'value.converter');
    if (isToleratedFailure(key) || isToleratedFailure(value)) {
      this.opts.metrics?.recordsFailed(1);
      return undefined;
    }
    return this.outgoing(r2, key, value);
  }

  private outgoing(r: SourceRecord, key: Buffer | null, value: Buffer | null): OutgoingRecord {
    const headers: RecordHeader[] = r.headers.length === 0 ? NO_HEADERS : r.headers.map((h) => ({ key: h.key, value: typeof h.value === 'string' ? Buffer.from(h.value, 'utf8') : h.value }));
    return { topic: r.topic, partition: r.kafkaPartition, key, value, headers, timestamp: r.timestamp };
  }

  private async fail(err: unknown): Promise<void> {
    this.opts.logger.error({ err: (err as Error)?.message, stack: (err as Error)?.stack }, 'source task failed');
    this.opts.onState('FAILED', err);
    await this.close();
  }

  private close(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  private async teardown(): Promise<void> {
    await this.opts.task.teardown().catch((err: unknown) => this.opts.logger.warn({ err: (err as Error).message }, 'source task teardown failed'));
    await this.opts.committer.close();
  }
}

/** The last offset of each source partition in a batch, in first-seen partition order. */
export function latestOffsets(records: readonly SourceRecord[]): SourceOffsetEntry[] {
  const byPartition = new Map<string, SourceOffsetEntry>();
  let lastPartition: unknown = undefined;
  let lastKey = '';
  for (const r of records) {
    // Tasks usually reuse one partition object for a table: its key is computed once per run.
    if (r.sourcePartition !== lastPartition) {
      lastPartition = r.sourcePartition;
      lastKey = canonicalJson(r.sourcePartition);
    }
    byPartition.set(lastKey, { partition: r.sourcePartition, offset: r.sourceOffset });
  }
  return [...byPartition.values()];
}
