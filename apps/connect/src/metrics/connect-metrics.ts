import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SlotMetrics } from './slot-metrics';
import { SnapshotMetrics } from './snapshot-metrics';
import type { SourceLagReporter, TaskMetrics } from './task-metrics';

/** Task states as Kafka Connect names them (the state gauge has one series per state). */
const TASK_STATES = ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'] as const;
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 5, 10, 50, 100, 250, 500, 1000, 5000];
const TASK = ['connector', 'task'] as const;

/**
 * The connect worker's Prometheus metrics (GET /metrics), per connector and task:
 * - millrace_connect_records_polled_total: read from the source task / consumed from Kafka;
 * - millrace_connect_records_written_total: sent to Kafka / put to the sink task and flushed;
 * - millrace_connect_records_failed_total: skipped after a conversion or transform error;
 * - millrace_connect_batch_size and millrace_connect_batch_duration_seconds (histograms);
 * - millrace_connect_offset_commit_duration_seconds (histogram);
 * - millrace_connect_dead_letter_records_total;
 * - millrace_connect_sink_consumer_lag {topic,partition}: records behind the high watermark
 *   after the task's last batch of that partition (not refreshed while paused);
 * - millrace_connect_source_lag {unit}: only for tasks with the SourceLagReporter hook;
 * - millrace_snapshot_rows_total / _rows_done / _chunks_total / _chunks_done {table}: for
 *   tasks with the SnapshotProgressReporter hook, as they push it (snapshot-metrics.ts);
 * - millrace_cdc_slot_lag_bytes / _safe_wal_size_bytes / _wal_status {slot}: CDC tasks
 *   with the ReplicationSlotReporter hook (slot-metrics.ts);
 * - millrace_connect_task_state {state}: 1 for the task's current state, 0 for the others;
 * - Node's process metrics with the millrace_connect_ prefix.
 * Each batch's topics go to the task's `onTopic` listener (the worker keeps the
 * connector's active topics in connect-status).
 * Contract: a stopped task's series are removed (removeTask), so deleted connectors vanish.
 */
@Injectable()
export class ConnectMetrics {
  readonly registry = new Registry();
  private readonly polled = this.counter('millrace_connect_records_polled_total', 'Records read from the source task (source) or consumed from Kafka (sink)');
  private readonly written = this.counter('millrace_connect_records_written_total', 'Records sent to Kafka (source) or put to the sink task and flushed (sink)');
  private readonly failed = this.counter('millrace_connect_records_failed_total', 'Records skipped after a conversion or transform error (errors.tolerance=all)');
  private readonly deadLetters = this.counter('millrace_connect_dead_letter_records_total', 'Records sent to the dead letter queue');
  private readonly batchSize = new Histogram({ name: 'millrace_connect_batch_size', help: 'Records per batch', labelNames: TASK, buckets: BATCH_BUCKETS, registers: [this.registry] });
  private readonly batchSeconds = new Histogram({ name: 'millrace_connect_batch_duration_seconds', help: 'Time to process one batch (source: read to commit; sink: convert, put and flush)', labelNames: TASK, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly commitSeconds = new Histogram({ name: 'millrace_connect_offset_commit_duration_seconds', help: 'Time to commit a batch\'s offsets', labelNames: TASK, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  private readonly sinkLag = new Gauge({ name: 'millrace_connect_sink_consumer_lag', help: 'Records behind the high watermark, per consumed partition, as of the task\'s last batch of it', labelNames: [...TASK, 'topic', 'partition'], registers: [this.registry] });
  private readonly taskState = new Gauge({ name: 'millrace_connect_task_state', help: '1 for the task\'s current state, 0 for the others', labelNames: [...TASK, 'state'], registers: [this.registry] });
  private readonly lagReporters = new Map<string, { connector: string; task: string; reporter: SourceLagReporter }>();
  private readonly sinkPartitions = new Map<string, Set<string>>();
  private readonly states = new Map<string, string>();
  private readonly snapshots = new SnapshotMetrics(this.registry);
  private readonly slots = new SlotMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'millrace_connect_' });
    const reporters = this.lagReporters;
    new Gauge({
      name: 'millrace_connect_source_lag',
      help: 'How far a source task is behind its source (rows or bytes), where the source can tell',
      labelNames: [...TASK, 'unit'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { connector, task, reporter } of reporters.values()) {
          const lag = reporter.sourceLag();
          if (lag) this.set({ connector, task, unit: lag.unit }, lag.value);
        }
      },
    });
  }

  /** The metrics of one task; `onTopic` hears every topic a batch used (cheap, called per batch). */
  forTask(connector: string, id: number, onTopic: (topic: string) => void = () => undefined): TaskMetrics {
    const labels = { connector, task: String(id) };
    const key = taskKey(connector, id);
    return {
      sourceBatch: ({ polled, written, topics, seconds }) => {
        this.polled.inc(labels, polled);
        this.written.inc(labels, written);
        this.batchSize.observe(labels, polled);
        this.batchSeconds.observe(labels, seconds);
        for (const t of topics) onTopic(t);
      },
      sinkBatch: ({ topic, partition, polled, written, seconds, lag }) => {
        this.polled.inc(labels, polled);
        this.written.inc(labels, written);
        this.batchSize.observe(labels, polled);
        this.batchSeconds.observe(labels, seconds);
        this.sinkLag.set({ ...labels, topic, partition: String(partition) }, Math.max(0, lag));
        let partitions = this.sinkPartitions.get(key);
        if (!partitions) this.sinkPartitions.set(key, (partitions = new Set()));
        partitions.add(`${partition}\u0000${topic}`);
        onTopic(topic);
      },
      recordsFailed: (count) => this.failed.inc(labels, count),
      offsetCommit: (seconds) => this.commitSeconds.observe(labels, seconds),
      deadLetterRecord: () => this.deadLetters.inc(labels),
      snapshotProgress: (tables) => this.snapshots.set(key, connector, id, tables),
      replicationSlot: (health) => this.slots.set(key, connector, id, health),
    };
  }

  /** Sets a task's state series. */
  setTaskState(connector: string, id: number, state: string): void {
    this.states.set(taskKey(connector, id), state);
    for (const s of TASK_STATES) this.taskState.set({ connector, task: String(id), state: s }, s === state ? 1 : 0);
  }

  /** Registers a source task's lag hook (replacing an earlier one of the same task). */
  setSourceLagReporter(connector: string, id: number, reporter: SourceLagReporter): void {
    this.lagReporters.set(taskKey(connector, id), { connector, task: String(id), reporter });
  }

  /** Drops every series of a task (it stopped or moved). */
  removeTask(connector: string, id: number): void {
    const key = taskKey(connector, id);
    const labels = { connector, task: String(id) };
    for (const m of [this.polled, this.written, this.failed, this.deadLetters]) m.remove(labels);
    for (const h of [this.batchSize, this.batchSeconds, this.commitSeconds]) h.remove(labels);
    for (const s of TASK_STATES) this.taskState.remove({ ...labels, state: s });
    for (const p of this.sinkPartitions.get(key) ?? []) {
      const [partition, topic] = p.split('\u0000');
      this.sinkLag.remove({ ...labels, topic, partition });
    }
    this.sinkPartitions.delete(key);
    this.lagReporters.delete(key);
    this.snapshots.remove(key);
    this.slots.remove(key);
    this.states.delete(key);
  }

  /** Number of tasks in each state (for /health). */
  taskStateCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.states.values()) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private counter(name: string, help: string): Counter<'connector' | 'task'> {
    return new Counter({ name, help, labelNames: TASK, registers: [this.registry] });
  }
}

function taskKey(connector: string, id: number): string {
  return `${connector}\u0000${id}`;
}
