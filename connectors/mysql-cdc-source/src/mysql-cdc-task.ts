import { ChunkedSnapshot, changeRecord, readSnapshotPhase, SnapshotState } from '@millrace/cdc-snapshot';
import type { SourceRecord, SourceTask, SourceTaskContext } from '@millrace/connect-sdk';
import { createConnection, type Connection } from 'mysql2/promise';
import { ddlTables, isTruncate } from './binlog-ddl';
import { BinlogStream, type DdlItem, type TxnItem } from './binlog-stream';
import { rowsEventRecords, truncateRecord } from './change-events';
import { advanceGtidPosition, mariaDbGtidAvailable } from './gtid-position';
import { connectionOptions, parseMySqlCdcConfig, type MySqlCdcConfig } from './mysql-cdc-config';
import { binlogPurged, checkBinlogFilePresent, checkPrivileges, checkServer, gtidPurged, type ServerFacts } from './preflight';
import { SchemaHistory } from './schema-history';
import { ShapeTracker } from './shape-tracker';
import { currentPosition, planTable, readChunk, SnapshotSession, type BinlogPosition, type Row } from './snapshot-reader';
import type { SourceBlock } from './source-block';
import { isCaptured, listCapturedTables, loadTableModel, decodeRow, type TableModel } from './table-catalog';
import { heartbeatRecord } from './heartbeat';
import { MySqlIncrementalSnapshotter, OFFSET_KEY as INCREMENTAL_OFFSET_KEY, sendMySqlSignal } from './incremental-snapshot';
import { KafkaSignalChannel, type TableProgress } from '@millrace/cdc-snapshot';

export const CONNECTOR_VERSION = '0.1.0';

/**
 * The MySQL/MariaDB CDC source task (one per connector): a chunked snapshot consistent
 * with a binlog position, then the binlog from that position, with Debezium's records.
 *
 * Source partition `{server: <topic.prefix>}`; its offset is one of
 *   snapshot running:  { file, pos, gtids, snapshot: <SnapshotStateJson> }   (the snapshot's binlog position)
 *   snapshot done:     { file, pos, gtids, snapshot_completed: true }
 *   streaming:         { file, pos, gtids }  (right after the commit of the last transaction in Kafka)
 * Every record of a batch carries the offset after the whole batch (batches hold whole
 * snapshot pages and whole transactions), so what the runtime stores with a batch
 * (exactly-once: in its Kafka transaction) is exactly where to resume: no change event is
 * lost or repeated across a kill -9.
 *
 * Start-up (`open`): preflight checks (binlog settings, privileges), then by stored offset
 * and snapshot.mode:
 * - no offset, initial / initial_only / when_needed: snapshot (minimal lock, or on
 *   MariaDB none: see snapshot-reader.ts), then stream from the snapshot's position (initial_only: stop);
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
      const purged = await this.purgedSince(db);
      if (purged !== null) {
        if (config.snapshotMode !== 'when_needed') throw purged;
        context.logger.warn(`mysql-cdc: ${purged.message.split('. ')[0]}; snapshot.mode=when_needed: taking a new snapshot`);
        await this.startFreshSnapshot(config);
        return;
      }
      await shapes.checkResume(db, [...this.models.values()], this.position, null, this.pending);
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

  /**
   * Null when the binlog after the stored position is all still on the server (then
   * `resumeByGtid` says how to resume), else the error explaining the purge.
   */
  private async purgedSince(db: Connection): Promise<Error | null> {
    const { file, gtids } = this.position;
    if ((this.facts as ServerFacts).flavour === 'mariadb' && gtids !== '') {
      const { available, oldestFile, purgedUpTo } = await mariaDbGtidAvailable(db, gtids);
      this.resumeByGtid = available;
      return available ? null : gtidPurged(file, gtids, oldestFile, purgedUpTo);
    }
    this.resumeByGtid = gtids.includes(':');
    return (await checkBinlogFilePresent(db, file)) ? null : binlogPurged(file);
  }

  private async startFreshSnapshot(config: MySqlCdcConfig): Promise<void> {
    const flavour = (this.facts as ServerFacts).flavour;
    const opened =
      config.snapshotLockingMode === 'none'
        ? await SnapshotSession.openLockless(config, config.snapshotMaxThreads, flavour, (m) => this.context?.logger.warn(`mysql-cdc: ${m}`))
        : await SnapshotSession.open(config, config.snapshotMaxThreads, { flavour });
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
    if (items.length === 0) {
      await stream.waitForData(Math.min(1000, this.config?.heartbeatIntervalMs || 1000));
      items = stream.take(maxRecords);
      if (items.length === 0) return this.heartbeat(stream);
    }
    // every record carries the offset after the whole batch (filled in below); items are
    // converted in order, so rows after a DDL decode with the reloaded table
    const offset: Record<string, unknown> = {};
    const position = { partition: this.partition(), offset };
    const out: SourceRecord[] = [];
    for (const item of items) {
      this.position = { file: item.file, pos: item.endPos, gtids: item.gtid ? advanceGtidPosition(this.position.gtids, item.gtid) : this.position.gtids };
      if (item.kind === 'ddl') out.push(...(await this.onDdl(item, position)));
      else out.push(...this.txnRecords(item, position));
    }
    Object.assign(offset, { file: this.position.file, pos: this.position.pos, gtids: this.position.gtids }, this.incremental?.offsetFields());
    return out;
  }

  private txnRecords(txn: TxnItem, position: { partition: Record<string, unknown>; offset: Record<string, unknown> }): SourceRecord[] {
    const config = this.config as MySqlCdcConfig;
    const out: SourceRecord[] = [];
    for (const event of txn.events) {
      const table = event.tableMap[event.tableId];
      const incremental = this.incremental;
      if (incremental?.isSignalTable(table.parentSchema, table.tableName) && event.getEventName() === 'writerows') {
        for (const row of event.rows) out.push(...incremental.onSignalRow(row as Row, { file: txn.file, pos: txn.startPos, gtid: txn.gtid, tsMs: txn.tsMs }));
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
    return [heartbeatRecord(config.topicPrefix, this.partition(), { ...this.position, ...this.incremental?.offsetFields() })];
  }

  /**
   * A DDL statement on a captured database: TRUNCATE emits `t` events (unless skipped);
   * anything else reloads the captured tables of that database from the live schema and
   * records their shapes in the schema history at the DDL's position.
   */
  private async onDdl(item: DdlItem, position: { partition: Record<string, unknown>; offset: Record<string, unknown> }): Promise<SourceRecord[]> {
    const config = this.config as MySqlCdcConfig;
    const db = this.db as Connection;
    const { database, query } = item;
    const out: SourceRecord[] = [];
    if (isTruncate(query)) {
      if (config.skippedOperations.has('t')) return out;
      for (const t of ddlTables(query, database) ?? []) {
        const model = this.models.get(`${t.database}.${t.name}`);
        if (!model) continue;
        this.incremental?.onTruncate(model);
        const source = this.sourceBlock(model, { snapshot: 'false', ts_ms: Date.now(), file: item.file, pos: item.endPos, gtid: item.gtid, row: 0, server_id: (this.facts as ServerFacts).serverId });
        out.push(truncateRecord(model, source, position));
      }
      return out;
    }
    this.context?.logger.info(`mysql-cdc: DDL in ${database}: ${query.slice(0, 200)}; reloading its tables`);
    const reloaded: TableModel[] = [];
    for (const t of (await listCapturedTables(db, config)).filter((t) => t.database === database)) reloaded.push(await loadTableModel(db, t, config));
    // swapped in one step, after every await
    for (const key of [...this.models.keys()]) if (key.startsWith(`${database}.`)) this.models.delete(key);
    for (const model of reloaded) this.models.set(model.qualified, model);
    (this.shapes as ShapeTracker).onDdl(reloaded, database, query, { file: item.file, pos: item.endPos }, item.gtid, out);
    return out;
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
