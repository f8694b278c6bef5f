import { ChunkedSnapshot, changeRecord, readSnapshotPhase, SnapshotState } from '@millrace/cdc-snapshot';
import type { SourceRecord, SourceTask, SourceTaskContext } from '@millrace/connect-sdk';
import { createConnection, type Connection } from 'mysql2/promise';
import { BinlogStream, type TxnItem } from './binlog-stream';
import { rowsEventRecords } from './change-events';
import { ddlRecords, resumeModels, type DdlContext } from './ddl-events';
import { advanceGtidPosition } from './gtid-position';
import { connectionOptions, parseMySqlCdcConfig, type MySqlCdcConfig } from './mysql-cdc-config';
import { binlogSince, checkPrivileges, checkServer, PreflightError, type ServerFacts } from './preflight';
import { SchemaHistory } from './schema-history';
import { ShapeTracker } from './shape-tracker';
import { currentPosition, planTable, readChunk, SnapshotSession, type BinlogPosition, type Row } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import { isCaptured, listCapturedTables, loadTableModel, decodeRow, type TableModel } from './table-catalog';
import { heartbeatRecord } from './heartbeat';
import { MySqlIncrementalSnapshotter, OFFSET_KEY as INCREMENTAL_OFFSET_KEY, sendMySqlSignal } from './incremental-snapshot';
import { KafkaSignalChannel, type TableProgress } from '@millrace/cdc-snapshot';

export const CONNECTOR_VERSION = '0.1.0';
/** Offset mark of a running snapshot.locking.mode=none initial snapshot (with its incremental_snapshot state). */
const LOCKLESS_OFFSET_KEY = 'lockless_snapshot';

/**
 * The MySQL/MariaDB CDC source task (one per connector): a chunked snapshot consistent
 * with a binlog position, then the binlog from that position, with Debezium's records.
 *
 * Source partition `{server: <topic.prefix>}`; its offset is one of
 *   snapshot running:  { file, pos, gtids, snapshot: <SnapshotStateJson> }   (the snapshot's binlog position)
 *   snapshot done:     { file, pos, gtids, snapshot_completed: true }
 *   streaming:         { file, pos, gtids }  (right after the commit of the last transaction in Kafka)
 *   lockless snapshot: streaming + { incremental_snapshot: <state>, lockless_snapshot: true }
 * Every record of a batch carries the offset after the whole batch (batches hold whole
 * snapshot pages and whole transactions), so what the runtime stores with a batch
 * (exactly-once: in its Kafka transaction) is exactly where to resume: no change event is
 * lost or repeated across a kill -9.
 *
 * Start-up (`open`): preflight checks (binlog settings, privileges), then by stored offset
 * and snapshot.mode:
 * - no offset, initial / initial_only / when_needed: snapshot.locking.mode=minimal: a
 *   snapshot under a brief lock (snapshot-reader.ts), then stream from its position
 *   (initial_only: stop); none: stream at once while every captured table is read as an
 *   incremental snapshot between binlog-position watermarks (`r` records with
 *   source.snapshot "incremental", as Debezium's; initial_only: stop after the last chunk);
 * - no offset, never / no_data: stream from the current position;
 * - snapshot running: resume the unfinished chunks (own snapshots), then stream from the
 *   stored position, which replays every change since on top of them;
 * - streaming: stream from the stored position; a purged binlog file fails the task
 *   saying what to do, or takes a new snapshot under when_needed.
 * Resuming: after the stored GTID position when there is one (MariaDB; MySQL: the
 * executed GTID set), so rotated or purged files before it do not matter as long as the
 * transactions after it are still in the binlog; else at the stored file/position.
 * DDL on a captured database reloads its tables from the live schema; each rows event is
 * decoded with its table's shape at its position, from the schema history
 * (schema-history.ts, shape-tracker.ts), so a restart from a position older than a DDL
 * emits the rows before it with the old shape. TRUNCATE of a captured table emits a `t`
 * event unless skipped.operations has t (the default, as Debezium).
 */
export class MySqlCdcTask implements SourceTask {
  private config: MySqlCdcConfig | null = null;
  private context: SourceTaskContext | null = null;
  private db: Connection | null = null;
  private facts: ServerFacts | null = null;
  private readonly models = new Map<string, TableModel>();
  private snapshot: ChunkedSnapshot<Row> | null = null;
  private session: SnapshotSession | null = null;
  private stream: BinlogStream | null = null;
  private position: BinlogPosition = { file: '', pos: 4, gtids: '' };
  private snapshotTsMs = 0;
  private stopping = false;
  private lastHeartbeat = Date.now();
  private shapes: ShapeTracker | null = null;
  /** Schema-history records to emit before anything else (baselines). */
  private readonly pending: SourceRecord[] = [];
  private resumeByGtid = false;
  /** Incremental snapshots while streaming (incremental-snapshot.ts); the stored state until the stream starts. */
  private incremental: MySqlIncrementalSnapshotter | null = null;
  private storedIncremental: unknown = undefined;
  private signals: KafkaSignalChannel | null = null;
  /** The initial snapshot of snapshot.locking.mode=none (an incremental snapshot of every captured table) is running. */
  private locklessInitial = false;

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parseMySqlCdcConfig(raw);
    this.config = config;
    this.context = context;
    this.shapes = new ShapeTracker(config, new SchemaHistory(config.topicPrefix, config.schemaHistoryTopic));
    context.logger.info(`mysql-cdc: task opening (${config.hostname}:${config.port}, server id ${config.serverId})`);
    try {
      const db = await createConnection(connectionOptions(config));
      db.on('error', () => undefined);
      this.db = db;
      await this.prepare(config, context, db);
      // Debezium's Kafka signal channel: each signal is inserted into the signal table, as the REST call's are
      if (config.signalKafka) await (this.signals = new KafkaSignalChannel(config.signalKafka, config.topicPrefix, (s) => sendMySqlSignal(raw, s), context.logger, 'mysql-cdc')).start();
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  private partition(): Record<string, unknown> {
    return { server: (this.config as MySqlCdcConfig).topicPrefix };
  }

  private async prepare(config: MySqlCdcConfig, context: SourceTaskContext, db: Connection): Promise<void> {
    this.facts = await checkServer(db, config);
    const stored = context.offset(this.partition());
    this.storedIncremental = stored?.[INCREMENTAL_OFFSET_KEY];
    this.locklessInitial = stored?.[LOCKLESS_OFFSET_KEY] === true && this.storedIncremental !== undefined;
    const wantsSnapshot = config.snapshotMode === 'initial' || config.snapshotMode === 'initial_only' || config.snapshotMode === 'when_needed';
    const freshSnapshot = stored === null && wantsSnapshot;
    const tables = await listCapturedTables(db, config);
    await checkPrivileges(db, config, [...new Set(tables.map((t) => t.database))], freshSnapshot && config.snapshotLockingMode === 'minimal');
    if (tables.length === 0) context.logger.warn('mysql-cdc: no table matches database/table include and exclude lists');
    const shapes = this.shapes as ShapeTracker;
    for (const t of tables) {
      const model = await loadTableModel(db, t, config);
      this.models.set(model.qualified, model);
      shapes.history.load(model.qualified, context.offset(shapes.history.partition(model.qualified)));
    }
    context.logger.info(`mysql-cdc: capturing ${this.models.size} table(s): ${[...this.models.keys()].join(', ')}`);

    if (stored !== null && typeof stored['file'] === 'string') {
      this.position = { file: stored['file'], pos: Number(stored['pos']), gtids: String(stored['gtids'] ?? '') };
      const { error: purged, resumeByGtid } = await binlogSince(db, this.facts.flavour, this.position);
      this.resumeByGtid = resumeByGtid;
      if (purged !== null) {
        if (config.snapshotMode !== 'when_needed') throw purged;
        context.logger.warn(`mysql-cdc: ${purged.message.split('. ')[0]}; snapshot.mode=when_needed: taking a new snapshot`);
        await this.startFreshSnapshot(config);
        return;
      }
      // tables dropped or renamed since the stored position: their rows before the DDL still go out
      await resumeModels(this.ddlContext(), this.position, (q) => shapes.history.load(q, context.offset(shapes.history.partition(q))), this.pending);
      if (stored['snapshot'] !== undefined) {
        const state = SnapshotState.fromJson(stored['snapshot']);
        context.logger.info(`mysql-cdc: resuming the snapshot at binlog position ${this.position.file}:${this.position.pos}: ${state.chunksDone} of ${state.chunkCount} chunks done, ${state.pending().length} to read`);
        this.session = (await SnapshotSession.open(config, config.snapshotMaxThreads, null)).session;
        this.startSnapshot(state);
        return;
      }
      if (stored['snapshot_completed'] === true && config.snapshotMode === 'initial_only') return;
      await this.startStream();
      return;
    }
    if (!wantsSnapshot) {
      this.position = await currentPosition(db, this.facts.flavour);
      shapes.baseline([...this.models.values()], this.position, null, this.pending);
      await this.startStream();
      return;
    }
    await this.startFreshSnapshot(config);
  }

  private async startFreshSnapshot(config: MySqlCdcConfig): Promise<void> {
    const flavour = (this.facts as ServerFacts).flavour;
    if (config.snapshotLockingMode === 'none') return this.startLocklessSnapshot(config, flavour);
    const opened = await SnapshotSession.open(config, config.snapshotMaxThreads, { flavour });
    this.session = opened.session;
    this.position = opened.position as BinlogPosition;
    const plans = [];
    for (const model of this.models.values()) {
      const plan = await this.session.withConnection((c) => planTable(c, model, config.snapshotChunkRows));
      plans.push({ table: model.qualified, ...plan });
    }
    const state = SnapshotState.fromBoundaries(plans);
    (this.shapes as ShapeTracker).baseline([...this.models.values()], this.position, null, this.pending);
    this.context?.logger.info(`mysql-cdc: snapshot (snapshot.locking.mode=${config.snapshotLockingMode}) at binlog position ${this.position.file}:${this.position.pos} (gtids ${this.position.gtids || 'none'}) of ${plans.length} table(s) in ${state.chunkCount} chunk(s) with ${config.snapshotMaxThreads} worker(s)`);
    this.startSnapshot(state);
  }

  /**
   * snapshot.locking.mode=none: no lock, no consistent-snapshot session. The stream starts
   * at the current binlog position and every captured table is read as an incremental
   * snapshot (its state in the offset, `lockless_snapshot: true` while it runs) in chunks
   * between binlog-position watermarks, rows the stream changed meanwhile dropped
   * (incremental-snapshot.ts, position-watermarks.ts). Needs a primary key on each table.
   */
  private async startLocklessSnapshot(config: MySqlCdcConfig, flavour: 'mysql' | 'mariadb'): Promise<void> {
    const keyless = [...this.models.values()].filter((m) => m.keyColumns.length === 0).map((m) => m.qualified);
    if (keyless.length > 0) {
      throw new PreflightError(`snapshot.locking.mode=none reads tables in primary-key chunks between binlog watermarks, but ${keyless.join(', ')} ha(s) no primary key: add one, exclude the table(s), or use snapshot.locking.mode=minimal (needs RELOAD)`);
    }
    this.position = await currentPosition(this.db as Connection, flavour);
    (this.shapes as ShapeTracker).baseline([...this.models.values()], this.position, null, this.pending);
    this.context?.logger.info(`mysql-cdc: snapshot (snapshot.locking.mode=none) at binlog position ${this.position.file}:${this.position.pos} (gtids ${this.position.gtids || 'none'}): streaming from there while ${this.models.size} table(s) are read in chunks of ${config.incrementalSnapshotChunkSize} rows between binlog-position watermarks`);
    this.locklessInitial = true;
    await this.startStream();
    (this.incremental as MySqlIncrementalSnapshotter).request([...this.models.keys()]);
  }

  private startSnapshot(state: SnapshotState): void {
    const config = this.config as MySqlCdcConfig;
    const context = this.context as SourceTaskContext;
    const session = this.session as SnapshotSession;
    this.snapshotTsMs = Date.now();
    const { file, pos, gtids } = this.position;
    this.snapshot = new ChunkedSnapshot<Row>({
      state,
      threads: config.snapshotMaxThreads,
      maxBufferedRows: Math.max(4 * config.snapshotFetchSize, 10_000),
      hasKey: (table) => (this.models.get(table)?.keyColumns.length ?? 0) > 0,
      readChunk: (chunk, resumeAfter, onPage, signal) => {
        const model = this.models.get(chunk.table);
        if (!model) throw new Error(`snapshot chunk ${chunk.id}: table ${chunk.table} is no longer captured`);
        return session.withConnection((c) => readChunk(c, model, chunk, resumeAfter, config.snapshotFetchSize, onPage, signal));
      },
      offset: (s) => (s.complete ? { file, pos, gtids, snapshot_completed: true } : { file, pos, gtids, snapshot: s.toJson() }),
      toRecords: (table, rows, offset) => {
        const model = this.models.get(table) as TableModel;
        const position = { partition: this.partition(), offset };
        const source = this.sourceBlock(model, { snapshot: 'true', ts_ms: this.snapshotTsMs, file, pos, gtid: null, row: 0, server_id: (this.facts as ServerFacts).serverId });
        const now = Date.now();
        return rows.map((row) => changeRecord(model, 'r', null, decodeRow(model, row), source, position, now));
      },
      logger: context.logger,
      reportStatus: (message) => context.reportStatus?.(message),
      progressIntervalMs: 5000,
    });
    this.snapshot.start();
  }

  private async startStream(): Promise<void> {
    const config = this.config as MySqlCdcConfig;
    const gtidSet = this.resumeByGtid ? this.position.gtids : undefined;
    this.context?.logger.info(`mysql-cdc: streaming the binlog from ${gtidSet !== undefined ? `after GTID position ${gtidSet} (stored ${this.position.file}:${this.position.pos})` : `${this.position.file}:${this.position.pos}`}`);
    this.stream = new BinlogStream({
      connection: connectionOptions(config),
      serverId: config.serverId,
      file: this.position.file,
      pos: this.position.pos,
      ...(gtidSet !== undefined ? { gtidSet } : {}),
      // by configuration, not by the loaded models: a reload after DDL must never open a window in which rows are dropped
      captured: (database, table) => isCaptured(config, { database, name: table }) || config.signalDataCollection === `${database}.${table}`,
      capturedDatabase: (database) => isCaptured(config, { database, name: '' }) || [...this.models.values()].some((m) => m.database === database),
      maxQueuedRows: 50_000,
    });
    await this.stream.start();
    const context = this.context as SourceTaskContext;
    this.incremental = new MySqlIncrementalSnapshotter({
      config,
      models: this.models,
      stored: this.storedIncremental,
      logger: context.logger,
      reportStatus: (message) => context.reportStatus?.(message),
      sourceBlock: (model, at) => this.sourceBlock(model, { snapshot: 'incremental', ts_ms: at.tsMs, file: at.file, pos: at.pos, gtid: at.gtid, row: 0, server_id: (this.facts as ServerFacts).serverId }),
      partition: this.partition(),
      flavour: (this.facts as ServerFacts).flavour,
    });
    this.incremental.start();
  }

  /** Per-table progress of the initial snapshot and of incremental ones, for the worker's /metrics. */
  snapshotProgress(): TableProgress[] | null {
    const tables = [...(this.snapshot?.progress() ?? []), ...(this.incremental?.progress() ?? [])];
    return tables.length === 0 ? null : tables;
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    if (this.stopping) return [];
    if (this.pending.length > 0) return this.pending.splice(0);
    if (this.snapshot) return readSnapshotPhase(this.snapshot, maxRecords, () => this.finishSnapshot());
    const stream = this.stream;
    if (!stream) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [];
    }
    if (stream.error) throw new Error(`binlog stream from ${this.position.file} failed: ${stream.error.message}`);
    let items = stream.take(maxRecords);
    // every record carries the offset after the whole batch (filled in below); items are
    // converted in order, so rows after a DDL decode with the reloaded table
    const offset: Record<string, unknown> = {};
    const position = { partition: this.partition(), offset };
    const out: SourceRecord[] = [];
    if (items.length === 0) {
      await stream.waitForData(Math.min(1000, this.config?.heartbeatIntervalMs || 1000));
      items = stream.take(maxRecords);
      if (items.length === 0) {
        // idle: the stream has handed out everything it read (position watermarks up to there are due)
        out.push(...this.watermarksDue(stream.queued === 0 ? (stream.lastPosition ?? this.position) : null, position));
        if (out.length === 0) {
          if (!this.locklessFinished(offset)) return this.heartbeat(stream);
          // initial_only's completion with no record to carry it (empty tables, or the last
          // chunk's rows all changed meanwhile): a heartbeat record stores it
          if (offset['snapshot_completed'] === true) return [heartbeatRecord((this.config as MySqlCdcConfig).topicPrefix, this.partition(), { file: this.position.file, pos: this.position.pos, gtids: this.position.gtids, snapshot_completed: true })];
        }
      }
    }
    for (const item of items) {
      out.push(...this.watermarksDue(this.position, position));
      this.position = { file: item.file, pos: item.endPos, gtids: item.gtid ? advanceGtidPosition(this.position.gtids, item.gtid) : this.position.gtids };
      if (item.kind === 'ddl') out.push(...(await ddlRecords(this.ddlContext(), item, position)));
      else out.push(...this.txnRecords(item, position));
    }
    if (items.length > 0) out.push(...this.watermarksDue(this.position, position));
    this.locklessFinished(offset);
    Object.assign(offset, { file: this.position.file, pos: this.position.pos, gtids: this.position.gtids }, this.offsetFields(), offset);
    return out;
  }

  /** The chunk records of the incremental snapshot windows whose binlog-position watermarks the stream reached at `at`. */
  private watermarksDue(at: { file: string; pos: number } | null, position: { partition: Record<string, unknown>; offset: Record<string, unknown> }): SourceRecord[] {
    return (this.incremental?.onStreamAt(at, null) ?? []).map((r) => ({ ...r, sourceOffset: position.offset }));
  }

  /**
   * After a batch: the lockless initial snapshot has just read its last chunk (logged; under
   * initial_only the stream stops and `offset` gets snapshot_completed, as after a locked
   * snapshot). False when it is still running or was not.
   */
  private locklessFinished(offset: Record<string, unknown>): boolean {
    if (!this.locklessInitial || this.incremental === null || this.incremental.active) return false;
    this.locklessInitial = false;
    this.context?.logger.info('mysql-cdc: snapshot completed (snapshot.locking.mode=none)');
    if ((this.config as MySqlCdcConfig).snapshotMode === 'initial_only') {
      offset['snapshot_completed'] = true;
      this.context?.reportStatus?.('snapshot.mode=initial_only: the snapshot is complete; no changes are streamed');
      const stream = this.stream;
      this.stream = null;
      void stream?.stop().catch(() => undefined);
      void this.incremental.stop().catch(() => undefined);
      this.incremental = null;
    }
    return true;
  }

  /** Offset fields of the incremental snapshot (and the lockless initial snapshot's mark) for the batch just built. */
  private offsetFields(): Record<string, unknown> {
    const fields = this.incremental?.offsetFields() ?? {};
    return this.locklessInitial && fields[INCREMENTAL_OFFSET_KEY] !== undefined ? { ...fields, [LOCKLESS_OFFSET_KEY]: true } : fields;
  }

  private txnRecords(txn: TxnItem, position: { partition: Record<string, unknown>; offset: Record<string, unknown> }): SourceRecord[] {
    const config = this.config as MySqlCdcConfig;
    const out: SourceRecord[] = [];
    for (const event of txn.events) {
      const table = event.tableMap[event.tableId];
      const incremental = this.incremental;
      if (incremental?.isSignalTable(table.parentSchema, table.tableName) && event.getEventName() === 'writerows') {
        // the chunk records carry the batch's offset, as every record of it (the runner leaves it empty)
        for (const row of event.rows) out.push(...incremental.onSignalRow(row as Row, { file: txn.file, pos: txn.startPos, gtid: txn.gtid, tsMs: txn.tsMs }).map((r) => ({ ...r, sourceOffset: position.offset })));
      }
      const live = this.models.get(`${table.parentSchema}.${table.tableName}`);
      if (!live) continue;
      incremental?.onRows(live, event.rows, event.getEventName() === 'updaterows');
      const model = (this.shapes as ShapeTracker).eventModel(live, table, { file: txn.file, pos: txn.startPos }, txn.gtid, out);
      const source = (row: number): SourceBlock =>
        this.sourceBlock(model, { snapshot: 'false', ts_ms: txn.tsMs, file: txn.file, pos: txn.startPos, gtid: txn.gtid, row, server_id: (this.facts as ServerFacts).serverId });
      out.push(...rowsEventRecords(model, event, source, position, config.tombstonesOnDelete, config.skippedOperations));
    }
    return out;
  }

  /**
   * Every heartbeat.interval.ms while nothing captured is waiting: a record to
   * `__debezium-heartbeat.<topic.prefix>` carrying the position after everything read so
   * far (uncaptured writes included), so an idle or filtered database still moves the
   * stored position and the binlog files it needs can be purged.
   */
  private heartbeat(stream: BinlogStream): SourceRecord[] {
    const config = this.config as MySqlCdcConfig;
    if (config.heartbeatIntervalMs <= 0 || Date.now() - this.lastHeartbeat < config.heartbeatIntervalMs || stream.queued > 0) return [];
    this.lastHeartbeat = Date.now();
    const last = stream.lastPosition;
    if (last !== null) this.position = { file: last.file, pos: last.pos, gtids: last.gtid ? advanceGtidPosition(this.position.gtids, last.gtid) : this.position.gtids };
    return [heartbeatRecord(config.topicPrefix, this.partition(), { ...this.position, ...this.offsetFields() })];
  }

  private ddlContext(): DdlContext {
    return {
      db: this.db as Connection, config: this.config as MySqlCdcConfig, models: this.models, shapes: this.shapes as ShapeTracker, logger: this.context?.logger,
      onTruncate: (model) => this.incremental?.onTruncate(model),
      truncateSource: (model, item) => this.sourceBlock(model, { snapshot: 'false', ts_ms: Date.now(), file: item.file, pos: item.endPos, gtid: item.gtid, row: 0, server_id: (this.facts as ServerFacts).serverId }),
    };
  }

  private async finishSnapshot(): Promise<void> {
    const config = this.config as MySqlCdcConfig;
    const snapshot = this.snapshot as ChunkedSnapshot<Row>;
    snapshot.reportProgress(true);
    await snapshot.stop();
    this.snapshot = null;
    await this.session?.close();
    this.session = null;
    this.context?.reportStatus?.(null);
    this.context?.logger.info('mysql-cdc: snapshot completed');
    if (config.snapshotMode === 'initial_only') {
      this.context?.reportStatus?.('snapshot.mode=initial_only: the snapshot is complete; no changes are streamed');
      return;
    }
    await this.startStream();
  }

  async ack(_records: readonly SourceRecord[]): Promise<void> {}

  async teardown(): Promise<void> {
    this.stopping = true;
    await this.signals?.stop();
    await this.incremental?.stop().catch(() => undefined);
    this.incremental = null;
    await this.snapshot?.stop().catch(() => undefined);
    this.snapshot = null;
    await this.session?.close().catch(() => undefined);
    this.session = null;
    await this.stream?.stop().catch(() => undefined);
    this.stream = null;
    await this.db?.end().catch(() => undefined);
    this.db = null;
  }

  private sourceBlock(model: TableModel, at: Pick<SourceBlock, 'snapshot' | 'ts_ms' | 'file' | 'pos' | 'gtid' | 'row' | 'server_id'>): SourceBlock {
    const config = this.config as MySqlCdcConfig;
    return { version: CONNECTOR_VERSION, connector: (this.facts as ServerFacts).flavour, name: config.topicPrefix, db: model.database, table: model.name, sequence: null, thread: null, query: null, ...at };
  }
}
