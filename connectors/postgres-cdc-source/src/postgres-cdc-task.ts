import { chunkQueueRedisUrl, IncrementalSnapshotState, KafkaSignalChannel, openRedisChunkQueue, readSnapshotPhase, sharedChunksDone, SnapshotState, type SharedSnapshotInfo, type TableProgress } from '@millrace/cdc-snapshot';
import type { SourceRecord, SourceTask, SourceTaskContext } from '@millrace/connect-sdk';
import { Client } from 'pg';
import type { Pgoutput } from 'pg-logical-replication';
import { sourcePartition, type RowText } from './change-events';
import { Heartbeat } from './heartbeat';
import { changedKeys, IncrementalSnapshotter, OFFSET_KEY as INCREMENTAL_OFFSET_KEY } from './incremental-snapshot';
import { parseLsn } from './lsn';
import { SESSION_OPTIONS } from './pg-column-types';
import { clientOptions, parsePostgresCdcConfig, type PostgresCdcConfig } from './postgres-cdc-config';
import { awaitSlotFree, checkServer, checkSlotUsable, checkStreamSlot, checkTablePrivileges, ensurePublication, slotGone, withSignalTable } from './preflight';
import { ReconnectingStream } from './reconnecting-stream';
import { describeChange, modelFromRelation } from './relation-model';
import { createSlot } from './replication-slot';
import { planTable, SnapshotSession } from './snapshot-reader';
import { SnapshotRunner } from './snapshot-runner';
import { sourceBlockOf, type SourceBlock } from './source-block';
import { helperPartition, SnapshotHelperTask, type PostgresSharedContext } from './snapshot-helper-task';
import { SlotHealthReporter } from './slot-health';
import { sendPostgresSignal } from './signal-sender';
import { StatusParts } from './status-parts';
import { StreamEvents } from './stream-events';
import { listCapturedTables, loadTableModel, type TableModel } from './table-catalog';
import { modelOptions } from './model-options';

export { CONNECTOR_VERSION } from './source-block';

/**
 * The Postgres CDC source task (one per connector): an initial snapshot consistent with
 * the replication slot, then the slot's changes, with Debezium's records.
 *
 * Source partition `{server: <topic.prefix>}`; its offset is one of
 *   snapshot running:  { lsn: <consistent point>, snapshot: <SnapshotStateJson> }
 *   snapshot done:     { lsn: <consistent point>, snapshot_completed: true }
 *   streaming:         { lsn: <commit end of the last transaction in Kafka>, txId,
 *                        incremental_snapshot?: <IncrementalSnapshotJson> while one runs }
 * Every record of a batch carries the offset after the whole batch (batches hold whole
 * snapshot pages and whole transactions), so what the runtime stores with a batch
 * (exactly-once: in its Kafka transaction) is exactly where to resume.
 *
 * Start-up (`open`): preflight checks (wal_level, REPLICATION, SELECT, publication per
 * publication.autocreate.mode), then by stored offset and snapshot.mode:
 * - no offset, snapshot wanted: create the slot with an exported snapshot, plan the
 *   chunks under that snapshot, read them (snapshot-runner.ts), then stream from the
 *   consistent point. A slot that already exists (a run that committed nothing, or a slot
 *   made by hand) is never dropped: the snapshot is read at the current state and the
 *   stream replays the changes since the slot's position on top of it;
 * - no offset, never/no_data: create the slot if missing and stream from it;
 * - snapshot running: resume the unfinished chunks (the slot still holds the consistent
 *   point: nothing was confirmed during the snapshot), then stream;
 * - streaming: stream from the stored LSN, dropping transactions already in Kafka. A
 *   missing slot fails the task saying what to do, unless snapshot.mode=when_needed
 *   (then: a new snapshot).
 * A slot another connection streams from fails the task naming that connection's pid
 * (after up to 15 s: a killed worker's walsender may linger briefly).
 * `ack` confirms to the server only transactions the broker committed (wal-stream.ts).
 * While streaming, signals (signal table, REST) start incremental snapshots read between
 * watermarks (incremental-snapshot.ts); TRUNCATE gives `t` records unless
 * skipped.operations holds t (Debezium's default); skipped.operations also drops c/u/d.
 */
export class PostgresCdcTask implements SourceTask {
  private config: PostgresCdcConfig | null = null;
  private context: SourceTaskContext | null = null;
  private db: Client | null = null;
  private readonly models = new Map<string, TableModel>();
  private snapshot: SnapshotRunner | null = null;
  private snapshotSession: SnapshotSession | null = null;
  private stream: ReconnectingStream | null = null;
  private consistentLsn = '0/0';
  private snapshotTsMs = 0;
  private stopping = false;
  private events: StreamEvents | null = null;
  private heartbeat: Heartbeat | null = null;
  private health: SlotHealthReporter | null = null;
  /** The snapshot's figures once it completed (kept for /metrics while the task runs). */
  private snapshotDone: TableProgress[] | null = null;
  private incremental: IncrementalSnapshotter | null = null;
  private incrementalState = new IncrementalSnapshotState();
  /** Tasks > 0 only help with snapshot chunks (snapshot-helper-task.ts). */
  private helper: SnapshotHelperTask | null = null;
  private taskCount = 1;
  private signals: KafkaSignalChannel | null = null;

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    if (context.taskId > 0) return (this.helper = new SnapshotHelperTask()).open(raw, context);
    const config = parsePostgresCdcConfig(raw);
    this.config = config;
    this.context = context;
    this.taskCount = Math.max(1, Number(raw['tasks.max']) || 1);
    context.logger.info(`postgres-cdc: task opening (database ${config.dbname} on ${config.hostname}:${config.port}, slot ${config.slotName})`);
    const db = new Client({ ...clientOptions(config, 'millrace-cdc'), options: SESSION_OPTIONS });
    db.on('error', () => undefined);
    this.db = db;
    try {
      await db.connect();
      await this.prepare(config, context, db);
      // Debezium's Kafka signal channel: each signal goes into the WAL as the REST call's do
      if (config.signalKafka) await (this.signals = new KafkaSignalChannel(config.signalKafka, config.topicPrefix, (s) => sendPostgresSignal(raw, s), context.logger, 'postgres-cdc')).start();
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  private async prepare(config: PostgresCdcConfig, context: SourceTaskContext, db: Client): Promise<void> {
    await checkServer(db, config);
    const tables = await listCapturedTables(db, config.tableInclude, config.tableExclude);
    if (tables.length === 0) context.logger.warn(`postgres-cdc: no table matches table.include.list/table.exclude.list in database ${config.dbname}`);
    await checkTablePrivileges(db, config, tables);
    await ensurePublication(db, config, await withSignalTable(db, config, tables));
    for (const t of tables) {
      const model = await loadTableModel(db, t, config.topicPrefix, config.decimalHandlingMode, modelOptions(config, t));
      this.models.set(model.qualified, model);
    }
    context.logger.info(`postgres-cdc: capturing ${this.models.size} table(s): ${[...this.models.keys()].join(', ')}`);
    const stored = context.offset(sourcePartition(config.topicPrefix));
    if (stored !== null && stored[INCREMENTAL_OFFSET_KEY] !== undefined) this.incrementalState = IncrementalSnapshotState.fromJson(stored[INCREMENTAL_OFFSET_KEY]);
    const slot = await awaitSlotFree(db, config, 15_000);
    checkSlotUsable(slot, config);
    const wantsSnapshot = config.snapshotMode === 'initial' || config.snapshotMode === 'initial_only' || config.snapshotMode === 'when_needed';

    if (stored !== null && stored['snapshot'] !== undefined) {
      if (!slot.exists) throw slotGone(config, 'during the snapshot');
      this.consistentLsn = String(stored['lsn']);
      const state = SnapshotState.fromJson(stored['snapshot']);
      context.logger.info(`postgres-cdc: resuming the snapshot at the slot's consistent point ${this.consistentLsn}: ${state.chunksDone} of ${state.chunkCount} chunks done, ${state.pending().length} to read`);
      this.snapshotSession = await SnapshotSession.open(config, config.snapshotMaxThreads, null);
      await this.startSnapshot(state);
      return;
    }
    if (stored !== null && typeof stored['lsn'] === 'string') {
      if (slot.exists) {
        if (stored['snapshot_completed'] === true && config.snapshotMode === 'initial_only') return;
        await this.startStream(stored['lsn'], parseLsn(stored['lsn']));
        return;
      }
      if (config.snapshotMode !== 'when_needed') throw slotGone(config, 'after the last committed position');
      context.logger.warn(`postgres-cdc: replication slot "${config.slotName}" is missing; snapshot.mode=when_needed: taking a new snapshot`);
    }
    if (!wantsSnapshot) {
      const start = slot.exists ? (slot.confirmedFlushLsn as string) : (await createSlot(config, false)).consistentPoint;
      await this.startStream(start, 0n);
      return;
    }
    if (slot.exists) {
      // Never dropped (it may hold another consumer's position): the snapshot is read now and
      // the stream replays every change since the slot's position on top of it.
      context.logger.warn(
        `postgres-cdc: replication slot "${config.slotName}" already exists and no position is stored: the snapshot is read at the current state ` +
          `and streaming replays the changes since the slot's position ${slot.confirmedFlushLsn} (some changes may follow the snapshot rows they are already in)`,
      );
      this.consistentLsn = slot.confirmedFlushLsn as string;
      this.snapshotSession = await SnapshotSession.open(config, config.snapshotMaxThreads, null);
    } else {
      const created = await createSlot(config, true);
      try {
        this.consistentLsn = created.consistentPoint;
        this.snapshotSession = await SnapshotSession.open(config, config.snapshotMaxThreads, created.snapshotName);
      } finally {
        await created.release();
      }
    }
    const plans = [];
    for (const model of this.models.values()) {
      const plan = await this.snapshotSession.withConnection((c) => planTable(c, model, config.snapshotChunkRows));
      plans.push({ table: model.qualified, ...plan });
    }
    const state = SnapshotState.fromBoundaries(plans);
    context.logger.info(`postgres-cdc: slot "${config.slotName}" created at ${this.consistentLsn}; snapshot of ${plans.length} table(s) in ${state.chunkCount} chunk(s) with ${config.snapshotMaxThreads} worker(s)`);
    await this.startSnapshot(state);
  }

  private async startSnapshot(state: SnapshotState): Promise<void> {
    const config = this.config as PostgresCdcConfig;
    const context = this.context as SourceTaskContext;
    this.snapshotTsMs = Date.now();
    const url = chunkQueueRedisUrl(config.snapshotQueueRedisUrl);
    const queue = url === null ? undefined : await openRedisChunkQueue(url, `snapshot-${config.topicPrefix}-${config.slotName}`, { obliterate: true, logger: context.logger, what: 'postgres-cdc: snapshot' });
    const shared = queue && (await this.shareSnapshot(state));
    this.snapshot = new SnapshotRunner({
      state,
      session: this.snapshotSession as SnapshotSession,
      models: this.models,
      threads: config.snapshotMaxThreads,
      fetchSize: config.snapshotFetchSize,
      maxBufferedRows: Math.max(10_000, 2 * config.snapshotFetchSize),
      partition: sourcePartition(config.topicPrefix),
      consistentLsn: this.consistentLsn,
      source: (model) => this.sourceBlock(model, { snapshot: 'true', lsn: Number(parseLsn(this.consistentLsn)), txId: null, ts_ms: this.snapshotTsMs, sequence: null }),
      logger: context.logger,
      reportStatus: (message) => context.reportStatus?.(message),
      progressIntervalMs: 5000,
      queue,
      shared,
    });
    this.snapshot.start();
  }

  /**
   * For helper tasks (tasks.max > 1, chunks on Redis): the chunks they finished under this
   * consistent point are done here too, and one snapshot connection exports its snapshot
   * (open as long as the snapshot runs) for them to import.
   */
  private async shareSnapshot(state: SnapshotState): Promise<SharedSnapshotInfo> {
    const config = this.config as PostgresCdcConfig;
    const context = this.context as SourceTaskContext;
    const offsets = Array.from({ length: this.taskCount - 1 }, (_, i) => context.offset(helperPartition(config.topicPrefix, i + 1)));
    const done = sharedChunksDone(offsets, this.consistentLsn);
    for (const t of state.plan.tables) for (const chunk of t.chunks) if (done.has(chunk.id)) state.markDone(chunk);
    if (done.size > 0) context.logger.info(`postgres-cdc: ${done.size} snapshot chunk(s) were finished by helper tasks`);
    const session = this.snapshotSession as SnapshotSession;
    const snapshot = await session.withConnection((c) => c.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).then((r) => r.rows[0].s);
    const sharedContext: PostgresSharedContext = { snapshot, lsn: this.consistentLsn, ts_ms: this.snapshotTsMs };
    const totals = Object.fromEntries(state.progress().map((t) => [t.table, { rows: t.estimatedRows, chunks: t.chunks }]));
    return { run: this.consistentLsn, context: { ...sharedContext }, totals };
  }

  private async startStream(startLsn: string, skipThrough: bigint): Promise<void> {
    const config = this.config as PostgresCdcConfig;
    this.context?.logger.info(`postgres-cdc: streaming slot "${config.slotName}" from ${startLsn}`);
    this.events = new StreamEvents(config, this.context?.logger, (model, at) => this.sourceBlock(model, at));
    const version = await this.db?.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`).then((r) => Number(r.rows[0]?.v), () => 0);
    const status = new StatusParts((message) => this.context?.reportStatus?.(message));
    this.health = new SlotHealthReporter(config.slotName, 10_000, (message) => status.set('slot', message), this.context?.logger);
    this.heartbeat = new Heartbeat(config.heartbeatIntervalMs, `${config.topicHeartbeatPrefix}.${config.topicPrefix}`, config.topicPrefix, this.context?.logger);
    this.stream = new ReconnectingStream({
      client: { ...clientOptions(config, 'millrace-cdc-stream'), options: SESSION_OPTIONS },
      slotName: config.slotName,
      publicationName: config.publicationName,
      startLsn,
      skipThrough,
      startOffsetExtra: this.incrementalState.active ? { [INCREMENTAL_OFFSET_KEY]: this.incrementalState.toJson() } : {},
      statusIntervalMs: config.statusUpdateIntervalMs,
      maxQueuedRecords: 50_000,
      messages: (version ?? 0) >= 140000,
      handler: {
        onChange: (m, c) => this.onChange(m, c),
        onRelation: (m) => this.onRelation(m),
        onMessage: async (m, c) => this.incremental?.onMessage(m, c) ?? [],
        onTruncate: async (m, c) => this.onTruncate(m, c),
        commitTag: () => (this.incremental as IncrementalSnapshotter).commitTag(),
      },
      logger: this.context?.logger,
      checkSlot: async () => {
        this.db = await checkStreamSlot(this.db, config);
      },
      onReopen: (from) => this.incremental?.resetTo(from.offsetExtra),
    });
    this.incremental = new IncrementalSnapshotter({
      config,
      models: this.models,
      state: this.incrementalState,
      logger: this.context?.logger,
      sourceBlock: (model, at) => this.sourceBlock(model, at),
      reportStatus: (message) => status.set('incremental', message),
    });
    await this.stream.start();
    this.incremental.start();
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    if (this.helper) return this.helper.read(maxRecords);
    if (this.stopping) return [];
    if (this.snapshot) return readSnapshotPhase(this.snapshot, maxRecords, () => this.finishSnapshot());
    const stream = this.stream;
    if (!stream) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [];
    }
    const failure = stream.failure();
    if (failure) throw failure;
    let txns = stream.take(maxRecords);
    if (txns.length === 0) {
      await stream.waitForData(1000);
      txns = stream.take(maxRecords);
    }
    const last = txns.length > 0 ? { lsn: txns[txns.length - 1].endLsn, xid: txns[txns.length - 1].xid, offsetExtra: txns[txns.length - 1].offsetExtra } : stream.lastHandedOut;
    const offset = { ...(last.xid === null ? { lsn: last.lsn } : { lsn: last.lsn, txId: last.xid }), ...last.offsetExtra };
    const out: SourceRecord[] = [];
    for (const txn of txns) for (const r of txn.records) out.push({ ...r, sourceOffset: offset });
    this.health?.tick(this.db);
    const heartbeat = this.heartbeat;
    if (heartbeat?.due()) {
      void heartbeat.emitWalMessage(this.db);
      out.push(heartbeat.record(sourcePartition((this.config as PostgresCdcConfig).topicPrefix), offset));
    }
    return out;
  }

  /** Per-table snapshot progress for the worker's /metrics (SnapshotProgressReporter hook). */
  snapshotProgress(): TableProgress[] | null {
    if (this.helper) return this.helper.progress();
    const tables = [...(this.snapshot?.progress() ?? this.snapshotDone ?? []), ...(this.incremental?.progress() ?? [])];
    return tables.length === 0 ? null : tables;
  }

  /** The slot's last sampled health for the worker's /metrics (ReplicationSlotReporter hook: millrace_cdc_slot_lag_bytes etc.). */
  replicationSlot(): { slot: string; lagBytes: number; walStatus: string | null; safeWalSizeBytes: number | null } | null {
    const h = this.health?.last;
    if (!h) return null;
    return { slot: (this.config as PostgresCdcConfig).slotName, lagBytes: Number(h.heldBytes), walStatus: h.walStatus, safeWalSizeBytes: h.safeWalSize === null ? null : Number(h.safeWalSize) };
  }

  private async finishSnapshot(): Promise<void> {
    const config = this.config as PostgresCdcConfig;
    const snapshot = this.snapshot as SnapshotRunner;
    snapshot.reportProgress(true);
    this.snapshotDone = snapshot.progress();
    await snapshot.stop();
    this.snapshot = null;
    await this.snapshotSession?.close();
    this.snapshotSession = null;
    this.context?.reportStatus?.(null);
    this.context?.logger.info('postgres-cdc: snapshot completed');
    if (config.snapshotMode === 'initial_only') {
      this.context?.reportStatus?.('snapshot.mode=initial_only: the snapshot is complete; no changes are streamed');
      return;
    }
    await this.startStream(this.consistentLsn, parseLsn(this.consistentLsn));
  }

  async ack(records: readonly SourceRecord[]): Promise<void> {
    this.helper?.ack(records);
    const last = records[records.length - 1];
    const lsn = last?.sourceOffset['lsn'];
    if (this.stream && typeof lsn === 'string' && last.sourceOffset['snapshot'] === undefined) this.stream.confirm(lsn);
  }

  async teardown(): Promise<void> {
    this.stopping = true;
    await this.helper?.teardown();
    await this.signals?.stop();
    await this.incremental?.stop().catch(() => undefined);
    this.incremental = null;
    await this.snapshot?.stop().catch(() => undefined);
    this.snapshot = null;
    await this.snapshotSession?.close().catch(() => undefined);
    this.snapshotSession = null;
    await this.stream?.stop().catch(() => undefined);
    this.stream = null;
    await this.db?.end().catch(() => undefined);
    this.db = null;
  }

  private sourceBlock(model: TableModel, at: Pick<SourceBlock, 'snapshot' | 'lsn' | 'txId' | 'ts_ms' | 'sequence'>): SourceBlock {
    return sourceBlockOf(this.config as PostgresCdcConfig, model, at);
  }

  private async onRelation(message: Pgoutput.MessageRelation): Promise<void> {
    const qualified = `${message.schema}.${message.name}`;
    const model = this.models.get(qualified);
    if (!model || !this.db) return;
    const config = this.config as PostgresCdcConfig;
    const rebuilt = await modelFromRelation(this.db, message, model, config.topicPrefix, config.decimalHandlingMode, modelOptions(config, model));
    if (rebuilt === model) return;
    this.context?.logger.info(`postgres-cdc: table ${qualified} changed (${describeChange(model, rebuilt)}); its records now carry the new schema`);
    this.models.set(qualified, rebuilt);
  }

  private async onChange(
    message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete,
    at: { xid: number; lsn: string; commitTimeMs: number; lastCommittedLsn: string },
  ): Promise<SourceRecord[]> {
    const qualified = `${message.relation.schema}.${message.relation.name}`;
    const config = this.config as PostgresCdcConfig;
    if (qualified === config.signalDataCollection && message.tag === 'insert') this.incremental?.onSignalRow(message.new as RowText);
    const model = this.models.get(qualified);
    if (!model || !this.events) return [];
    this.incremental?.onChange(model, changedKeys(model, message));
    const records = this.events.events(model, message, at);
    const skipped = config.skippedOperations;
    if (skipped.size === 0) return records;
    // skipped.operations: the events of those kinds (a skipped delete takes its tombstone along)
    return records.filter((r) => {
      const op = (r.value as { op?: string } | null)?.op;
      return op === undefined ? !skipped.has('d') : !skipped.has(op);
    });
  }

  /** TRUNCATE of captured tables: one `t` record per table (no key, no before/after), as Debezium, unless skipped.operations holds t. */
  private async onTruncate(message: Pgoutput.MessageTruncate, at: { xid: number; lsn: string; commitTimeMs: number; lastCommittedLsn: string }): Promise<SourceRecord[]> {
    const config = this.config as PostgresCdcConfig;
    const out: SourceRecord[] = [];
    for (const relation of message.relations) {
      const model = this.models.get(`${relation.schema}.${relation.name}`);
      if (!model) continue;
      this.incremental?.onTruncate(model);
      if (!config.skippedOperations.has('t') && this.events) out.push(this.events.truncate(model, at));
    }
    return out;
  }
}
