import * as protocol from '@millrace/protocol';
import { validateAppend } from './append-validation';
import { AsyncMutex } from './async-mutex';
import type { CorruptRanges } from './corrupt-ranges';
import { KafkaStorageError, OffsetOutOfRangeError } from './errors';
import { recoverFromWriteFailure } from './log-dir-health';
import { GroupCommitQueue } from './group-commit-queue';
import { LocalLog, SEGMENTS_CHANGED } from './local-log';
import type { LogConfig } from './log-config';
import { LoadedLog, loadLog, LogLoadOptions, RecoveryReport } from './log-loader';
import { LogOffsets } from './log-offsets';
import type { LogSegment } from './log-segment';
import { LogLeaderEpochs } from './log-leader-epochs';
import { LogStartKeeper } from './log-retention';
import { LogTransactions } from './log-transactions';
import {
  AppendOptions,
  AppendResult,
  emptyAppendResult,
  ListOffsetsTimestamp,
  LogReadResult,
  ReadOptions,
  RetentionResult,
  TimestampAndOffset,
} from './log-types';
import { ProducerStateEntry, ProducerStateManager } from './producer-state';
import type { TransactionIndex } from './transaction-index';
import { loadProducerState } from './producer-state-loader';
import { deleteProducerSnapshotsBelow, retainNewestProducerSnapshots, writeProducerSnapshot } from './producer-state-snapshot';

/**
 * The log of one partition as the partition layer sees it (Kafka's UnifiedLog). It owns
 * a LocalLog (the segments on disk, the log end offset, roll, flush, read) and adds what
 * Kafka keeps above it: append validation and limits, offset assignment through the
 * group-commit queue (group-commit-queue.ts), producer state, the log start offset and
 * high watermark, ListOffsets by time, DeleteRecords and retention (log-retention.ts),
 * transaction state (log-transactions.ts) and follower truncation.
 *
 * Offsets: logStartOffset <= highWatermark <= logEndOffset, kept by LogOffsets
 * (log-offsets.ts); the high watermark is set by the partition/replication layer and,
 * like logStartOffset, checkpointed by LogManager, which `onLogStartOffsetChanged` tells
 * right after logStartOffset moves.
 *
 * Durability: an append resolves once its data is written and, when flush.messages
 * demands it, fsynced (LocalLog's group-committed flush).
 *
 * Concurrency contract: all mutations (append writes, roll, truncation, segment
 * deletion, compaction swap, close) run under one AsyncMutex. Reads and fsyncs do not
 * take it (see local-log.ts). A failed write takes the log offline (every later append
 * fails with KAFKA_STORAGE_ERROR), as Kafka takes the log directory offline.
 */
export interface UnifiedLogOptions extends LogLoadOptions {
  /** Clock, for tests. */
  time?: () => number;
  /** Called (outside the mutex) after logStartOffset moved, so it can be checkpointed. */
  onLogStartOffsetChanged?: (log: UnifiedLog) => void;
}

export class UnifiedLog {
  readonly dir: string;
  readonly name: string;
  readonly topic: string;
  readonly partition: number;
  /** partitionLeaderEpoch stamped on leader appends; the partition layer sets it. */
  leaderEpoch = 0;
  /** Compaction progress: offsets below it are clean (LogManager checkpoints it). */
  cleanerCheckpoint = 0;
  /** Earliest delete horizon the cleaner set on a batch, for re-cleaning when it passes. */
  nextDeleteHorizonMs: number | null = null;
  /** What recovery found at open. */
  readonly recoveryReport: RecoveryReport;
  /** Open transactions and aborted ranges (log-transactions.ts). */
  readonly transactions: LogTransactions;
  /** Which leader epoch wrote which offsets (log-leader-epochs.ts), for OffsetsForLeaderEpoch. */
  readonly leaderEpochs: LogLeaderEpochs;

  private readonly local: LocalLog;
  private readonly producers: ProducerStateManager;
  private readonly txnIndex: TransactionIndex;
  private readonly mutex = new AsyncMutex();
  private readonly queue: GroupCommitQueue;
  private readonly offsets: LogOffsets;
  private readonly logStart: LogStartKeeper;
  private closed = false;
  private readonly onLsoChanged?: (log: UnifiedLog) => void;

  private constructor(opts: UnifiedLogOptions, local: LocalLog, loaded: LoadedLog, leaderEpochs: LogLeaderEpochs) {
    this.local = local;
    this.leaderEpochs = leaderEpochs;
    this.dir = local.dir;
    this.name = local.name;
    this.topic = local.topic;
    this.partition = local.partition;
    this.producers = loaded.producers;
    this.txnIndex = loaded.txnIndex;
    this.recoveryReport = loaded.report;
    this.offsets = new LogOffsets(loaded.logStartOffset, loaded.highWatermark, () => local.logEndOffset);
    this.onLsoChanged = opts.onLogStartOffsetChanged;
    this.queue = new GroupCommitQueue(local, loaded.producers, this.mutex, {
      logStartOffset: () => this.offsets.logStartOffset,
      roll: (newBase) => this.rollLocked(newBase),
      recordAbortedTxns: (segmentBase, entries) => this.txnIndex.append(segmentBase, entries),
    });
    this.transactions = new LogTransactions(loaded.producers, loaded.txnIndex);
    this.logStart = new LogStartKeeper({
      name: this.name,
      dir: this.dir,
      local,
      offsets: this.offsets,
      producers: loaded.producers,
      txnIndex: loaded.txnIndex,
      mutex: this.mutex,
      config: () => local.config,
      raiseCleanerCheckpoint: (offset) => {
        if (this.cleanerCheckpoint < offset) this.cleanerCheckpoint = offset;
      },
      logStartOffsetChanged: () => {
        this.leaderEpochs.truncateFromStart(this.offsets.logStartOffset);
        this.onLsoChanged?.(this);
      },
    });
  }

  /**
   * Opens (creating if needed) the log in `opts.dir`, recovering after an unclean
   * shutdown and rebuilding producer state. See `recoveryReport` for what was done.
   */
  static async open(opts: UnifiedLogOptions): Promise<UnifiedLog> {
    const loaded = await loadLog(opts);
    const local = new LocalLog({ ...opts, segments: loaded.segments, logEndOffset: loaded.logEndOffset });
    const firstBatchEpoch = async (): Promise<number | null> => {
      const first = local.segments.first;
      if (first.size < protocol.BATCH_HEADER_SIZE) return null;
      return protocol.readBatchHeader(await first.readAt(0, protocol.BATCH_HEADER_SIZE)).partitionLeaderEpoch;
    };
    const leaderEpochs = await LogLeaderEpochs.load(local.dir, loaded.logStartOffset, firstBatchEpoch, local.logger);
    return new UnifiedLog(opts, local, loaded, leaderEpochs);
  }

  // ------------------------------------------------------------------ accessors

  get config(): LogConfig {
    return this.local.config;
  }

  /** Applies a new topic config (AlterConfigs). Takes effect for the next append/roll/retention. */
  updateConfig(config: LogConfig): void {
    this.local.updateConfig(config);
  }

  get logStartOffset(): number {
    return this.offsets.logStartOffset;
  }

  get logEndOffset(): number {
    return this.local.logEndOffset;
  }

  get highWatermark(): number {
    return this.offsets.highWatermark;
  }

  /** Offsets below it are fsynced (Kafka's recovery point). */
  get recoveryPoint(): number {
    return this.local.recoveryPoint;
  }

  /** Records appended since the last fsync. */
  get unflushedRecords(): number {
    return this.local.unflushedRecords;
  }

  /** Sets the high watermark (replication layer), clamped to [logStartOffset, LEO]. Returns the value kept. */
  updateHighWatermark(offset: number): number {
    return this.offsets.updateHighWatermark(offset);
  }

  /** Current segments, oldest first (a snapshot; do not mutate). */
  get segments(): readonly LogSegment[] {
    return this.local.segments.all;
  }

  get activeSegment(): LogSegment {
    return this.local.activeSegment;
  }

  /** Stored batches found corrupt and the operator's quarantines (corrupt-ranges.ts). */
  get corruptRanges(): CorruptRanges {
    return this.local.corruptRanges;
  }

  /** Bytes of all segments' .log files. */
  get size(): number {
    return this.local.segments.sizeInBytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True once a write failed: the log refuses appends until bringOnline() or a reopen. */
  get isOffline(): boolean {
    return this.local.offlineError !== null;
  }

  /** Why the log is offline (null while online). */
  get offlineReason(): string | null {
    return this.local.offlineError?.message ?? null;
  }

  /** After a failed write (not fsync): cuts the failed bytes, fsyncs, and accepts appends again (log-dir-health.ts). */
  bringOnline(): Promise<boolean> {
    return this.mutex.run(() => recoverFromWriteFailure(this.local));
  }

  /** One producer's state (a copy), for DescribeProducers and the transaction layer. */
  producerState(producerId: number): ProducerStateEntry | undefined {
    const e = this.producers.lookup(producerId);
    return e ? { ...e, batches: e.batches.map((b) => ({ ...b })) } : undefined;
  }

  /** Forgets idle producers (producer.id.expiration.ms). */
  removeExpiredProducers(expirationMs: number): number {
    return this.producers.removeExpiredProducers(this.local.now(), expirationMs);
  }

  // ------------------------------------------------------------------ append

  /**
   * Appends `batches` (one or more whole RecordBatch v2, e.g. a Produce request's records
   * for this partition). Leader appends get offsets from the log end offset onward; the
   * buffer is rewritten in place (baseOffset, partitionLeaderEpoch; for LogAppendTime also
   * the timestamp type, maxTimestamp and CRC). The promise resolves once the data is
   * written and, when flush.messages demands it, fsynced.
   *
   * Throws (rejects) with a StorageError: CORRUPT_MESSAGE / INVALID_RECORD /
   * UNSUPPORTED_FOR_MESSAGE_FORMAT (malformed), MESSAGE_TOO_LARGE (a batch above
   * max.message.bytes), RECORD_LIST_TOO_LARGE (the request above segment.bytes),
   * INVALID_TIMESTAMP, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
   * KAFKA_STORAGE_ERROR (I/O failure, closed/offline log).
   */
  async append(batches: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    const origin = options.origin ?? 'client';
    if (this.closed) throw new KafkaStorageError(`log ${this.name} is closed`);
    const failure = this.local.offlineError;
    if (failure) throw new KafkaStorageError(`log ${this.name} is offline: ${failure.message}`);
    if (batches.length === 0) return emptyAppendResult(this.offsets.logStartOffset);
    const v = validateAppend(this.name, this.local.config, batches, origin, options.requireSingleBatch ?? false, this.local.now);
    const epoch = options.leaderEpoch ?? this.leaderEpoch;
    const { result, durableTarget } = await this.queue.enqueue(batches, v, origin, epoch);
    if (!result.duplicate && result.recordCount > 0) this.leaderEpochs.onAppend(epoch, result.baseOffset);
    if (durableTarget !== null) await this.local.waitUntilFlushed(durableTarget);
    return result;
  }

  // ------------------------------------------------------------------ roll & flush

  /** Rolls a new active segment at the log end offset (AlterConfigs, tests, admin). */
  roll(): Promise<void> {
    return this.mutex.run(() => this.rollLocked(this.local.logEndOffset));
  }

  /** Rolls at `newBase` and snapshots producer state there (Kafka does both). Under the mutex. */
  private async rollLocked(newBase: number): Promise<void> {
    if (!(await this.local.roll(newBase))) return;
    // The snapshot lets recovery skip the rolled segments: their aborted-transaction entries must be durable first.
    await this.txnIndex.syncBelow(newBase, this.local.io);
    await writeProducerSnapshot(this.dir, newBase, this.producers.entries(), this.local.io);
    this.local.logger.info(`partition ${this.name}: rolled new segment at offset ${newBase}`);
  }

  /** fsyncs everything appended so far (group-committed with concurrent callers). */
  flush(): Promise<void> {
    return this.local.flush();
  }

  /** flush.ms: fsyncs when unflushed data is older than flush.ms. Returns whether it flushed. */
  maybeFlushByTime(): Promise<boolean> {
    return this.local.maybeFlushByTime();
  }

  // ------------------------------------------------------------------ read

  /**
   * Whole batches from the one containing `fetchOffset`, at most `maxBytes` (the first
   * batch is returned whole even if larger, unless `minOneBatch: false`), only batches
   * entirely below `maxOffset`. Reads a single segment (like Kafka). Throws
   * OffsetOutOfRangeError when fetchOffset is outside [logStartOffset, logEndOffset].
   */
  async read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<LogReadResult> {
    for (let attempt = 0; ; attempt++) {
      const leo = this.local.logEndOffset;
      const lso = this.offsets.logStartOffset;
      if (fetchOffset < lso || fetchOffset > leo) {
        throw new OffsetOutOfRangeError(`partition ${this.name}: offset ${fetchOffset} is out of range [${lso}, ${leo}]`);
      }
      const cap = Math.min(options.maxOffset ?? leo, leo);
      const res = fetchOffset >= cap ? null : await this.local.read(fetchOffset, maxBytes, cap, options.minOneBatch ?? true);
      // A segment was deleted/replaced under us (retention, compaction swap): retry on the new list.
      if (res === SEGMENTS_CHANGED) {
        if (attempt >= 5) throw new KafkaStorageError(`partition ${this.name}: segments kept changing during a read`);
        continue;
      }
      return {
        records: res ? res.records : Buffer.alloc(0),
        firstOffset: res ? res.firstOffset : -1,
        lastOffset: res ? res.lastOffset : -1,
        logStartOffset: lso,
        logEndOffset: leo,
        highWatermark: this.offsets.highWatermark,
      };
    }
  }

  // ------------------------------------------------------------------ ListOffsets

  /**
   * ListOffsets: EARLIEST (-2) / EARLIEST_LOCAL (-4) -> logStartOffset; LATEST (-1) -> the
   * log end offset (the partition layer caps it at the high watermark / LSO for
   * consumers); MAX_TIMESTAMP (-3) -> the first record with the largest timestamp;
   * a timestamp >= 0 -> the first record with timestamp >= it at or after logStartOffset.
   * Null when no record qualifies (Kafka answers offset -1). Only the one batch that
   * holds the answer is decoded.
   */
  async offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    if (timestamp === ListOffsetsTimestamp.EARLIEST || timestamp === ListOffsetsTimestamp.EARLIEST_LOCAL) {
      return { offset: this.offsets.logStartOffset, timestamp: -1 };
    }
    if (timestamp === ListOffsetsTimestamp.LATEST) return { offset: this.local.logEndOffset, timestamp: -1 };
    const target = timestamp === ListOffsetsTimestamp.MAX_TIMESTAMP ? await this.local.largestTimestamp() : timestamp;
    if (target < 0) return null;
    return this.local.findOffsetByTimestamp(target, this.offsets.logStartOffset);
  }

  // ------------------------------------------------------------------ log start offset, retention

  /**
   * DeleteRecords: moves logStartOffset to `offset` (<= high watermark; -1 means the high
   * watermark) and deletes the whole segments now below it (log-retention.ts).
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.logStart.deleteRecordsBefore(offset);
  }

  /** Retention: deletes the oldest whole segments the rules of log-retention.ts select; moves logStartOffset. */
  deleteOldSegments(): Promise<RetentionResult> {
    return this.logStart.deleteOldSegments();
  }

  // ------------------------------------------------------------------ truncation

  /**
   * Follower truncation: removes every batch containing offsets >= `offset`; the log end
   * offset becomes `offset` (or the start of the batch straddling it). Producer state is
   * reloaded from the newest snapshot below and replayed.
   */
  async truncateTo(offset: number): Promise<void> {
    await this.mutex.run(async () => {
      if (offset >= this.local.logEndOffset) return;
      if (offset <= this.local.segments.first.baseOffset) {
        await this.truncateFullyAndStartAtLocked(Math.max(offset, 0));
        return;
      }
      await this.local.truncateTo(offset);
      const leo = this.local.logEndOffset;
      this.leaderEpochs.truncateFromEnd(leo);
      this.offsets.clampToLogEnd();
      if (this.cleanerCheckpoint > leo) this.cleanerCheckpoint = leo;
      await loadProducerState({
        dir: this.dir,
        segments: this.local.segments.all,
        logStartOffset: this.offsets.logStartOffset,
        logEndOffset: leo,
        state: this.producers,
        logger: this.local.logger,
        name: this.name,
        txnIndex: this.txnIndex,
      });
      this.local.logger.info(`partition ${this.name}: truncated to offset ${leo}`);
    });
  }

  private async truncateFullyAndStartAtLocked(offset: number): Promise<void> {
    await this.local.truncateFullyAndStartAt(offset);
    await deleteProducerSnapshotsBelow(this.dir, Infinity);
    await this.txnIndex.clear();
    this.leaderEpochs.clear();
    this.producers.clear(offset);
    this.offsets.reset(offset);
    this.cleanerCheckpoint = offset;
    this.local.logger.info(`partition ${this.name}: truncated fully, log restarts at offset ${offset}`);
    this.onLsoChanged?.(this);
  }

  // ------------------------------------------------------------------ compaction support (used by LogCleaner)

  /** @internal Current clock. */
  clock(): number {
    return this.local.now();
  }

  /**
   * @internal Under the log mutex, replaces the consecutive segments `old` (if still the
   * live ones) by `cleaned`, which has been written and renamed to `<base>.log.swap`
   * (committed). See LocalLog.replaceSegments.
   */
  replaceSegments(old: readonly LogSegment[], cleaned: LogSegment, swapSuffix: string): Promise<boolean> {
    return this.mutex.run(() => this.local.replaceSegments(old, cleaned, swapSuffix));
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Clean close: waits for queued appends, fsyncs, writes a producer snapshot at the log
   * end offset and closes every file. Appends after close() reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.run(async () => {
      this.queue.close();
      if (await this.local.flushForClose()) {
        await writeProducerSnapshot(this.dir, this.local.logEndOffset, this.producers.entries(), this.local.io);
        // Keep the snapshots a restart or a truncation may use.
        await retainNewestProducerSnapshots(this.dir, this.local.segments.first.baseOffset, 3);
      }
      await this.local.close();
    });
    await this.leaderEpochs.flush();
  }

  /** Closes (without flushing) and removes the whole partition directory. */
  async deleteLog(): Promise<void> {
    this.closed = true;
    await this.mutex.run(async () => {
      this.queue.close();
      await this.local.closeAndForget();
    });
    await this.leaderEpochs.flush();
    await this.local.removeDir();
  }
}
