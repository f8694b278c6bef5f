import type { TableProgress } from './snapshot-state';

/**
 * Live progress of a snapshot for status lines, logs and metrics: rows done against
 * the plan's estimate per table, chunks, rows/s over the run so far and an ETA.
 * `describeProgress` gives one line, e.g.
 *   "snapshot 41% (12345/30000 rows, 4/10 chunks, 5210 rows/s, ETA 3 s): public.orders 12345/30000"
 */
export interface ProgressSummary {
  readonly rowsDone: number;
  readonly estimatedRows: number;
  readonly chunksDone: number;
  readonly chunks: number;
  readonly rowsPerSecond: number;
  /** Seconds left at the current rate; null when unknown (no rate yet). */
  readonly etaSeconds: number | null;
}

export class SnapshotProgressMeter {
  private readonly startedAt: number;
  private readonly startRows: number;

  /** `startRows`: rows already done when this run began (a resumed snapshot). */
  constructor(startRows: number, now: number = Date.now()) {
    this.startedAt = now;
    this.startRows = startRows;
  }

  summarize(tables: readonly TableProgress[], now: number = Date.now()): ProgressSummary {
    const rowsDone = tables.reduce((n, t) => n + t.rowsDone, 0);
    const estimatedRows = tables.reduce((n, t) => n + Math.max(t.estimatedRows, t.rowsDone), 0);
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const rowsPerSecond = Math.max(0, rowsDone - this.startRows) / seconds;
    const left = Math.max(0, estimatedRows - rowsDone);
    return {
      rowsDone,
      estimatedRows,
      chunksDone: tables.reduce((n, t) => n + t.chunksDone, 0),
      chunks: tables.reduce((n, t) => n + t.chunks, 0),
      rowsPerSecond,
      etaSeconds: rowsPerSecond > 0 ? left / rowsPerSecond : null,
    };
  }
}

export function describeProgress(summary: ProgressSummary, tables: readonly TableProgress[]): string {
  const pct = summary.estimatedRows > 0 ? Math.min(100, Math.floor((100 * summary.rowsDone) / summary.estimatedRows)) : 100;
  const eta = summary.etaSeconds === null ? 'ETA unknown' : `ETA ${Math.ceil(summary.etaSeconds)} s`;
  const perTable = tables.map((t) => `${t.table} ${t.rowsDone}/${Math.max(t.estimatedRows, t.rowsDone)}`).join(', ');
  return `snapshot ${pct}% (${summary.rowsDone}/${summary.estimatedRows} rows, ${summary.chunksDone}/${summary.chunks} chunks, ${Math.round(summary.rowsPerSecond)} rows/s, ${eta}): ${perTable}`;
}
