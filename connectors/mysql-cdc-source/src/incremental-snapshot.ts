import { randomUUID } from 'node:crypto';
import { createIncrementalRunner, IncrementalSnapshotState, parseSignal, type IncrementalModelReader, type IncrementalSnapshotRunner, type KeyTuple, type TableProgress } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { connectionOptions, MySqlCdcConfigError, parseMySqlCdcConfig, type MySqlCdcConfig } from './mysql-cdc-config';
import { PositionWatermarks, type PositionWatermark } from './position-watermarks';
import { markRecentAsChanged, RecentKeys } from './recent-keys';
import { currentPosition, keyText, readKeyRange, type Row } from './snapshot-reader';
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
 * - A chunk is read on the snapshotter's own connection between two watermarks; every
 *   captured row changed in the binlog between them leaves the chunk, the rest goes out
 *   at the close watermark's position. With a signal table the watermarks are inserted
 *   rows `{id: <window>-open, type: snapshot-window-open}` and `{id: <window>-close, type:
 *   snapshot-window-close}` (Debezium's types); without one (read-only: managed databases,
 *   snapshot.locking.mode=none) they are binlog positions (position-watermarks.ts), which
 *   the task hands back through `onStreamAt` as its stream reaches them; as a binlog event
 *   can be streamed before its transaction is visible to a SELECT, keys handed out in the
 *   VISIBILITY_GRACE_MS before a window opens count as changed in it.
 * - The state rides in the offset (`incremental_snapshot`) of every batch; a batch without
 *   records stores nothing, and its signal or watermark rows are read again after a
 *   restart (a signal is applied again; old windows' rows are unknown and ignored).
 */
export const OFFSET_KEY = 'incremental_snapshot';
/**
 * With binlog-position watermarks, how far back the keys handed out before a window opens
 * count as changed in it: the longest binlog-sync-to-engine-commit gap allowed for
 * (rpl_semi_sync_master_timeout's default; see recent-keys.ts).
 */
export const VISIBILITY_GRACE_MS = 10_000;
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
  /** The server flavour (how the reader reads GTIDs with a position watermark). */
  readonly flavour: 'mysql' | 'mariadb';
}

export class MySqlIncrementalSnapshotter {
  private readonly runner: IncrementalSnapshotRunner<Row, BinlogAt>;
  /** Binlog-position watermarks when there is no signal table to write them to, else null. */
  private readonly positions: PositionWatermarks | null;
  /** With position watermarks: keys handed out lately, counted as changed when a window opens (recent-keys.ts). */
  private readonly recent = new RecentKeys(VISIBILITY_GRACE_MS);

  constructor(private readonly opts: MySqlIncrementalOptions) {
    const { config } = opts;
    const positions = config.signalDataCollection === null ? new PositionWatermarks() : null;
    this.positions = positions;
    this.runner = createIncrementalRunner<TableModel, Row, BinlogAt>({
      name: 'mysql-cdc',
      models: opts.models,
      state: opts.stored === undefined ? new IncrementalSnapshotState() : IncrementalSnapshotState.fromJson(opts.stored),
      chunkSize: config.incrementalSnapshotChunkSize,
      logger: opts.logger,
      reportStatus: opts.reportStatus,
      openReader: () => openReader(config, positions === null ? null : { flavour: opts.flavour, add: (mark) => positions.add(mark) }),
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
    this.runner.start();
  }

  /** Whether tables are still to be read. */
  get active(): boolean {
    return this.runner.active;
  }

  /** Queues tables for reading, as an execute-snapshot signal does (the lockless initial snapshot). */
  request(tables: readonly string[]): void {
    this.runner.signal(`initial-${Date.now()}`, 'execute-snapshot', JSON.stringify({ 'data-collections': tables }));
  }

  /**
   * With binlog-position watermarks: the stream has handed out everything up to `streamAt`
   * (null: its position is unknown, only opens are due); the records of the windows that
   * close there, to emit before anything after it. Call before each streamed transaction
   * and when the stream is idle.
   */
  onStreamAt(streamAt: { file: string; pos: number } | null, gtid: string | null): SourceRecord[] {
    if (this.positions === null) return [];
    const out: SourceRecord[] = [];
    for (const mark of this.positions.due(streamAt)) {
      out.push(...this.runner.onWatermark(mark.id, mark.type, { file: mark.file, pos: mark.pos, gtid, tsMs: Date.now() }));
      // a transaction handed out just before the window opened may not be visible to the chunk SELECT yet
      if (mark.type === 'open') markRecentAsChanged(this.runner, this.recent, VISIBILITY_GRACE_MS);
    }
    return out;
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
    if (this.positions !== null && this.runner.active) this.recent.add(model.qualified, keys);
    else this.recent.clear();
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

/**
 * The snapshotter's own connection: chunk reads (READ COMMITTED, one SELECT each) and
 * watermarks: rows inserted into the signal table, or (`positions`) the binlog end read
 * with SHOW MASTER STATUS, which needs no lock and no write.
 */
async function openReader(config: MySqlCdcConfig, positions: { flavour: 'mysql' | 'mariadb'; add: (mark: PositionWatermark) => void } | null): Promise<IncrementalModelReader<TableModel, Row>> {
  const signalTable = config.signalDataCollection;
  const db = await createConnection(connectionOptions(config));
  db.on('error', () => undefined);
  await db.query(`SET time_zone = '+00:00'`);
  await db.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  const watermark = async (id: string, type: 'open' | 'close'): Promise<void> => {
    if (positions !== null || signalTable === null) {
      if (positions === null) throw new MySqlCdcConfigError('incremental snapshots need the signal table: set signal.data.collection (database.table)');
      const { file, pos } = await currentPosition(db, positions.flavour);
      positions.add({ id, type, file, pos });
      return;
    }
    const [database, name] = signalTable.split('.');
    await db.query(`INSERT INTO ${quoteTable({ database, name })} (id, type, data) VALUES (?, ?, ?)`, [`${id}-${type}`, type === 'open' ? WINDOW_OPEN : WINDOW_CLOSE, '{}']);
  };
  return {
    largestKey: (model, filter) => largestKey(db, model, filter),
    estimateRows: (model, filter) => estimateRows(db, model, filter),
    readKeyRange: (model, after, upTo, filter, limit) => readKeyRange(db, model, after, upTo, filter, limit),
    watermark,
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
