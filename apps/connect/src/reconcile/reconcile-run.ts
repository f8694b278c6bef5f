import type { SqlTableRef } from '@millrace/connect-sdk';
import { compareTable, describeTable, openTableReader, type TableReport } from '@millrace/reconcile';

/**
 * One reconciliation of a sink connector: every table pair (the source table behind a
 * consumed topic, the table the sink writes it into) compared chunk by chunk, one table
 * after the other. The run object is the report `GET /connectors/{c}/reconcile` shows;
 * it fills in while the run goes on.
 *
 * Report (JSON): { connector, state RUNNING|COMPLETED|FAILED, started_at, finished_at,
 * drifted_chunks, tables: [TableReport] } — a table that cannot be compared (no source
 * connector for its topic, no primary key, a missing table, a database error) is FAILED
 * with its reason and fails the run; the others are still compared.
 */
export interface TablePair {
  readonly topic: string;
  readonly source: SqlTableRef | null;
  readonly target: SqlTableRef;
}

export interface ReconcileReport {
  readonly connector: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED';
  readonly started_at: string;
  finished_at: string | null;
  drifted_chunks: number;
  tables: TableReport[];
}

export class ReconcileRun {
  readonly report: ReconcileReport;
  readonly done: Promise<void>;

  constructor(connector: string, pairs: readonly TablePair[], options: { chunkRows: number; maxThreads: number }) {
    this.report = {
      connector,
      state: 'RUNNING',
      started_at: new Date().toISOString(),
      finished_at: null,
      drifted_chunks: 0,
      tables: pairs.map((p) => ({
        topic: p.topic,
        source: p.source ? describeTable(p.source) : 'none',
        target: describeTable(p.target),
        state: 'PENDING',
        key_columns: [],
        columns: [],
        chunks: 0,
        chunks_done: 0,
        source_rows: 0,
        target_rows: 0,
        drifted: [],
      })),
    };
    this.done = this.run(pairs, options);
  }

  private async run(pairs: readonly TablePair[], options: { chunkRows: number; maxThreads: number }): Promise<void> {
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      const table = this.report.tables[i];
      const source = pair.source;
      if (source === null) {
        table.state = 'FAILED';
        table.error = `no database source connector on this worker produces topic ${pair.topic} (jdbc-source, postgres-cdc-source and mysql-cdc-source can be reconciled)`;
        continue;
      }
      await compareTable(
        table,
        async () => {
          const s = await openTableReader(source);
          try {
            return { source: s, target: await openTableReader(pair.target) };
          } catch (err) {
            await s.close();
            throw err;
          }
        },
        { chunkRows: options.chunkRows, concurrency: options.maxThreads },
      );
      this.report.drifted_chunks += table.drifted.length;
    }
    this.report.state = this.report.tables.some((t) => t.state === 'FAILED') ? 'FAILED' : 'COMPLETED';
    this.report.finished_at = new Date().toISOString();
  }

  get running(): boolean {
    return this.report.state === 'RUNNING';
  }
}
