/**
 * What a task runner reports to the worker's metrics (ConnectMetrics.forTask binds it to
 * one connector and task). Every call is cheap and never throws.
 */
export interface TaskMetrics {
  /** One source batch: `polled` records read from the task, `written` of them sent to `topics`, `seconds` from read to commit. */
  sourceBatch(batch: { polled: number; written: number; topics: Iterable<string>; seconds: number }): void;
  /** One sink batch of a topic-partition: `polled` consumed, `written` put and flushed, `lag` records behind its high watermark after it. */
  sinkBatch(batch: { topic: string; partition: number; polled: number; written: number; seconds: number; lag: number }): void;
  /** Records that failed conversion or a transform and were skipped (errors.tolerance=all). */
  recordsFailed(count: number): void;
  /** Time to make a batch's offsets durable (source: records and offsets; sink: the consumer offset commit). */
  offsetCommit(seconds: number): void;
  /** One record sent to the dead letter queue. */
  deadLetterRecord(): void;
}

/**
 * Optional hook of a source task that knows how far behind its source it is (rows or
 * bytes not read yet). No source implements it yet; when one does, ConnectMetrics
 * exposes it as millrace_connect_source_lag{unit}.
 */
export interface SourceLagReporter {
  sourceLag(): { value: number; unit: 'records' | 'bytes' } | null;
}

/** Whether a source task implements the SourceLagReporter hook. */
export function hasSourceLag(task: object): task is SourceLagReporter {
  return typeof (task as Partial<SourceLagReporter>).sourceLag === 'function';
}
