import { Gauge, type Registry } from 'prom-client';
import type { SnapshotTableProgress } from './task-metrics';

/**
 * Snapshot progress of the CDC source tasks in /metrics, as last pushed by each task
 * (TaskMetrics.snapshotProgress, every second), per connector, task and table:
 * - millrace_snapshot_rows_total: rows the table held when the snapshot was planned;
 * - millrace_snapshot_rows_done: rows read and committed with their offsets so far;
 * - millrace_snapshot_chunks_total / millrace_snapshot_chunks_done;
 * - millrace_incremental_snapshot_rows_total / _rows_done: the same for the tables of an
 *   incremental snapshot (kind 'incremental'), which runs while the task streams.
 * A task that is not snapshotting (pushed null) has no series; a removed task's are dropped.
 */
export class SnapshotMetrics {
  private readonly latest = new Map<string, { connector: string; task: string; tables: readonly SnapshotTableProgress[] }>();

  constructor(registry: Registry) {
    const latest = this.latest;
    const gauge = (name: string, help: string, value: (t: SnapshotTableProgress) => number, incremental = false): void => {
      new Gauge({
        name,
        help,
        labelNames: ['connector', 'task', 'table'],
        registers: [registry],
        collect() {
          this.reset();
          for (const { connector, task, tables } of latest.values()) for (const t of tables) if ((t.kind === 'incremental') === incremental) this.set({ connector, task, table: t.table }, value(t));
        },
      });
    };
    gauge('millrace_snapshot_rows_total', 'Rows of the table when its snapshot was planned (count or estimate)', (t) => Math.max(t.estimatedRows, t.rowsDone));
    gauge('millrace_snapshot_rows_done', 'Snapshot rows read and committed so far', (t) => t.rowsDone);
    gauge('millrace_snapshot_chunks_total', "Chunks of the table's snapshot", (t) => t.chunks);
    gauge('millrace_snapshot_chunks_done', 'Snapshot chunks read and committed so far', (t) => t.chunksDone);
    gauge('millrace_incremental_snapshot_rows_total', 'Rows of the table when its incremental snapshot started (count or estimate)', (t) => Math.max(t.estimatedRows, t.rowsDone), true);
    gauge('millrace_incremental_snapshot_rows_done', 'Incremental snapshot rows emitted so far', (t) => t.rowsDone, true);
  }

  set(key: string, connector: string, id: number, tables: readonly SnapshotTableProgress[] | null): void {
    if (tables === null) this.latest.delete(key);
    else this.latest.set(key, { connector, task: String(id), tables });
  }

  remove(key: string): void {
    this.latest.delete(key);
  }
}
