import { randomUUID } from 'node:crypto';
import { createIncrementalRunner, IncrementalSnapshotState, parseSignal, type IncrementalModelReader, type IncrementalSnapshotRunner, type KeyTuple, type TableProgress } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { connectionOptions, MySqlCdcConfigError, parseMySqlCdcConfig, type MySqlCdcConfig } from './mysql-cdc-config';
import { keyText, readKeyRange, type Row } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import { decodeRow, quoteIdent, quoteTable, type TableModel } from './table-catalog';

/**
 * Incremental snapshots of the MySQL/MariaDB source while it streams the binlog, Debezium's
 * way: signals and watermarks are rows of the signal table (`signal.data.collection`,
 * columns id, type, data) read back from the binlog. Signals, windows, state and progress
 * are `@millrace/cdc-snapshot`'s IncrementalSnapshotRunner (shared with the Postgres
 * source, wired by createIncrementalRunner); this file is the MySQL reader and the
 * signal-table decoding.
 *
 * - A row of type execute-snapshot / stop-snapshot is a signal (an insert by a user, or
 *   by `POST|DELETE /connectors/{c}/snapshots`: `sendMySqlSignal`).
 * - A chunk is read on the snapshotter's own connection between two inserted rows
 *   `{id: <window>-open, type: snapshot-window-open}` and `{id: <window>-close, type:
 *   snapshot-window-close}` (Debezium's types); every captured row changed in the binlog
 *   between them leaves the chunk, the rest goes out at the close row's position.
 * - The state rides in the offset (`incremental_snapshot`) of every batch; a batch without
 *   records stores nothing, and its signal or watermark rows are read again after a
 *   restart (a signal is applied again; old windows' rows are unknown and ignored).
 */
export const OFFSET_KEY = 'incremental_snapshot';
export const WINDOW_OPEN = 'snapshot-window-open';
export const WINDOW_CLOSE = 'snapshot-window-close';

/** Where a binlog transaction is, for the chunk records' source blocks. */
export interface BinlogAt {
  readonly file: string;
  readonly pos: number;
  readonly gtid: string | null;
  readonly tsMs: number;
}

export interface MySqlIncrementalOptions {
  readonly config: MySqlCdcConfig;
  readonly models: ReadonlyMap<string, TableModel>;
  readonly stored: unknown;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  readonly reportStatus?: (message: string | null) => void;
  readonly sourceBlock: (model: TableModel, at: BinlogAt) => SourceBlock;
  readonly partition: Readonly<Record<string, unknown>>;
}

export class MySqlIncrementalSnapshotter {
  private readonly runner: IncrementalSnapshotRunner<Row, BinlogAt>;

  constructor(private readonly opts: MySqlIncrementalOptions) {
    const { config } = opts;
    this.runner = createIncrementalRunner<TableModel, Row, BinlogAt>({
      name: 'mysql-cdc',
      models: opts.models,
      state: opts.stored === undefined ? new IncrementalSnapshotState() : IncrementalSnapshotState.fromJson(opts.stored),
      chunkSize: config.incrementalSnapshotChunkSize,
      logger: opts.logger,
      reportStatus: opts.reportStatus,
      openReader: () => openReader(config),
      decodeRow,
      sourceBlock: opts.sourceBlock,
      partition: opts.partition,
    });
  }

  /** Whether `database.table` is the signal table. */
  isSignalTable(database: string, table: string): boolean {
    return this.opts.config.signalDataCollection === `${database}.${table}`;
  }

  start(): void {
    if (this.opts.config.signalDataCollection === null && this.runner.active) this.opts.logger?.warn('mysql-cdc: an incremental snapshot is stored but signal.data.collection is not set: it cannot go on (its watermarks need the signal table)');
    else this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  progress(): TableProgress[] {
    return this.runner.progress();
  }

  /** A row inserted into the signal table (in binlog order): a watermark (the chunk's records at the close) or a signal. */
  onSignalRow(row: Row, at: BinlogAt): SourceRecord[] {
    const id = String(row['id'] ?? '');
    const type = String(row['type'] ?? '');
    if (type === WINDOW_OPEN || type === WINDOW_CLOSE) return this.runner.onWatermark(id.replace(/-(open|close)$/, ''), type === WINDOW_OPEN ? 'open' : 'close', at);
    this.runner.signal(id, type, row['data'] === null || row['data'] === undefined ? null : String(row['data']));
    return [];
  }

  /** The keys of a captured table's rows changed in the binlog (both images of an update). */
  onRows(model: TableModel, rows: readonly unknown[], update: boolean): void {
    const keys: KeyTuple[] = [];
    for (const r of rows) {
      const images = update ? [(r as { before: Row }).before, (r as { after: Row }).after] : [r as Row];
      for (const image of images) keys.push(model.keyColumns.map((k) => keyText(image[k])));
    }
    this.runner.onChange(model.qualified, keys);
  }

  onTruncate(model: TableModel): void {
    this.runner.onTruncate(model.qualified);
  }

  /** Offset fields for the batch just built. */
  offsetFields(): Record<string, unknown> {
    const { state } = this.runner.commitTag();
    return state === null ? {} : { [OFFSET_KEY]: state };
  }
}

/** The snapshotter's own connection: chunk reads (READ COMMITTED) and watermark rows. */
async function openReader(config: MySqlCdcConfig): Promise<IncrementalModelReader<TableModel, Row>> {
  const signalTable = config.signalDataCollection;
  if (signalTable === null) throw new MySqlCdcConfigError('incremental snapshots need the signal table: set signal.data.collection (database.table)');
  const db = await createConnection(connectionOptions(config));
  db.on('error', () => undefined);
  await db.query(`SET time_zone = '+00:00'`);
  await db.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  const [database, name] = signalTable.split('.');
  return {
    largestKey: (model, filter) => largestKey(db, model, filter),
    estimateRows: (model, filter) => estimateRows(db, model, filter),
    readKeyRange: (model, after, upTo, filter, limit) => readKeyRange(db, model, after, upTo, filter, limit),
    watermark: async (id, type) => {
      await db.query(`INSERT INTO ${quoteTable({ database, name })} (id, type, data) VALUES (?, ?, ?)`, [`${id}-${type}`, type === 'open' ? WINDOW_OPEN : WINDOW_CLOSE, '{}']);
    },
    close: () => db.end(),
  };
}

async function largestKey(db: Connection, model: TableModel, filter: string | null): Promise<KeyTuple | null> {
  const desc = model.keyColumns.map((k) => `${quoteIdent(k)} DESC`).join(', ');
  const [rows] = await db.query<RowDataPacket[]>(`SELECT ${model.keyColumns.map(quoteIdent).join(', ')} FROM ${quoteTable(model)}${filter ? ` WHERE (${filter})` : ''} ORDER BY ${desc} LIMIT 1`);
  return rows.length === 0 ? null : model.keyColumns.map((k) => keyText(rows[0][k]));
}

async function estimateRows(db: Connection, model: TableModel, filter: string | null): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${quoteTable(model)}${filter ? ` WHERE (${filter})` : ''}`);
  return Number(rows[0].n);
}

/**
 * The plugin's `sendSignal` (`POST|DELETE /connectors/{c}/snapshots`): checks the signal,
 * then inserts it into the signal table, where the running task reads it from the binlog.
 */
export async function sendMySqlSignal(raw: Readonly<Record<string, string>>, signal: { readonly id: string; readonly type: string; readonly data: string }): Promise<void> {
  parseSignal(signal.id, signal.type, signal.data);
  const config = parseMySqlCdcConfig(raw);
  if (config.signalDataCollection === null) throw new MySqlCdcConfigError('this connector has no signal table: set signal.data.collection (database.table) to take incremental snapshots');
  const [database, name] = config.signalDataCollection.split('.');
  const db = await createConnection(connectionOptions(config));
  db.on('error', () => undefined);
  try {
    await db.query(`INSERT INTO ${quoteTable({ database, name })} (id, type, data) VALUES (?, ?, ?)`, [signal.id || randomUUID(), signal.type, signal.data]);
  } finally {
    await db.end().catch(() => undefined);
  }
}
