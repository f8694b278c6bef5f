import type { SinkRecord, SinkTask, SinkTaskContext, TopicPartition } from '@millrace/connect-sdk';

/**
 * The duckdb-sink task as the plugin hands it out: DuckDB's native module, and the
 * DuckDbSinkTask built on it, are loaded when the task opens, not when a worker loads
 * the plugin list (it costs ~0.2 s and ~25 MiB of resident memory that a worker running
 * no DuckDB task should not pay). Every call after `open` goes to the real task; a call
 * before `open` (or after a failed one) is a runtime bug and rejects.
 */
export class LazyDuckDbSinkTask implements SinkTask {
  private task?: SinkTask;

  async open(config: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    const { DuckDbSinkTask } = await import('./duckdb-sink-task');
    const task = new DuckDbSinkTask();
    await task.open(config, context);
    this.task = task;
  }

  async partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>> {
    return this.opened().partitionsAssigned(partitions);
  }

  async partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    return this.opened().partitionsRevoked(partitions);
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    return this.opened().write(records);
  }

  async flush(): Promise<void> {
    return this.opened().flush();
  }

  async teardown(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await task?.teardown();
  }

  private opened(): SinkTask {
    if (!this.task) throw new Error('duckdb-sink: the task is not open');
    return this.task;
  }
}
