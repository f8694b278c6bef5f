import type { SqlTableRef } from '@millrace/connect-sdk';
import { BullMqChunkQueue } from '@millrace/cdc-snapshot';
import { compareTable, describeTable, openTableReader, type TableReport } from '@millrace/reconcile';
import { dataCollection, driftFilter } from './repair-filter';

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
 *
 * Repair (`reconcile.repair=true`): the drifted chunks of a table are re-read from the
 * source through an incremental snapshot — an `execute-snapshot` signal whose
 * `additional-conditions` filter is the drifted key ranges (repair-filter.ts) — so the
 * pipeline writes those rows again; the table's `repair` says what was asked. Rows only
 * the target has are not removed (no source row to re-read); a source that takes no
 * signals (jdbc-source) cannot repair.
 */
export interface TablePair {
  readonly topic: string;
  readonly source: SqlTableRef | null;
  readonly target: SqlTableRef;
  /** The source connector's signal delivery, when its plugin takes signals. */
  readonly signal?: (type: string, data: Record<string, unknown>) => Promise<string>;
  /** The source connector's name (for messages). */
  readonly sourceConnector?: string;
}

export interface RepairReport {
  readonly state: 'REQUESTED' | 'UNSUPPORTED' | 'FAILED';
  readonly message: string;
  readonly signal?: string;
}

export interface ReconcileReport {
  readonly connector: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED';
  readonly started_at: string;
  finished_at: string | null;
  drifted_chunks: number;
  tables: (TableReport & { repair?: RepairReport })[];
}

export interface RunOptions {
  readonly chunkRows: number;
  readonly maxThreads: number;
  readonly repair: boolean;
  /** Chunk jobs on BullMQ in this Redis (the CDC snapshots' REDIS_URL); null: in-process. Never shown. */
  readonly redisUrl: string | null;
}

export class ReconcileRun {
  readonly report: ReconcileReport;
  readonly done: Promise<void>;

  constructor(connector: string, pairs: readonly TablePair[], options: RunOptions) {
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

  private async run(pairs: readonly TablePair[], options: RunOptions): Promise<void> {
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
        { chunkRows: options.chunkRows, concurrency: options.maxThreads, queue: options.redisUrl === null ? undefined : bullMqQueue(options.redisUrl, `reconcile-${this.report.connector}-${i}`) },
      );
      this.report.drifted_chunks += table.drifted.length;
      if (options.repair && table.state === 'COMPLETED' && table.drifted.length > 0) table.repair = await repair(pair, source, table);
    }
    this.report.state = this.report.tables.some((t) => t.state === 'FAILED') ? 'FAILED' : 'COMPLETED';
    this.report.finished_at = new Date().toISOString();
  }

  get running(): boolean {
    return this.report.state === 'RUNNING';
  }
}

async function repair(pair: TablePair, source: SqlTableRef, table: TableReport): Promise<RepairReport> {
  if (!pair.signal) return { state: 'UNSUPPORTED', message: `the source connector ${pair.sourceConnector ?? ''} takes no signals: re-snapshot the table to repair it` };
  const filter = driftFilter(source, table.key_columns, table.drifted);
  const collection = dataCollection(source);
  try {
    const id = await pair.signal('execute-snapshot', { 'data-collections': [collection], type: 'incremental', 'additional-conditions': [{ 'data-collection': collection, filter }] });
    const extra = table.drifted.some((d) => d.target_rows > d.source_rows) ? '; rows only the target has are not removed' : '';
    return { state: 'REQUESTED', signal: id, message: `incremental snapshot of ${table.drifted.length} drifted chunk(s) of ${collection} requested from ${pair.sourceConnector ?? 'the source'}${extra}` };
  } catch (err) {
    return { state: 'FAILED', message: `the repair signal to ${pair.sourceConnector ?? 'the source'} failed: ${(err as Error).message}` };
  }
}

/** A queue on Redis for one table's chunks, emptied first (a run's results live in its report, not in Redis). */
function bullMqQueue(redisUrl: string, name: string): () => Promise<BullMqChunkQueue<number>> {
  return async () => {
    const queue = new BullMqChunkQueue<number>({ redisUrl, name });
    try {
      await queue.obliterate();
    } catch (err) {
      await queue.close();
      throw new Error(`the reconciliation's chunk queue on Redis (REDIS_URL) is unreachable: ${(err as Error).message.replace(/\/\/[^@/]*@/, '//')}`);
    }
    return queue;
  };
}
