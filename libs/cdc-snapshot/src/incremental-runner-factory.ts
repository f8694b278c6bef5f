import type { ConnectorLogger, Struct } from '@millrace/connect-sdk';
import { changeRecord, type ChangeSource, type ChangeTable } from './change-envelope';
import { IncrementalSnapshotRunner, type IncrementalReader } from './incremental-runner';
import type { IncrementalSnapshotState } from './incremental-snapshot';
import type { KeyTuple } from './snapshot-plan';

/** A captured table as the incremental snapshot needs it: its change schemas and its "schema.table" name. */
export interface IncrementalTableModel extends ChangeTable {
  /** The name signals and the state use ("database.table", "schema.table"). */
  readonly qualified: string;
}

/** The snapshotter's own connection, reading by table model (what IncrementalReader does by table name). */
export interface IncrementalModelReader<Model, Row> {
  largestKey(model: Model, filter: string | null): Promise<KeyTuple | null>;
  estimateRows(model: Model, filter: string | null): Promise<number>;
  readKeyRange(model: Model, after: KeyTuple | null, upTo: KeyTuple, filter: string | null, limit: number): Promise<{ key: KeyTuple; row: Row }[]>;
  watermark(id: string, type: 'open' | 'close'): Promise<void>;
  close(): Promise<void>;
}

export interface IncrementalRunnerFactoryOptions<Model extends IncrementalTableModel, Row, At> {
  /** Log prefix, e.g. "postgres-cdc". */
  readonly name: string;
  /** The captured tables by qualified name (read at each use: the map may change). */
  readonly models: ReadonlyMap<string, Model>;
  readonly state: IncrementalSnapshotState;
  readonly chunkSize: number;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  readonly reportStatus?: (message: string | null) => void;
  readonly openReader: () => Promise<IncrementalModelReader<Model, Row>>;
  /** A row as read by the reader, as the record's `after`. */
  readonly decodeRow: (model: Model, row: Row) => Struct;
  /** The `source` block of a closed window's records of `model`, at the stream position `at`. */
  readonly sourceBlock: (model: Model, at: At) => ChangeSource;
  /** The source partition of the records (their offset is the batch's, set by the task). */
  readonly partition: Readonly<Record<string, unknown>>;
}

/**
 * The IncrementalSnapshotRunner of a CDC source, wired the way every connector wires it:
 * the captured tables (with whether each has a primary key) come from `models`; the reader
 * is opened by the connector and reached by table model (a table no longer captured fails
 * the chunk, which the runner retries); a closed window's rows become `r` change records
 * (Debezium's op for snapshot reads, before = null) with the connector's source block and
 * partition, all stamped with one `ts_ms` per window.
 */
export function createIncrementalRunner<Model extends IncrementalTableModel, Row, At>(opts: IncrementalRunnerFactoryOptions<Model, Row, At>): IncrementalSnapshotRunner<Row, At> {
  const { models } = opts;
  const model = (table: string): Model => {
    const m = models.get(table);
    if (!m) throw new Error(`${table} is no longer captured`);
    return m;
  };
  const openReader = async (): Promise<IncrementalReader<Row>> => {
    const reader = await opts.openReader();
    return {
      largestKey: (table, filter) => reader.largestKey(model(table), filter),
      estimateRows: (table, filter) => reader.estimateRows(model(table), filter),
      readKeyRange: (table, after, upTo, filter, limit) => reader.readKeyRange(model(table), after, upTo, filter, limit),
      watermark: (id, type) => reader.watermark(id, type),
      close: () => reader.close(),
    };
  };
  return new IncrementalSnapshotRunner<Row, At>({
    state: opts.state,
    chunkSize: opts.chunkSize,
    name: opts.name,
    logger: opts.logger,
    reportStatus: opts.reportStatus,
    tables: () => new Map([...models.values()].map((m) => [m.qualified, m.keyColumns.length > 0])),
    openReader,
    toRecords: (table, rows, at) => {
      const m = model(table);
      const source = opts.sourceBlock(m, at);
      const position = { partition: opts.partition, offset: {} };
      const now = Date.now();
      return rows.map((row) => changeRecord(m, 'r', null, opts.decodeRow(m, row), source, position, now));
    },
  });
}
