import { changeRecord, chunkQueueRedisUrl, openRedisChunkQueue, SharedChunkWorker, storedChunksDone, type SharedChunkJob, type SharedSnapshotInfo, type TableProgress } from '@millrace/cdc-snapshot';
import type { SourceRecord, SourceTaskContext } from '@millrace/connect-sdk';
import { Client } from 'pg';
import { decodeRow, type RowText } from './change-events';
import { parseLsn } from './lsn';
import { modelOptions } from './model-options';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, parsePostgresCdcConfig, type PostgresCdcConfig } from './postgres-cdc-config';
import { readChunk, SnapshotSession } from './snapshot-reader';
import { sourceBlockOf } from './source-block';
import { listCapturedTables, loadTableModel, type TableModel } from './table-catalog';

/**
 * A helper task (task id > 0) of a Postgres CDC connector whose snapshot chunks run on
 * BullMQ (snapshot.queue.redis.url or REDIS_URL, tasks.max > 1): the connect cluster
 * spreads the tasks over its workers, so the workers share one snapshot's chunks.
 *
 * Task 0 (postgres-cdc-task.ts) owns the slot, plans the chunks and keeps a snapshot
 * exported (`pg_export_snapshot()` inside one of its snapshot transactions, which stays
 * open until the snapshot is read); every job carries that snapshot's name, the slot's
 * consistent point and the snapshot's start time (`SharedSnapshotInfo.context`). This
 * task imports the snapshot (`SET TRANSACTION SNAPSHOT`) on its own connections, so its
 * chunks are read at the same consistent point as task 0's, and emits their `r` records
 * on its own source partition `{server, snapshot_task}` with offset
 * `{lsn, run, chunks_done}` (run = the consistent point): task 0 counts those chunks done
 * when it resumes. A chunk's job succeeds only once its records are in Kafka
 * (SharedChunkWorker), so task 0 streams only after every helper's rows.
 * Without a Redis queue the task has nothing to do and says so in its status.
 */
export const SNAPSHOT_TASK_KEY = 'snapshot_task';

/** The source partition of helper task `taskId`. */
export function helperPartition(topicPrefix: string, taskId: number): Record<string, string> {
  return { server: topicPrefix, [SNAPSHOT_TASK_KEY]: String(taskId) };
}

/** What a job's SharedSnapshotInfo.context holds for Postgres. */
export interface PostgresSharedContext {
  /** The exported snapshot (null: each connection takes its own). */
  readonly snapshot: string | null;
  readonly lsn: string;
  readonly ts_ms: number;
}

export class SnapshotHelperTask {
  private config: PostgresCdcConfig | null = null;
  private worker: SharedChunkWorker<RowText> | null = null;
  private readonly models = new Map<string, TableModel>();
  private session: { readonly name: string | null; readonly open: Promise<SnapshotSession> } | null = null;
  private db: Client | null = null;
  private context: SourceTaskContext | null = null;
  private statusAt = 0;

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parsePostgresCdcConfig(raw);
    this.config = config;
    this.context = context;
    const url = chunkQueueRedisUrl(config.snapshotQueueRedisUrl);
    if (url === null) {
      context.reportStatus?.(`task ${context.taskId} reads snapshot chunks only when they run on Redis (snapshot.queue.redis.url or REDIS_URL); task 0 does all the work`);
      return;
    }
    const db = new Client({ ...clientOptions(config, 'millrace-cdc-helper'), options: SESSION_OPTIONS });
    db.on('error', () => undefined);
    this.db = db;
    await db.connect();
    for (const t of await listCapturedTables(db, config.tableInclude, config.tableExclude)) {
      const model = await loadTableModel(db, t, config.topicPrefix, config.decimalHandlingMode, modelOptions(config, t));
      this.models.set(model.qualified, model);
    }
    const queue = await openRedisChunkQueue<SharedChunkJob>(url, `snapshot-${config.topicPrefix}-${config.slotName}`, { obliterate: false, logger: context.logger, what: `postgres-cdc: task ${context.taskId}: snapshot` });
    const partition = helperPartition(config.topicPrefix, context.taskId);
    this.worker = new SharedChunkWorker<RowText>({
      queue,
      threads: config.snapshotMaxThreads,
      maxBufferedRows: Math.max(10_000, 2 * config.snapshotFetchSize),
      stored: storedChunksDone(context.offset(partition)),
      readChunk: async (job, resumeAfter, onPage, signal) => {
        const session = await this.sessionFor(contextOf(job.shared).snapshot);
        await session.withConnection((c) => readChunk(c, this.model(job.chunk.table), job.chunk, resumeAfter, config.snapshotFetchSize, onPage, signal));
      },
      toRecords: (job, rows, offset) => {
        const m = this.model(job.chunk.table);
        const at = contextOf(job.shared);
        const source = sourceBlockOf(config, m, { snapshot: 'true', lsn: Number(parseLsn(at.lsn)), txId: null, ts_ms: at.ts_ms, sequence: null });
        const now = Date.now();
        return rows.map((row) => changeRecord(m, 'r', null, decodeRow(m, row), source, { partition, offset }, now));
      },
      offset: (info) => ({ lsn: contextOf(info).lsn }),
      logger: context.logger,
    });
    this.worker.start();
    context.logger.info(`postgres-cdc: task ${context.taskId} helps with snapshot chunks (${config.snapshotMaxThreads} worker(s))`);
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    const worker = this.worker;
    if (!worker) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [];
    }
    if (Date.now() - this.statusAt >= 1000) this.reportStatus();
    const records = worker.take(maxRecords);
    if (records.length > 0) return records;
    await worker.waitForData(1000);
    return worker.take(maxRecords);
  }

  /** What this task read, as its status (task 0's status has the snapshot's own progress). */
  private reportStatus(): void {
    this.statusAt = Date.now();
    const tables = this.worker?.progress() ?? [];
    if (tables.length === 0) return;
    const line = tables.map((t) => `${t.table} ${t.chunksDone}/${t.chunks} chunks, ${t.rowsDone}/${t.estimatedRows} rows`).join('; ');
    this.context?.reportStatus?.(`snapshot chunks read by this task: ${line}`);
  }

  ack(records: readonly SourceRecord[]): void {
    this.worker?.ack(records);
  }

  /** The rows and chunks this task read, per table (the worker's /metrics). */
  progress(): TableProgress[] | null {
    const p = this.worker?.progress() ?? [];
    return p.length === 0 ? null : p;
  }

  async teardown(): Promise<void> {
    await this.worker?.stop().catch(() => undefined);
    this.worker = null;
    const session = this.session;
    this.session = null;
    await session?.open.then((s) => s.close(), () => undefined);
    await this.db?.end().catch(() => undefined);
    this.db = null;
  }

  private model(table: string): TableModel {
    const m = this.models.get(table);
    if (!m) throw new Error(`snapshot chunk of ${table}: the table is not captured by this task (its table.include.list differs from task 0's?)`);
    return m;
  }

  /** Connections under `name` (a new set when task 0 exported another snapshot, e.g. after a restart). */
  private async sessionFor(name: string | null): Promise<SnapshotSession> {
    const current = this.session;
    if (current !== null && current.name === name) return current.open;
    const config = this.config as PostgresCdcConfig;
    const open = SnapshotSession.open(config, config.snapshotMaxThreads, name);
    this.session = { name, open };
    if (current !== null) void current.open.then((s) => s.close(), () => undefined);
    open.catch(() => {
      if (this.session?.open === open) this.session = null;
    });
    return open;
  }
}

function contextOf(info: SharedSnapshotInfo): PostgresSharedContext {
  return info.context as unknown as PostgresSharedContext;
}
