import { createIncrementalRunner, type IncrementalModelReader, type IncrementalSnapshotRunner, type IncrementalSnapshotState, type TableProgress } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import { Client } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { decodeRow, sourcePartition, type RowText } from './change-events';
import { parseLsn } from './lsn';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, type PostgresCdcConfig } from './postgres-cdc-config';
import { estimateRows, largestKey, RAW_TEXT, readKeyRange } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import type { TableModel } from './table-catalog';

/**
 * Incremental snapshots of the Postgres CDC source while it streams (Debezium's signals,
 * DBLog's watermarks; signals, windows, state and progress are `@millrace/cdc-snapshot`'s
 * IncrementalSnapshotRunner, wired by createIncrementalRunner: this file is the Postgres
 * reader and message decoding).
 *
 * - Signals: an insert into the signal table (`signal.data.collection`, columns id, type,
 *   data) or a transactional logical message with prefix SIGNAL_MESSAGE_PREFIX (what
 *   `POST /connectors/{c}/snapshots` writes) carrying `{id, type, data}`. Both are read
 *   from the stream, so a signal takes effect in stream order and is durable in the WAL.
 *   A bad signal is logged (naming the field) and ignored; the task never fails for it.
 * - Chunks: for the table at the head of the state, `incremental.snapshot.chunk.size`
 *   rows after the last emitted key, up to the largest key when the table's reading
 *   started, in key order, read on the snapshotter's own connection (READ COMMITTED)
 *   between two transactional logical messages (WATERMARK_PREFIX, `{id, type: open|close}`).
 *   Changes streamed between them remove their keys from the chunk; at the close message
 *   the rest goes out as `r` records (source.snapshot = "incremental") inside that
 *   transaction, so they follow every older change and precede every newer one.
 * - Durability: `commitTag` puts the state into the source offset of each transaction
 *   (`incremental_snapshot`), and asks to hand out a transaction whose only effect was a
 *   state change (a signal), so the slot never passes it before the state is stored.
 *   After a restart markers of earlier windows are ignored (unknown ids); reading
 *   resumes after the last chunk the broker committed.
 * - Tables without a primary key cannot be read incrementally (warned, skipped).
 */
export const WATERMARK_PREFIX = 'millrace.incremental-snapshot';
export const SIGNAL_MESSAGE_PREFIX = 'millrace.signal';
export const OFFSET_KEY = 'incremental_snapshot';

export interface IncrementalSnapshotterOptions {
  readonly config: PostgresCdcConfig;
  readonly models: ReadonlyMap<string, TableModel>;
  readonly state: IncrementalSnapshotState;
  readonly logger: Pick<ConnectorLogger, 'info' | 'warn'> | undefined;
  readonly sourceBlock: (model: TableModel, at: Pick<SourceBlock, 'snapshot' | 'lsn' | 'txId' | 'ts_ms' | 'sequence'>) => SourceBlock;
  /** The progress as the task's status (null: none running). */
  readonly reportStatus?: (message: string | null) => void;
}

interface StreamAt {
  readonly xid: number;
  readonly lsn: string;
  readonly commitTimeMs: number;
}

export class IncrementalSnapshotter {
  private readonly runner: IncrementalSnapshotRunner<RowText, StreamAt>;

  constructor(private readonly opts: IncrementalSnapshotterOptions) {
    const { config } = opts;
    this.runner = createIncrementalRunner<TableModel, RowText, StreamAt>({
      name: 'postgres-cdc',
      models: opts.models,
      state: opts.state,
      chunkSize: config.incrementalSnapshotChunkSize,
      logger: opts.logger,
      reportStatus: opts.reportStatus,
      openReader: () => openReader(config),
      decodeRow,
      sourceBlock: (model, at) => opts.sourceBlock(model, { snapshot: 'incremental', lsn: Number(parseLsn(at.lsn)), txId: at.xid, ts_ms: at.commitTimeMs, sequence: null }),
      partition: sourcePartition(config.topicPrefix),
    });
  }

  /** Starts (or resumes) reading chunks when tables are queued. */
  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  get active(): boolean {
    return this.runner.active;
  }

  /** Rows done / total per table of the current (or last) incremental snapshot, as handed out. */
  progress(): TableProgress[] {
    return this.runner.progress();
  }

  /**
   * The stream restarts after the transaction whose offset fields are `offsetExtra`
   * (a reconnect): the state goes back to what that offset says, the open window is
   * dropped (its markers are decoded again, now unknown), and reading goes on from there.
   */
  resetTo(offsetExtra: Readonly<Record<string, unknown>> | undefined): void {
    this.runner.resetTo(offsetExtra?.[OFFSET_KEY]);
  }

  /** A row inserted into the signal table. */
  onSignalRow(row: RowText): void {
    this.runner.signal(String(row['id'] ?? ''), String(row['type'] ?? ''), row['data'] ?? null);
  }

  /** A streamed change of a captured table: its keys leave the open window. */
  onChange(model: TableModel, keys: readonly (readonly (string | null)[])[]): void {
    this.runner.onChange(model.qualified, keys);
  }

  /** A TRUNCATE of a captured table in the stream. */
  onTruncate(model: TableModel): void {
    this.runner.onTruncate(model.qualified);
  }

  /** A logical message in the stream: a watermark (returns the chunk's records at the close) or a signal. */
  onMessage(message: Pgoutput.MessageMessage, at: StreamAt): SourceRecord[] {
    if (message.prefix !== WATERMARK_PREFIX && message.prefix !== SIGNAL_MESSAGE_PREFIX) return [];
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(message.content).toString('utf8')) as Record<string, unknown>;
    } catch {
      this.opts.logger?.warn(`postgres-cdc: ignoring a logical message "${message.prefix}" that is not JSON`);
      return [];
    }
    if (message.prefix === SIGNAL_MESSAGE_PREFIX) {
      this.runner.signal(String(body['id'] ?? ''), String(body['type'] ?? ''), typeof body['data'] === 'string' ? body['data'] : JSON.stringify(body['data'] ?? {}));
      return [];
    }
    return this.runner.onWatermark(String(body['id'] ?? ''), String(body['type'] ?? ''), at);
  }

  /** Offset fields as of the transaction just committed; `keep` when a signal changed the state. */
  commitTag(): { offsetExtra: Readonly<Record<string, unknown>>; keep: boolean } {
    const { state, keep } = this.runner.commitTag();
    return { offsetExtra: state === null ? {} : { [OFFSET_KEY]: state }, keep };
  }
}

/** The snapshotter's own connection (READ COMMITTED): chunk reads, and watermarks as transactional logical messages. */
async function openReader(config: PostgresCdcConfig): Promise<IncrementalModelReader<TableModel, RowText>> {
  const db = new Client({ ...clientOptions(config, 'millrace-cdc-incremental'), options: SESSION_OPTIONS, types: RAW_TEXT });
  db.on('error', () => undefined);
  await db.connect();
  return {
    largestKey: (model, filter) => largestKey(db, model, filter),
    estimateRows: (model, filter) => estimateRows(db, model, filter),
    readKeyRange: (model, after, upTo, filter, limit) => readKeyRange(db, model, after, upTo, filter, limit),
    watermark: async (id, type) => {
      await db.query('SELECT pg_logical_emit_message(true, $1, $2)', [WATERMARK_PREFIX, JSON.stringify({ id, type })]);
    },
    close: () => db.end(),
  };
}

/** The keys a streamed change touches (the new row's, and the old one's when sent). */
export function changedKeys(model: TableModel, message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete): (string | null)[][] {
  const rows: (RowText | null | undefined)[] = message.tag === 'insert' ? [message.new as RowText] : message.tag === 'update' ? [message.new as RowText, (message.old ?? message.key) as RowText | null] : [(message.old ?? message.key) as RowText | null];
  const out: (string | null)[][] = [];
  for (const row of rows) if (row) out.push(model.keyColumns.map((k) => (row[k] === undefined || row[k] === null ? null : String(row[k]))));
  return out;
}
