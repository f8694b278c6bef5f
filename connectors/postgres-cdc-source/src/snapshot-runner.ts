import { ChunkedSnapshot, changeRecord, type ChunkQueue, type PendingChunk, type ProgressSummary, type SharedSnapshotInfo, type SnapshotState, type TableProgress } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { decodeRow, type RowText } from './change-events';
import { readChunk, type SnapshotSession } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import type { TableModel } from './table-catalog';

/**
 * The Postgres side of a chunked snapshot: chunks read on the SnapshotSession's
 * connections (snapshot-reader.ts), rows turned into Debezium `r` records. Ordering,
 * back-pressure, resume keys, retries and progress are @millrace/cdc-snapshot's
 * ChunkedSnapshot (contracts there). Offsets: `{lsn: <consistent point>, snapshot: <state>}`
 * while chunks remain, `{lsn, snapshot_completed: true}` with the last records.
 */
export interface SnapshotRunnerOptions {
  readonly state: SnapshotState;
  readonly session: SnapshotSession;
  readonly models: ReadonlyMap<string, TableModel>;
  readonly threads: number;
  readonly fetchSize: number;
  readonly maxBufferedRows: number;
  readonly partition: Readonly<Record<string, unknown>>;
  /** The slot's consistent point (text): the `lsn` of the offsets and the source blocks. */
  readonly consistentLsn: string;
  readonly source: (model: TableModel) => SourceBlock;
  readonly logger: ConnectorLogger;
  readonly reportStatus: (message: string | null) => void;
  readonly progressIntervalMs: number;
  /** The chunk queue (default in-process). */
  readonly queue?: ChunkQueue<PendingChunk>;
  /** With a shared queue: what the helper tasks need to read its chunks (snapshot-helper-task.ts). */
  readonly shared?: SharedSnapshotInfo;
}

export class SnapshotRunner {
  private readonly snapshot: ChunkedSnapshot<RowText>;

  constructor(opts: SnapshotRunnerOptions) {
    const model = (table: string): TableModel => {
      const m = opts.models.get(table);
      if (!m) throw new Error(`snapshot chunk of ${table}: the table is no longer captured`);
      return m;
    };
    this.snapshot = new ChunkedSnapshot<RowText>({
      state: opts.state,
      threads: opts.threads,
      maxBufferedRows: opts.maxBufferedRows,
      queue: opts.queue,
      shared: opts.shared,
      // every chunk resumes inside itself: by primary key, or by CTID for keyless tables (snapshot-reader.ts)
      hasKey: () => true,
      readChunk: (chunk, resumeAfter, onPage, signal) => opts.session.withConnection((client) => readChunk(client, model(chunk.table), chunk, resumeAfter, opts.fetchSize, onPage, signal)),
      offset: (state) => (state.complete ? { lsn: opts.consistentLsn, snapshot_completed: true } : { lsn: opts.consistentLsn, snapshot: state.toJson() }),
      toRecords: (table, rows, offset) => {
        const m = model(table);
        const source = opts.source(m);
        const position = { partition: opts.partition, offset };
        const now = Date.now();
        return rows.map((row) => changeRecord(m, 'r', null, decodeRow(m, row), source, position, now));
      },
      logger: opts.logger,
      reportStatus: opts.reportStatus,
      progressIntervalMs: opts.progressIntervalMs,
    });
  }

  start(): void {
    this.snapshot.start();
  }

  get finished(): boolean {
    return this.snapshot.finished;
  }

  take(maxRecords: number): SourceRecord[] {
    return this.snapshot.take(maxRecords);
  }

  waitForData(ms: number): Promise<void> {
    return this.snapshot.waitForData(ms);
  }

  stop(): Promise<void> {
    return this.snapshot.stop();
  }

  reportProgress(log: boolean): void {
    this.snapshot.reportProgress(log);
  }

  progress(): TableProgress[] {
    return this.snapshot.progress();
  }

  summary(): ProgressSummary {
    return this.snapshot.summary();
  }
}
