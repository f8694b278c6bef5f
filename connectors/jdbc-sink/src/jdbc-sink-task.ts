import type { DataSource, QueryRunner } from 'typeorm';
import { AppliedOffsets, RecordBatcher } from '@millrace/sink-rows';
import { SinkTopics, type SinkRecord, type SinkTask, type SinkTaskContext, type TopicPartition } from '@millrace/connect-sdk';
import { BatchWriter, type SinkBatchWriter } from './batch-writer';
import { openDataSource } from './data-source';
import { dialectFor, PostgresSinkDialect, type SinkDialect } from './dialect';
import { classifyDbError } from './errors';
import { parseJdbcSinkConfig, type JdbcSinkConfig } from './jdbc-sink-config';
import { OffsetKeyMigrationError, topicRenamingTransforms } from './offset-key-migration';
import { OffsetStore } from './offset-store';
import { PostgresCopyWriter } from './postgres-copy-writer';
import { TableManager } from './table-manager';

/**
 * The JDBC sink task: writes records to PostgreSQL or MySQL/MariaDB exactly once.
 *
 * Exactly-once contract (offsets are those of the consumed topic-partitions, the
 * records' `originalTopic`/`originalKafkaPartition`/`originalKafkaOffset`, whatever the
 * transforms made of their topic; see offset-store.ts for the table):
 * - Every transaction that writes rows also upserts, in millrace_sink_offsets, the next
 *   offset (last applied + 1) of every partition whose records it covers; rows and
 *   offsets commit or roll back together.
 * - `open` resolves offsets stored in the table's old format (keyed by the topic after
 *   the transforms): adopted when that means the same, else the task fails with a
 *   message saying what to run (offset-key-migration.ts).
 * - The task remembers, per partition, the next offset already applied (read from the
 *   table in `partitionsAssigned`, or on first sight of a partition in `write`) and drops
 *   records below it (@millrace/sink-rows' AppliedOffsets), so a runtime that re-delivers
 *   from an older Kafka offset never applies a record twice, even for keyless inserts.
 *   `partitionsAssigned` returns the stored offsets so the runtime seeks there.
 * - After a failed commit (the outcome may be unknown when the connection broke during
 *   COMMIT), the next attempt re-reads the stored offsets before writing, and drops the
 *   buffered records that turn out to be applied already.
 *
 * Buffering: `write` buffers (records of every topic/partition in arrival order) and
 * commits by itself once `batch.size` records are buffered; `flush` commits the rest;
 * `partitionsRevoked` commits before forgetting the partitions. `teardown` closes the
 * connection and DISCARDS whatever was not committed (the runtime re-delivers it from its
 * committed offsets, or from the stored ones). A failed commit keeps the buffer, so a
 * runtime retrying `write`/`flush` after a RetriableError loses nothing; records already
 * buffered are not buffered twice.
 *
 * DDL (auto.create/auto.evolve, the offsets table) runs before and outside the data
 * transaction. Not safe for concurrent calls: the runtime calls a task serially.
 */
export class JdbcSinkTask implements SinkTask {
  private config?: JdbcSinkConfig;
  private dialect?: SinkDialect;
  private dataSource?: DataSource;
  private runner?: QueryRunner;
  private batcher?: RecordBatcher;
  private tables?: TableManager;
  private offsets?: OffsetStore;
  private writer?: SinkBatchWriter;

  private readonly offsetsBook = new AppliedOffsets();
  private recheckOffsets = false;
  private closed = false;

  /**
   * PostgreSQL decodes Avro values straight into COPY text (postgres-copy-writer.ts,
   * avro-copy-rows.ts), so it takes records with raw Avro values (SinkTask capability).
   */
  get acceptsRawAvroValues(): boolean {
    return this.writer instanceof PostgresCopyWriter;
  }

  /** Records written and skipped (already applied) since open, for logs and tests. */
  readonly stats = { written: 0, skipped: 0, commits: 0 };

  async open(rawConfig: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    const config = parseJdbcSinkConfig(rawConfig);
    this.config = config;
    this.closed = false;
    const dialect = dialectFor(config.url);
    this.dialect = dialect;
    this.batcher = new RecordBatcher(config);
    this.tables = new TableManager(dialect, config, context.logger);
    this.offsets = new OffsetStore(dialect, context.connectorName);
    this.dataSource = await openDataSource(config, context.logger);
    try {
      const qr = await this.queryRunner();
      this.writer = await this.batchWriter(qr, dialect, config);
      await this.offsets.ensureTable(qr);
      await this.offsets.adoptLegacyRows(qr, SinkTopics.fromConfig(rawConfig), topicRenamingTransforms(rawConfig));
    } catch (err) {
      await this.teardown();
      if (err instanceof OffsetKeyMigrationError) throw err;
      throw classifyDbError(err, 'jdbc-sink: cannot prepare millrace_sink_offsets');
    }
  }

  async partitionsAssigned(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, number | null>> {
    const stored = await this.loadOffsets(partitions);
    this.offsetsBook.setApplied(stored);
    return stored;
  }

  async partitionsRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    await this.commitBuffer();
    this.offsetsBook.forget(partitions);
  }

  async write(records: readonly SinkRecord[]): Promise<void> {
    const config = this.requireOpen();
    const unknown = this.offsetsBook.unknownPartitions(records);
    if (unknown.length > 0) this.offsetsBook.setApplied(await this.loadOffsets(unknown));
    this.stats.skipped += this.offsetsBook.accept(records);
    if (this.offsetsBook.records.length >= config.batchSize) await this.commitBuffer();
  }

  async flush(): Promise<void> {
    this.requireOpen();
    await this.commitBuffer();
  }

  async teardown(): Promise<void> {
    this.closed = true;
    this.offsetsBook.clear();
    await this.dropRunner();
    const ds = this.dataSource;
    this.dataSource = undefined;
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
  }

  /** Writes the buffer and its offsets in one transaction (see the class contract). */
  private async commitBuffer(): Promise<void> {
    if (!this.offsetsBook.hasPending || this.closed) return;
    const tables = this.tables as TableManager;
    const writer = this.writer as SinkBatchWriter;
    try {
      const qr = await this.queryRunner();
      if (this.recheckOffsets) {
        this.offsetsBook.reconcile(await this.loadOffsets(this.offsetsBook.pendingOffsets()));
        this.recheckOffsets = false;
        if (!this.offsetsBook.hasPending) return;
      }
      const batches = (this.batcher as RecordBatcher).batch(this.offsetsBook.records);
      const live = [];
      for (const batch of batches) {
        if (batch.kind === 'write') {
          await tables.ensureTable(qr, batch.table, batch.fields);
          live.push(batch);
        } else if (await tables.exists(qr, batch.table)) {
          live.push(batch);
        }
      }
      const offsets = this.offsetsBook.pendingOffsets();
      let written = 0;
      await qr.startTransaction();
      try {
        for (const batch of live) written += await writer.apply(qr, batch);
        await (this.offsets as OffsetStore).save(qr, offsets);
        await qr.commitTransaction();
      } catch (err) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        throw err;
      }
      this.offsetsBook.committed(offsets);
      this.stats.written += written;
      this.stats.commits++;
    } catch (err) {
      this.recheckOffsets = true;
      tables.invalidate();
      await this.dropRunner();
      throw classifyDbError(err, 'jdbc-sink: writing a batch failed');
    }
  }

  /**
   * PostgreSQL writes by COPY (postgres-copy-writer.ts); MySQL/MariaDB by multi-row
   * statements kept under half the server's max_allowed_packet (the writer's size estimate
   * is rough), at most 32 MiB.
   */
  private async batchWriter(qr: QueryRunner, dialect: SinkDialect, config: JdbcSinkConfig): Promise<SinkBatchWriter> {
    if (dialect instanceof PostgresSinkDialect) return new PostgresCopyWriter(dialect, config.insertMode);
    const rows = (await qr.query('SELECT @@max_allowed_packet AS p')) as { p: number | string }[];
    const packet = Number(rows[0]?.p);
    const budget = Number.isFinite(packet) && packet > 0 ? Math.min(Math.floor(packet / 2), 32 * 1024 * 1024) : undefined;
    return new BatchWriter(dialect, config.insertMode, budget);
  }

  private async loadOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    this.requireOpen();
    try {
      return await (this.offsets as OffsetStore).load(await this.queryRunner(), partitions);
    } catch (err) {
      await this.dropRunner();
      throw classifyDbError(err, 'jdbc-sink: reading millrace_sink_offsets failed');
    }
  }

  private async queryRunner(): Promise<QueryRunner> {
    if (this.runner && !this.runner.isReleased) return this.runner;
    const ds = this.dataSource;
    if (!ds?.isInitialized) throw new Error('jdbc-sink task is not open');
    const qr = ds.createQueryRunner();
    try {
      await qr.connect();
    } catch (err) {
      await qr.release().catch(() => undefined);
      throw classifyDbError(err, 'jdbc-sink: cannot get a database connection');
    }
    this.runner = qr;
    return qr;
  }

  private async dropRunner(): Promise<void> {
    const qr = this.runner;
    this.runner = undefined;
    if (qr && !qr.isReleased) await qr.release().catch(() => undefined);
  }

  private requireOpen(): JdbcSinkConfig {
    if (!this.config || this.closed) throw new Error('jdbc-sink task is not open');
    return this.config;
  }

  /** The dialect in use (for tests and diagnostics). */
  get dialectName(): string | undefined {
    return this.dialect?.name;
  }
}
