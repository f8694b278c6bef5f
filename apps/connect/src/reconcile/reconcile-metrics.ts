import type { TableReport } from '@millrace/reconcile';
import { Gauge, type Registry } from 'prom-client';

/**
 * Reconciliation in connect's /metrics, per sink connector and target table, from the
 * latest run on this worker:
 * - millrace_reconcile_drifted_chunks: chunks whose count or checksum differed;
 * - millrace_reconcile_chunks_total / millrace_reconcile_chunks_done: progress;
 * - millrace_reconcile_failed: 1 when the table could not be compared;
 * - millrace_reconcile_last_run_timestamp_seconds {connector}: when the latest run started.
 */
export class ReconcileMetrics {
  constructor(registry: Registry, reports: () => readonly { connector: string; started_at: string; tables: readonly TableReport[] }[]) {
    const perTable = (name: string, help: string, value: (t: TableReport) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['connector', 'table'],
        registers: [registry],
        collect() {
          this.reset();
          for (const r of reports()) for (const t of r.tables) this.set({ connector: r.connector, table: t.target }, value(t));
        },
      });
    };
    perTable('millrace_reconcile_drifted_chunks', 'Chunks whose row count or checksum differed between source and target in the latest reconciliation', (t) => t.drifted.length);
    perTable('millrace_reconcile_chunks_total', 'Chunks of the table in the latest reconciliation', (t) => t.chunks);
    perTable('millrace_reconcile_chunks_done', 'Chunks compared so far in the latest reconciliation', (t) => t.chunks_done);
    perTable('millrace_reconcile_failed', '1 when the table could not be compared in the latest reconciliation', (t) => (t.state === 'FAILED' ? 1 : 0));
    new Gauge({
      name: 'millrace_reconcile_last_run_timestamp_seconds',
      help: 'When the latest reconciliation of the sink started',
      labelNames: ['connector'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of reports()) this.set({ connector: r.connector }, Date.parse(r.started_at) / 1000);
      },
    });
  }
}
