import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { SinkRecord, SinkTask, SinkTaskContext, TopicPartition } from '@millrace/connect-sdk';
import { AppliedOffsets, RecordBatcher } from '@millrace/sink-rows';
import { DuckDbBatchWriter } from './duckdb-batch-writer';
import { acquireFileLock, type FileLock } from './duckdb-file-lock';
import { DuckDbOffsetStore } from './duckdb-offset-store';
import { databaseFile, parseDuckDbSinkConfig, type DuckDbSinkConfig } from './duckdb-sink-config';
import { DuckDbTables } from './duckdb-tables';

/**
 * The DuckDB sink task: writes records into an embedded DuckDB file exactly once.
 *
 * The file: opened once per task in `open` (the lock of duckdb-file-lock.ts first, so a
 * second task of any connector wanting the same file fails with a message naming the
 * holder), closed in `teardown` (DuckDB checkpoints its WAL then; after a kill -9 it
 * replays the WAL on the next open).
 *
 * Exactly-once contract, as the JDBC sink's (offsets are the consumed topic-partitions'):
 * every transaction that writes rows also upserts, in millrace_sink_offsets in the same
 * file, the next offset of every partition its records cover; rows and offsets commit or
 * roll back together. DDL (auto.create, auto.evolve) runs just before, in its own
 * transactions: DuckDB refuses to commit rows written to a table altered in the same
 * transaction. `partitionsAssigned`
 * returns the stored offsets so the runtime seeks there; records below the applied
 * offset of their partition are dropped (@millrace/sink-rows' AppliedOffsets), and after
 * a failed commit the next attempt re-reads the stored offsets first.
 *
 * Buffering: `write` buffers and commits by itself once `batch.size` records are
 * buffered; `flush` commits the rest; `partitionsRevoked` commits before forgetting the
 * partitions; `teardown` discards what was not committed (the runtime re-delivers it).
 * Not safe for concurrent calls: the runtime calls a task serially.
 */
/** A commit slower than this is logged (with its parts), for a machine too loaded or a batch too big. */
const SLOW_COMMIT_MS = 5_000;

export class DuckDbSinkTask implements SinkTask {
  private config?: DuckDbSinkConfig;
  private instance?: DuckDBInstance;
  private conn?: DuckDBConnection;
  private lock?: FileLock;
  private batcher?: RecordBatcher;
  private tables?: DuckDbTables;
  private offsets?: DuckDbOffsetStore;
  private writer?: DuckDbBatchWriter;
  private readonly book = new AppliedOffsets();
  private recheckOffsets = false;
  private logger?: SinkTaskContext['logger'];
  private closed = false;
  /** The database file in use (absolute path). */
  file = '';

  /** Records written and skipped (already applied) since open, for logs and tests. */
  readonly stats = { written: 0, skipped: 0, commits: 0 };

  async open(rawConfig: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    const config = parseDuckDbSinkConfig(rawConfig);
    this.config = config;
    this.logger = context.logger;
    this.closed = false;
    this.file = databaseFile(config, context.connectorName);
    this.batcher = new RecordBatcher(config);
    this.tables = new DuckDbTables(config, context.logger);
    this.offsets = new DuckDbOffsetStore(context.connectorName);
    this.writer = new DuckDbBatchWriter(config.insertMode);
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    this.lock = await acquireFileLock(this.file, `connector ${context.connectorName} task ${context.taskId}`);
    try {
      this.instance = await DuckDBInstance.create(this.file, { threads: String(config.threads) });
      this.conn = await this.instance.connect();
      await this.offsets.ensureTable(this.conn);
    } catch (err) {
      await this.teardown();
      throw new Error(`duckdb-sink: cannot open ${this.file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    context.logger.info(`duckdb-sink: writing to ${this.file} (insert.mode=${config.insertMode}, pk.mode=${config.pkMode})`);
  }

  async partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>> {
    const stored = await this.requireOffsets().load(this.requireConn(), partitions);
    this.book.setApplied(stored);
    return stored;
  }

  async partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    await this.commitBuffer();
    this.book.forget(partitions);
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    const config = this.requireOpen();
    const unknown = this.book.unknownPartitions(records);
    if (unknown.length > 0) this.book.setApplied(await this.requireOffsets().load(this.requireConn(), unknown));
    this.stats.skipped += this.book.accept(records);
    if (this.book.records.length >= config.batchSize) await this.commitBuffer();
  }

  async flush(): Promise<void> {
    this.requireOpen();
    await this.commitBuffer();
  }

  async teardown(): Promise<void> {
    this.closed = true;
    this.book.clear();
    const { conn, instance, lock } = this;
    this.conn = undefined;
    this.instance = undefined;
    this.lock = undefined;
    try {
      conn?.closeSync();
      instance?.closeSync();
    } finally {
      await lock?.release();
    }
  }

  /** Writes the buffer, its DDL and its offsets in one transaction (see the class contract). */
  private async commitBuffer(): Promise<void> {
    if (!this.book.hasPending || this.closed) return;
    const conn = this.requireConn();
    const tables = this.tables as DuckDbTables;
    const offsetStore = this.requireOffsets();
    const writer = this.writer as DuckDbBatchWriter;
    if (this.recheckOffsets) {
      this.book.reconcile(await offsetStore.load(conn, this.book.pendingOffsets()));
      this.recheckOffsets = false;
      if (!this.book.hasPending) return;
    }
    const offsets = this.book.pendingOffsets();
    const started = performance.now();
    let staged = started;
    let written = 0;
    let begun = false;
    try {
      const ddlBefore = tables.ddlCount;
      const live = [];
      for (const batch of (this.batcher as RecordBatcher).batch(this.book.records)) {
        if (batch.kind === 'write') {
          await tables.ensureTable(conn, batch.table, batch.fields);
          live.push(batch);
        } else if (await tables.exists(conn, batch.table)) {
          live.push(batch);
        }
      }
      if (tables.ddlCount !== ddlBefore) writer.forgetStages();
      staged = performance.now();
      await conn.run('BEGIN TRANSACTION');
      begun = true;
      for (const batch of live) written += await writer.apply(conn, batch);
      await offsetStore.save(conn, offsets);
      await conn.run('COMMIT');
    } catch (err) {
      if (begun) await conn.run('ROLLBACK').catch(() => undefined);
      this.recheckOffsets = true;
      tables.invalidate();
      writer.forgetStages();
      throw err;
    }
    this.book.committed(offsets);
    this.stats.written += written;
    this.stats.commits++;
    const ms = performance.now() - started;
    if (ms > SLOW_COMMIT_MS) this.logger?.info(`duckdb-sink: ${written} rows and their offsets took ${Math.round(ms)} ms to commit (DDL checks ${Math.round(staged - started)} ms)`);
  }

  private requireOpen(): DuckDbSinkConfig {
    if (!this.config || this.closed) throw new Error('duckdb-sink task is not open');
    return this.config;
  }

  private requireConn(): DuckDBConnection {
    this.requireOpen();
    if (!this.conn) throw new Error('duckdb-sink task is not open');
    return this.conn;
  }

  private requireOffsets(): DuckDbOffsetStore {
    return this.offsets as DuckDbOffsetStore;
  }
}
