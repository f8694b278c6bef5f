import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { AppendBatchInfo, validateBatchesForAppend } from '@millrace/protocol/record/append-validator';
import { decodeBatch } from '@millrace/protocol/record/batch-decoder';
import {
  ATTRIBUTES_OFFSET,
  BatchAttribute,
  computeBatchCrc,
  CRC_OFFSET,
  isControl,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '@millrace/protocol/record/batch-header';
import { RecordErrorCode } from '@millrace/protocol/record/errors';
import { AsyncMutex } from './async-mutex';
import {
  CorruptRecordError,
  InvalidRecordError,
  InvalidTimestampError,
  KafkaStorageError,
  MessageTooLargeError,
  OffsetOutOfRangeError,
  RecordListTooLargeError,
  StorageError,
  UnsupportedMessageFormatError,
} from './errors';
import { isDeleteRetention, LogConfig, LONG_MAX } from './log-config';
import { parsePartitionDirName } from './log-file-names';
import { loadSegments, RecoveryReport } from './log-loader';
import { AppendedBatchInfo, LogSegment, SegmentOptions } from './log-segment';
import { NOOP_LOGGER, StorageLogger } from './logger';
import { ProducerStateEntry, ProducerStateManager, ProducerStateView } from './producer-state';
import { loadProducerState } from './producer-state-loader';
import { deleteProducerSnapshot, listProducerSnapshots, writeProducerSnapshot } from './producer-state-snapshot';
import { DEFAULT_STORAGE_IO, StorageIo } from './storage-io';

/**
 * The log of one partition (Kafka's UnifiedLog + LocalLog): an ordered list of segments
 * in `<dataDir>/<topic>-<partition>/`, the last one active (the only one appended to).
 *
 * Offsets:
 *   logStartOffset <= highWatermark <= logEndOffset.
 *   - logEndOffset (LEO): offset the next appended record gets.
 *   - logStartOffset: first offset visible to consumers; moved by retention and
 *     DeleteRecords; may point inside the first segment. Recovered as
 *     max(checkpointed value, first segment's base offset).
 *   - highWatermark: a plain field set by the partition/replication layer
 *     (`updateHighWatermark`), clamped to [logStartOffset, LEO]. It is NOT persisted by
 *     this class: LogManager checkpoints it (with logStartOffset) in the log directory's
 *     `replication-offset-checkpoint` / `log-start-offset-checkpoint` files every
 *     `checkpointIntervalMs`, at clean shutdown, and (for logStartOffset) right after it
 *     moves, through the `onLogStartOffsetChanged` hook.
 *
 * Append pipeline: `append()` validates the request's batches (headers + CRC, no record
 * decoding) synchronously, then queues it. A single drain task, under the log mutex,
 * takes EVERY queued request, checks producer state, assigns offsets by rewriting each
 * batch's baseOffset and partitionLeaderEpoch in place (CRC unaffected), and writes all
 * of them with one writev. So concurrent producers share writes as well as fsyncs.
 *
 * Durability (`flush.messages`, `flush.ms`): by default data reaches the page cache only
 * (Kafka's default; durability comes from replication). When the records appended since
 * the last fsync reach flush.messages, the append's promise resolves only after an fsync
 * covering it. fsyncs are GROUP-COMMITTED: one flush runs at a time; every append
 * waiting while it runs is covered by the next one. flush.ms is applied by
 * `maybeFlushByTime()` (LogManager's flush scheduler). A segment is fsynced when rolled,
 * so only the active segment ever holds unflushed data.
 *
 * Concurrency contract: all mutations (append writes, roll, truncation, segment
 * deletion, compaction swap, close) run under one AsyncMutex. Reads and fsyncs do not
 * take it: readers work on a snapshot of the segment list and pin each segment while
 * reading (a deleted segment's files live until its readers finish); flushes run beside
 * appends. A failed write takes the log offline (every later append fails with
 * KAFKA_STORAGE_ERROR), as Kafka takes the log directory offline.
 */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

export interface AppendOptions {
  /** client (default): full validation + producer checks; coordinator: broker-written
   *  batches (offsets assigned, no client rules); replication: follower append that keeps
   *  the leader's offsets and epochs. */
  origin?: AppendOrigin;
  /** partitionLeaderEpoch written into each batch (leader appends). Default: `log.leaderEpoch`. */
  leaderEpoch?: number;
  /** Reject more than one batch per request (Kafka's rule for Produce v3+). Default false. */
  requireSingleBatch?: boolean;
}

export interface AppendResult {
  /** Offset of the first record written (or of the original, for a duplicate). */
  baseOffset: number;
  /** Offset of the last record written. */
  lastOffset: number;
  recordCount: number;
  /** Broker time stamped on the batches for LogAppendTime topics, else -1. */
  logAppendTime: number;
  /** Largest batch maxTimestamp in the request. */
  maxTimestamp: number;
  logStartOffset: number;
  /** True when an idempotent retry was recognised and nothing was written. */
  duplicate: boolean;
}

export interface ReadOptions {
  /** Exclusive upper bound: only batches whose lastOffset < maxOffset (pass the high
   *  watermark or last stable offset for consumers). Default: the log end offset. */
  maxOffset?: number;
  /** Return the first batch even if it exceeds maxBytes (Kafka semantics). Default true. */
  minOneBatch?: boolean;
}

export interface LogReadResult {
  /** Whole batches back to back (empty when there is nothing to return). */
  records: Buffer;
  /** baseOffset of the first batch (may be < fetchOffset: the batch containing it), -1 when empty. */
  firstOffset: number;
  /** lastOffset of the last batch, -1 when empty. */
  lastOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/** ListOffsets special timestamps. */
export const ListOffsetsTimestamp = {
  LATEST: -1,
  EARLIEST: -2,
  MAX_TIMESTAMP: -3,
  EARLIEST_LOCAL: -4,
} as const;

export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
  reasons: string[];
}

export interface LocalLogOptions {
  dir: string;
  config: LogConfig;
  /** Label for messages; default the directory name (`<topic>-<partition>`). */
  name?: string;
  logger?: StorageLogger;
  io?: StorageIo;
  /** False (default) runs crash recovery on the active segment. */
  hadCleanShutdown?: boolean;
  /** Checkpointed values (LogManager passes them); defaults 0 / logStartOffset. */
  logStartOffset?: number;
  highWatermark?: number;
  /** Clock, for tests. */
  time?: () => number;
  /** Called (outside the mutex) after logStartOffset moved, so it can be checkpointed. */
  onLogStartOffsetChanged?: (log: LocalLog) => void;
}

interface PendingAppend {
  buf: Buffer;
  batches: AppendBatchInfo[];
  recordCount: number;
  maxTimestamp: number;
  origin: AppendOrigin;
  leaderEpoch: number;
  resolve(v: { result: AppendResult; durableTarget: number | null }): void;
  reject(err: unknown): void;
}

interface Subgroup {
  view: ProducerStateView;
  buffers: Buffer[];
  infos: AppendedBatchInfo[];
  bytes: number;
  records: number;
  nextOffset: number;
  done: { req: PendingAppend; result: AppendResult }[];
}

const INT32_MAX = 2147483647;

export class LocalLog {
  readonly dir: string;
  readonly name: string;
  readonly topic: string;
  readonly partition: number;
  /** partitionLeaderEpoch stamped on leader appends; the partition layer sets it. */
  leaderEpoch = 0;

  private cfg: LogConfig;
  private segs: LogSegment[];
  private nextOffsetValue: number;
  private logStartOffsetValue: number;
  private highWatermarkValue: number;
  private readonly mutex = new AsyncMutex();
  private readonly queue: PendingAppend[] = [];
  private draining = false;
  private failure: KafkaStorageError | null = null;
  private closed = false;
  /** Set under the mutex by close(): the drain rejects whatever is still queued. */
  private closedForWrites = false;
  private readonly logger: StorageLogger;
  private readonly io: StorageIo;
  private readonly now: () => number;
  private readonly onLsoChanged?: (log: LocalLog) => void;
  private readonly producers: ProducerStateManager;
  private jitterMs: number;
  // flush state
  private flushedOffset: number;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private flushInFlight: Promise<void> | null = null;
  /** Compaction progress: offsets below it are clean (LogManager checkpoints it). */
  cleanerCheckpoint = 0;
  /** Earliest delete horizon the cleaner set on a batch, for re-cleaning when it passes. */
  nextDeleteHorizonMs: number | null = null;

  /** What recovery found at open. */
  readonly recoveryReport: RecoveryReport;

  private constructor(
    opts: LocalLogOptions,
    segments: LogSegment[],
    producers: ProducerStateManager,
    report: RecoveryReport,
    leo: number,
    lso: number,
    hw: number,
  ) {
    this.dir = opts.dir;
    const base = path.basename(opts.dir);
    const parsed = parsePartitionDirName(base);
    this.topic = parsed?.topic ?? base;
    this.partition = parsed?.partition ?? 0;
    this.name = opts.name ?? base;
    this.cfg = opts.config;
    this.segs = segments;
    this.producers = producers;
    this.recoveryReport = report;
    this.nextOffsetValue = leo;
    this.logStartOffsetValue = lso;
    this.highWatermarkValue = hw;
    this.logger = opts.logger ?? NOOP_LOGGER;
    this.io = opts.io ?? DEFAULT_STORAGE_IO;
    this.now = opts.time ?? Date.now;
    this.onLsoChanged = opts.onLogStartOffsetChanged;
    this.jitterMs = LocalLog.jitter(opts.config);
    this.flushedOffset = leo;
    this.lastFlushMs = this.now();
  }

  /**
   * Opens (creating if needed) the log in `opts.dir`, recovering after an unclean
   * shutdown and rebuilding producer state. See `recoveryReport` for what was done.
   */
  static async open(opts: LocalLogOptions): Promise<LocalLog> {
    const started = Date.now();
    const logger = opts.logger ?? NOOP_LOGGER;
    const name = opts.name ?? path.basename(opts.dir);
    const io = opts.io ?? DEFAULT_STORAGE_IO;
    const segOpts: SegmentOptions = {
      indexIntervalBytes: opts.config.indexIntervalBytes,
      maxIndexBytes: opts.config.segmentIndexBytes,
      io,
    };
    const loaded = await loadSegments({
      dir: opts.dir,
      name,
      segmentOptions: segOpts,
      hadCleanShutdown: opts.hadCleanShutdown ?? false,
      initialOffset: opts.logStartOffset ?? 0,
      logger,
    });
    let segments = loaded.segments;
    let leo = await segments[segments.length - 1].nextOffset();
    let lso = Math.max(opts.logStartOffset ?? 0, segments[0].baseOffset);
    if (lso > leo) {
      // The checkpoint says records up to lso were deleted, but the log ends before it
      // (lost tail): start over at lso, as Kafka does.
      logger.warn(`partition ${name}: log start offset ${lso} is beyond the log end offset ${leo}; starting an empty log at ${lso}`);
      for (const s of segments) await s.markDeleted();
      segments = [await LogSegment.create(opts.dir, lso, segOpts)];
      for (const off of await listProducerSnapshots(opts.dir)) await deleteProducerSnapshot(opts.dir, off);
      leo = lso;
    }
    const producers = new ProducerStateManager(segments[0].baseOffset);
    const ps = await loadProducerState({ dir: opts.dir, segments, logStartOffset: lso, logEndOffset: leo, state: producers, logger, name });
    lso = Math.min(lso, leo);
    const hw = Math.min(Math.max(opts.highWatermark ?? lso, lso), leo);
    const report: RecoveryReport = {
      ...loaded.report,
      logStartOffset: lso,
      logEndOffset: leo,
      producerSnapshotOffset: ps.snapshotOffset,
      producerBatchesReplayed: ps.replayedBatches,
      durationMs: Date.now() - started,
    };
    if (report.truncatedBytes > 0) {
      logger.warn(
        `partition ${name}: truncated ${report.truncatedBytes} bytes (${report.truncationReason}) at offset ${report.truncatedAtOffset}, log end offset now ${leo}`,
      );
    }
    if (!report.cleanShutdown) {
      logger.info(
        `partition ${name}: recovered after unclean shutdown: ${report.batchesValidated} batches re-validated, log start offset ${lso}, log end offset ${leo}` +
          (report.rebuiltIndexes.length > 0 ? `, rebuilt indexes of segments ${report.rebuiltIndexes.join(', ')}` : ''),
      );
    }
    return new LocalLog(opts, segments, producers, report, leo, lso, hw);
  }

  private static jitter(c: LogConfig): number {
    return c.segmentJitterMs > 0 ? Math.floor(Math.random() * Math.min(c.segmentJitterMs, c.segmentMs)) : 0;
  }

  // ------------------------------------------------------------------ accessors

  get config(): LogConfig {
    return this.cfg;
  }

  /** Applies a new topic config (AlterConfigs). Takes effect for the next append/roll/retention. */
  updateConfig(config: LogConfig): void {
    this.cfg = config;
    this.jitterMs = LocalLog.jitter(config);
  }

  get logStartOffset(): number {
    return this.logStartOffsetValue;
  }

  get logEndOffset(): number {
    return this.nextOffsetValue;
  }

  get highWatermark(): number {
    return this.highWatermarkValue;
  }

  /** Offsets below it are fsynced (Kafka's recovery point). */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  /** Records appended since the last fsync. */
  get unflushedRecords(): number {
    return this.unflushedMessages;
  }

  /** Sets the high watermark (replication layer), clamped to [logStartOffset, LEO]. Returns the value kept. */
  updateHighWatermark(offset: number): number {
    this.highWatermarkValue = Math.min(Math.max(offset, this.logStartOffsetValue), this.nextOffsetValue);
    return this.highWatermarkValue;
  }

  /** Current segments, oldest first (a snapshot; do not mutate). */
  get segments(): readonly LogSegment[] {
    return this.segs;
  }

  get activeSegment(): LogSegment {
    return this.segs[this.segs.length - 1];
  }

  /** Bytes of all segments' .log files. */
  get size(): number {
    let n = 0;
    for (const s of this.segs) n += s.size;
    return n;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** True once a write failed: the log refuses appends until reopened. */
  get isOffline(): boolean {
    return this.failure !== null;
  }

  /** Producer state, for DescribeProducers and the transaction layer. */
  producerStates(): ProducerStateEntry[] {
    return this.producers.entries().map((e) => ({ ...e, batches: e.batches.map((b) => ({ ...b })) }));
  }

  producerState(producerId: number): ProducerStateEntry | undefined {
    const e = this.producers.lookup(producerId);
    return e ? { ...e, batches: e.batches.map((b) => ({ ...b })) } : undefined;
  }

  /** First offset of the oldest open transaction (bounds the last stable offset), null if none. */
  firstUnstableOffset(): number | null {
    return this.producers.firstUnstableOffset();
  }

  /** Forgets idle producers (producer.id.expiration.ms). */
  removeExpiredProducers(expirationMs: number): number {
    return this.producers.removeExpiredProducers(this.now(), expirationMs);
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
    if (this.failure) throw new KafkaStorageError(`log ${this.name} is offline: ${this.failure.message}`);
    if (batches.length === 0) {
      return {
        baseOffset: -1,
        lastOffset: -1,
        recordCount: 0,
        logAppendTime: -1,
        maxTimestamp: -1,
        logStartOffset: this.logStartOffsetValue,
        duplicate: false,
      };
    }
    const v = validateBatchesForAppend(batches, {
      fromClient: origin === 'client',
      singleBatch: options.requireSingleBatch ?? false,
    });
    if (!v.ok) throw mapValidationError(v.errorCode, `partition ${this.name}: ${v.message}`);
    this.checkLimits(batches, v.batches, origin);
    const { result, durableTarget } = await new Promise<{ result: AppendResult; durableTarget: number | null }>((resolve, reject) => {
      this.queue.push({
        buf: batches,
        batches: v.batches,
        recordCount: v.recordCount,
        maxTimestamp: v.maxTimestamp,
        origin,
        leaderEpoch: options.leaderEpoch ?? this.leaderEpoch,
        resolve,
        reject,
      });
      this.scheduleDrain();
    });
    if (durableTarget !== null) await this.waitUntilFlushed(durableTarget);
    return result;
  }

  /** Follower append: batches keep the leader's offsets and epochs (`origin: 'replication'`). */
  appendAsFollower(batches: Buffer): Promise<AppendResult> {
    return this.append(batches, { origin: 'replication' });
  }

  private checkLimits(buf: Buffer, batches: readonly AppendBatchInfo[], origin: AppendOrigin): void {
    const c = this.cfg;
    for (const b of batches) {
      if (b.size > c.maxMessageBytes) {
        throw new MessageTooLargeError(
          `partition ${this.name}: batch of ${b.size} bytes exceeds max.message.bytes ${c.maxMessageBytes}`,
        );
      }
    }
    if (buf.length > c.segmentBytes) {
      throw new RecordListTooLargeError(`partition ${this.name}: ${buf.length} bytes exceed segment.bytes ${c.segmentBytes}`);
    }
    if (origin === 'replication' || c.messageTimestampType !== 'CreateTime') return;
    const before = c.messageTimestampBeforeMaxMs;
    const after = c.messageTimestampAfterMaxMs;
    if (before >= LONG_MAX && after >= LONG_MAX) return;
    const now = this.now();
    for (const b of batches) {
      // Header-only approximation of Kafka's per-record check: baseTimestamp is the first
      // record's timestamp (the oldest in practice), maxTimestamp the newest.
      const first = b.header.baseTimestamp;
      const max = b.header.maxTimestamp;
      if (before < LONG_MAX && first >= 0 && now - first > before) {
        throw new InvalidTimestampError(
          `partition ${this.name}: timestamp ${first} is more than message.timestamp.before.max.ms (${before}) in the past`,
        );
      }
      if (after < LONG_MAX && max >= 0 && max - now > after) {
        throw new InvalidTimestampError(
          `partition ${this.name}: timestamp ${max} is more than message.timestamp.after.max.ms (${after}) in the future`,
        );
      }
    }
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.mutex.run(async () => {
      try {
        while (this.queue.length > 0) {
          const group = this.queue.splice(0, this.queue.length);
          await this.writeGroup(group);
        }
      } finally {
        this.draining = false;
      }
    });
  }

  private newSubgroup(): Subgroup {
    return {
      view: this.producers.view(),
      buffers: [],
      infos: [],
      bytes: 0,
      records: 0,
      nextOffset: this.nextOffsetValue,
      done: [],
    };
  }

  /** Writes a group of queued requests: usually one writev (more only across a roll). */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let sub = this.newSubgroup();
    let i = 0;
    try {
      for (; i < group.length; i++) {
        const req = group[i];
        if (this.failure || this.closedForWrites) {
          req.reject(new KafkaStorageError(`log ${this.name} is ${this.failure ? 'offline' : 'closed'}`));
          continue;
        }
        const span = this.offsetSpan(req, sub.nextOffset);
        if (this.shouldRoll(sub, req, span.first, span.last)) {
          await this.commitSubgroup(sub);
          await this.rollLocked(span.first);
          sub = this.newSubgroup();
        }
        try {
          this.stage(req, sub);
        } catch (err) {
          req.reject(err);
        }
      }
      await this.commitSubgroup(sub);
    } catch (err) {
      const e = err instanceof KafkaStorageError ? err : new KafkaStorageError(`append to ${this.name} failed: ${String(err)}`, err);
      this.failure ??= e;
      this.logger.warn(`partition ${this.name}: taking the log offline after a write failure: ${e.message}`);
      // Settles every request of the group not settled yet (a settled promise ignores it).
      for (const req of group) req.reject(e);
    }
  }

  private offsetSpan(req: PendingAppend, next: number): { first: number; last: number } {
    if (req.origin === 'replication') {
      const lastH = req.batches[req.batches.length - 1].header;
      return { first: req.batches[0].header.baseOffset, last: lastH.baseOffset + lastH.lastOffsetDelta };
    }
    let n = next;
    for (const b of req.batches) n += b.header.lastOffsetDelta + 1;
    return { first: next, last: n - 1 };
  }

  private shouldRoll(sub: Subgroup, req: PendingAppend, _first: number, last: number): boolean {
    const active = this.activeSegment;
    const segSize = active.size + sub.bytes;
    if (segSize === 0) return false;
    if (segSize + req.buf.length > this.cfg.segmentBytes) return true;
    if (last - active.baseOffset > INT32_MAX) return true;
    if (active.offsetIndex.isLoaded && active.offsetIndex.isFull) return true;
    if (active.timeIndex.isLoaded && active.timeIndex.isFull) return true;
    const incomingTs = this.cfg.messageTimestampType === 'LogAppendTime' ? this.now() : req.maxTimestamp;
    return active.timeWaitedForRoll(this.now(), incomingTs) > this.cfg.segmentMs - this.jitterMs;
  }

  /** Producer checks + offset assignment for one request; adds it to `sub` or throws. */
  private stage(req: PendingAppend, sub: Subgroup): void {
    const reqView = new ProducerStateView(sub.view);
    // Client appends are validated and de-duplicated; replicated ones just record state.
    const validate = req.origin === 'client';
    const firsts: number[] = [];
    let next = sub.nextOffset;
    for (const b of req.batches) {
      const h = b.header;
      let first: number;
      if (req.origin === 'replication') {
        if (h.baseOffset < next) {
          throw new InvalidRecordError(
            `partition ${this.name}: replicated batch at offset ${h.baseOffset} is below the log end offset ${next}`,
          );
        }
        first = h.baseOffset;
      } else {
        first = next;
      }
      const last = first + h.lastOffsetDelta;
      if (h.producerId >= 0) {
        if (isControl(h.attributes)) {
          reqView.checkControlBatch(h, validate);
        } else {
          const check = reqView.checkDataBatch(h, validate);
          if (check.duplicate) {
            const d = check.duplicate;
            sub.done.push({
              req,
              result: {
                baseOffset: d.firstOffset,
                lastOffset: d.lastOffset,
                recordCount: d.lastOffset - d.firstOffset + 1,
                logAppendTime: -1,
                maxTimestamp: d.timestamp,
                logStartOffset: this.logStartOffsetValue,
                duplicate: true,
              },
            });
            return;
          }
        }
        reqView.record(h, first, last);
      }
      firsts.push(first);
      next = last + 1;
    }
    // Accepted: rewrite the headers in place.
    const logAppendTime = req.origin !== 'replication' && this.cfg.messageTimestampType === 'LogAppendTime' ? this.now() : -1;
    let maxTs = -1;
    for (let k = 0; k < req.batches.length; k++) {
      const b = req.batches[k];
      const first = firsts[k];
      if (req.origin !== 'replication') {
        setBaseOffset(req.buf, b.pos, first);
        setPartitionLeaderEpoch(req.buf, b.pos, req.leaderEpoch);
        if (logAppendTime >= 0) {
          const attrs = req.buf.readInt16BE(b.pos + ATTRIBUTES_OFFSET) | BatchAttribute.TimestampTypeLogAppend;
          req.buf.writeInt16BE(attrs, b.pos + ATTRIBUTES_OFFSET);
          req.buf.writeBigInt64BE(BigInt(logAppendTime), b.pos + 35);
          req.buf.writeUInt32BE(computeBatchCrc(req.buf, b.pos, b.size), b.pos + CRC_OFFSET);
        }
      }
      const ts = logAppendTime >= 0 ? logAppendTime : b.header.maxTimestamp;
      if (ts > maxTs) maxTs = ts;
      sub.infos.push({ baseOffset: first, lastOffset: first + b.header.lastOffsetDelta, maxTimestamp: ts, size: b.size });
    }
    reqView.mergeIntoParent();
    sub.buffers.push(req.buf);
    sub.bytes += req.buf.length;
    sub.records += req.recordCount;
    sub.nextOffset = next;
    sub.done.push({
      req,
      result: {
        baseOffset: firsts[0],
        lastOffset: next - 1,
        recordCount: req.recordCount,
        logAppendTime,
        maxTimestamp: maxTs,
        logStartOffset: this.logStartOffsetValue,
        duplicate: false,
      },
    });
  }

  private async commitSubgroup(sub: Subgroup): Promise<void> {
    if (sub.buffers.length > 0) {
      await this.activeSegment.append(sub.buffers, sub.infos);
      sub.view.mergeIntoParent();
      this.nextOffsetValue = sub.nextOffset;
      this.producers.mapEndOffset = sub.nextOffset;
      this.unflushedMessages += sub.records;
    }
    const mustFlush = this.unflushedMessages >= this.cfg.flushMessages;
    for (const { req, result } of sub.done) {
      const target = result.lastOffset + 1;
      req.resolve({ result, durableTarget: mustFlush && target > this.flushedOffset ? target : null });
    }
    sub.done = [];
    sub.buffers = [];
    sub.infos = [];
  }

  // ------------------------------------------------------------------ roll & flush

  /** Rolls a new active segment at the log end offset (AlterConfigs, tests, admin). */
  roll(): Promise<void> {
    return this.mutex.run(() => this.rollLocked(this.nextOffsetValue));
  }

  private async rollLocked(newBase: number): Promise<void> {
    const old = this.activeSegment;
    const segOpts = this.segmentOptions();
    if (old.isEmpty) {
      if (old.baseOffset === newBase) return;
      const seg = await LogSegment.create(this.dir, newBase, segOpts);
      this.segs = [...this.segs.slice(0, -1), seg];
      await old.markDeleted();
      return;
    }
    // The old segment becomes immutable: final time-index entry, fsync (crash recovery
    // only re-validates the active segment), index handles closed.
    await old.onBecomeInactive();
    const seg = await LogSegment.create(this.dir, newBase, segOpts);
    this.segs = [...this.segs, seg];
    if (this.flushedOffset < newBase) {
      this.flushedOffset = newBase;
      this.unflushedMessages = 0;
      this.lastFlushMs = this.now();
    }
    await writeProducerSnapshot(this.dir, newBase, this.producers.entries(), this.io);
    this.logger.info(`partition ${this.name}: rolled new segment at offset ${newBase}`);
  }

  private segmentOptions(): SegmentOptions {
    return { indexIntervalBytes: this.cfg.indexIntervalBytes, maxIndexBytes: this.cfg.segmentIndexBytes, io: this.io };
  }

  /** fsyncs everything appended so far (group-committed with concurrent callers). */
  flush(): Promise<void> {
    return this.waitUntilFlushed(this.nextOffsetValue);
  }

  /** flush.ms: fsyncs when unflushed data is older than flush.ms. Returns whether it flushed. */
  async maybeFlushByTime(): Promise<boolean> {
    if (this.flushedOffset >= this.nextOffsetValue) return false;
    if (this.now() - this.lastFlushMs < this.cfg.flushMs) return false;
    await this.flush();
    return true;
  }

  private async waitUntilFlushed(target: number): Promise<void> {
    while (this.flushedOffset < Math.min(target, this.nextOffsetValue)) {
      if (!this.flushInFlight) {
        this.flushInFlight = this.flushOnce().finally(() => {
          this.flushInFlight = null;
        });
      }
      await this.flushInFlight;
    }
  }

  private async flushOnce(): Promise<void> {
    const upTo = this.nextOffsetValue;
    const records = this.unflushedMessages;
    const segs = this.segs.filter((s) => s.hasUnflushedData);
    for (const s of segs) {
      s.retain();
      try {
        if (!s.isDeleted) await s.flush();
      } catch (err) {
        // After a failed fsync the page cache state is unknown ("fsyncgate"): go offline.
        const e = err instanceof KafkaStorageError ? err : new KafkaStorageError(String(err), err);
        this.failure ??= e;
        this.logger.warn(`partition ${this.name}: taking the log offline after an fsync failure: ${e.message}`);
        throw e;
      } finally {
        s.release();
      }
    }
    if (upTo > this.flushedOffset) this.flushedOffset = upTo;
    this.unflushedMessages = Math.max(0, this.unflushedMessages - records);
    this.lastFlushMs = this.now();
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
      const res = await this.readOnce(fetchOffset, maxBytes, options);
      // null: a segment was deleted/replaced under us (retention, compaction swap); retry on the new list.
      if (res !== null) return res;
      if (attempt >= 5) throw new KafkaStorageError(`partition ${this.name}: segments kept changing during a read`);
    }
  }

  private async readOnce(fetchOffset: number, maxBytes: number, options: ReadOptions): Promise<LogReadResult | null> {
    const leo = this.nextOffsetValue;
    const lso = this.logStartOffsetValue;
    const empty = (): LogReadResult => ({
      records: Buffer.alloc(0),
      firstOffset: -1,
      lastOffset: -1,
      logStartOffset: lso,
      logEndOffset: leo,
      highWatermark: this.highWatermarkValue,
    });
    if (fetchOffset < lso || fetchOffset > leo) {
      throw new OffsetOutOfRangeError(
        `partition ${this.name}: offset ${fetchOffset} is out of range [${lso}, ${leo}]`,
      );
    }
    const cap = Math.min(options.maxOffset ?? leo, leo);
    if (fetchOffset >= cap) return empty();
    const segs = this.segs;
    let i = floorSegment(segs, fetchOffset);
    if (i < 0) i = 0;
    for (; i < segs.length; i++) {
      const seg = segs[i];
      if (seg.baseOffset >= cap) break;
      seg.retain();
      try {
        if (seg.isDeleted) return null;
        const res = await seg.read(fetchOffset, maxBytes, cap, options.minOneBatch ?? true);
        if (res) {
          return {
            records: res.records,
            firstOffset: res.firstOffset,
            lastOffset: res.lastOffset,
            logStartOffset: lso,
            logEndOffset: leo,
            highWatermark: this.highWatermarkValue,
          };
        }
      } finally {
        seg.release();
      }
    }
    return empty();
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
      return { offset: this.logStartOffsetValue, timestamp: -1 };
    }
    if (timestamp === ListOffsetsTimestamp.LATEST) return { offset: this.nextOffsetValue, timestamp: -1 };
    const segs = this.segs;
    let target = timestamp;
    if (timestamp === ListOffsetsTimestamp.MAX_TIMESTAMP) {
      let max = -1;
      for (const s of segs) {
        if (s.isEmpty) continue;
        const t = await s.largestTimestamp();
        if (t > max) max = t;
      }
      if (max < 0) return null;
      target = max;
    } else if (timestamp < 0) {
      return null;
    }
    for (const seg of segs) {
      if (seg.isEmpty) continue;
      seg.retain();
      try {
        if (seg.isDeleted || (await seg.largestTimestamp()) < target) continue;
        let from = this.logStartOffsetValue;
        while (true) {
          const loc = await seg.findBatchByTimestamp(target, from);
          if (!loc) break;
          const decoded = decodeBatch(await seg.readAt(loc.position, loc.size), 0, { verifyCrc: false });
          for (const r of decoded.records) {
            if (r.offset >= this.logStartOffsetValue && r.timestamp >= target) {
              return { offset: r.offset, timestamp: r.timestamp };
            }
          }
          from = loc.lastOffset + 1;
        }
      } finally {
        seg.release();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ log start offset, retention, truncation

  /**
   * DeleteRecords: moves logStartOffset to `offset` (must be <= high watermark; -1 means
   * the high watermark) and deletes the whole segments now entirely below it. Returns the
   * new logStartOffset.
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    const target = offset === -1 ? this.highWatermarkValue : offset;
    if (target < 0 || target > this.highWatermarkValue) {
      throw new OffsetOutOfRangeError(
        `partition ${this.name}: cannot delete records before ${target}: above the high watermark ${this.highWatermarkValue}`,
      );
    }
    if (target <= this.logStartOffsetValue) return this.logStartOffsetValue;
    await this.mutex.run(async () => {
      this.setLogStartOffset(target);
      await this.deleteSegmentsBelowLogStart();
    });
    this.onLsoChanged?.(this);
    return this.logStartOffsetValue;
  }

  private setLogStartOffset(offset: number): void {
    if (offset <= this.logStartOffsetValue) return;
    this.logStartOffsetValue = offset;
    if (this.highWatermarkValue < offset) this.highWatermarkValue = Math.min(offset, this.nextOffsetValue);
    this.producers.onLogStartOffsetIncremented(offset);
  }

  /** Deletes leading non-active segments whose successor starts at or below logStartOffset. Under the mutex. */
  private async deleteSegmentsBelowLogStart(): Promise<{ count: number; bytes: number }> {
    let n = 0;
    while (n < this.segs.length - 1 && this.segs[n + 1].baseOffset <= this.logStartOffsetValue) n++;
    return this.deleteOldestSegments(n);
  }

  /** Removes the first `n` segments (never the active one). Under the mutex. */
  private async deleteOldestSegments(n: number): Promise<{ count: number; bytes: number }> {
    n = Math.min(n, this.segs.length - 1);
    if (n <= 0) return { count: 0, bytes: 0 };
    const doomed = this.segs.slice(0, n);
    this.segs = this.segs.slice(n);
    let bytes = 0;
    for (const s of doomed) {
      bytes += s.size;
      await s.markDeleted();
    }
    const first = this.segs[0].baseOffset;
    if (first > this.logStartOffsetValue) this.setLogStartOffset(first);
    // Producer snapshots below the first remaining segment are useless now.
    for (const off of await listProducerSnapshots(this.dir)) {
      if (off < first) await deleteProducerSnapshot(this.dir, off);
    }
    if (this.cleanerCheckpoint < first) this.cleanerCheckpoint = first;
    return { count: n, bytes };
  }

  /**
   * Retention (cleanup.policy contains delete): deletes the oldest whole segments — never
   * the active one, never one holding offsets at or above the high watermark — whose
   * largest timestamp is older than retention.ms, then while the log exceeds
   * retention.bytes by at least a whole segment. Whatever the policy, segments entirely
   * below logStartOffset (DeleteRecords) are deleted. Moves logStartOffset.
   */
  async deleteOldSegments(): Promise<RetentionResult> {
    const res = await this.mutex.run(async () => {
      const reasons: string[] = [];
      let deletedSegments = 0;
      let deletedBytes = 0;
      const below = await this.deleteSegmentsBelowLogStart();
      deletedSegments += below.count;
      deletedBytes += below.bytes;
      if (below.count > 0) reasons.push(`${below.count} segment(s) below log start offset`);
      if (isDeleteRetention(this.cfg)) {
        const now = this.now();
        const deletable = (i: number): boolean =>
          i < this.segs.length - 1 && this.segs[i + 1].baseOffset <= this.highWatermarkValue;
        if (this.cfg.retentionMs >= 0) {
          let n = 0;
          while (deletable(n) && (await this.segs[n].largestTimestamp()) < now - this.cfg.retentionMs) n++;
          const r = await this.deleteOldestSegments(n);
          if (r.count > 0) reasons.push(`${r.count} segment(s) past retention.ms ${this.cfg.retentionMs}`);
          deletedSegments += r.count;
          deletedBytes += r.bytes;
        }
        if (this.cfg.retentionBytes >= 0) {
          let excess = this.size - this.cfg.retentionBytes;
          let n = 0;
          while (deletable(n) && excess - this.segs[n].size >= 0) {
            excess -= this.segs[n].size;
            n++;
          }
          const r = await this.deleteOldestSegments(n);
          if (r.count > 0) reasons.push(`${r.count} segment(s) over retention.bytes ${this.cfg.retentionBytes}`);
          deletedSegments += r.count;
          deletedBytes += r.bytes;
        }
      }
      return { deletedSegments, deletedBytes, logStartOffset: this.logStartOffsetValue, reasons };
    });
    if (res.deletedSegments > 0) {
      this.logger.info(
        `partition ${this.name}: deleted ${res.deletedSegments} segment(s), ${res.deletedBytes} bytes (${res.reasons.join('; ')}); log start offset now ${res.logStartOffset}`,
      );
      this.onLsoChanged?.(this);
    }
    return res;
  }

  /**
   * Follower truncation: removes every batch containing offsets >= `offset`; the log end
   * offset becomes `offset` (or the start of the batch straddling it). Producer state is
   * reloaded from the newest snapshot below and replayed.
   */
  async truncateTo(offset: number): Promise<void> {
    await this.mutex.run(async () => {
      if (offset >= this.nextOffsetValue) return;
      if (offset <= this.segs[0].baseOffset) {
        await this.truncateFullyAndStartAtLocked(Math.max(offset, 0));
        return;
      }
      const keep = this.segs.filter((s) => s.baseOffset < offset);
      const drop = this.segs.filter((s) => s.baseOffset >= offset);
      this.segs = keep;
      for (const s of drop) await s.markDeleted();
      const active = this.activeSegment;
      await active.truncateTo(offset);
      this.nextOffsetValue = await active.nextOffset();
      this.nextOffsetValue = Math.min(this.nextOffsetValue, offset);
      if (this.highWatermarkValue > this.nextOffsetValue) this.highWatermarkValue = this.nextOffsetValue;
      if (this.flushedOffset > this.nextOffsetValue) this.flushedOffset = this.nextOffsetValue;
      if (this.cleanerCheckpoint > this.nextOffsetValue) this.cleanerCheckpoint = this.nextOffsetValue;
      await active.flush();
      await loadProducerState({
        dir: this.dir,
        segments: this.segs,
        logStartOffset: this.logStartOffsetValue,
        logEndOffset: this.nextOffsetValue,
        state: this.producers,
        logger: this.logger,
        name: this.name,
      });
      this.logger.info(`partition ${this.name}: truncated to offset ${this.nextOffsetValue}`);
    });
  }

  /** Deletes everything and restarts the log empty at `offset` (follower reset). */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.mutex.run(() => this.truncateFullyAndStartAtLocked(offset));
  }

  private async truncateFullyAndStartAtLocked(offset: number): Promise<void> {
    const old = this.segs;
    const seg = await LogSegment.create(this.dir, offset, this.segmentOptions());
    this.segs = [seg];
    for (const s of old) if (s !== seg) await s.markDeleted();
    for (const off of await listProducerSnapshots(this.dir)) await deleteProducerSnapshot(this.dir, off);
    this.producers.clear(offset);
    this.nextOffsetValue = offset;
    this.logStartOffsetValue = offset;
    this.highWatermarkValue = offset;
    this.flushedOffset = offset;
    this.unflushedMessages = 0;
    this.cleanerCheckpoint = offset;
    this.logger.info(`partition ${this.name}: truncated fully, log restarts at offset ${offset}`);
    this.onLsoChanged?.(this);
  }

  // ------------------------------------------------------------------ compaction support (used by LogCleaner)

  /** @internal Runs `fn` under the log mutex (compaction swap). */
  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  /** @internal Current clock. */
  clock(): number {
    return this.now();
  }

  /**
   * @internal Replaces the consecutive segments `old` (still the live ones) by `cleaned`,
   * which has been written and renamed to `<base>.log.swap` (committed). Under the mutex.
   * Crash-safe sequence: old files -> `.deleted`, swap files -> final names.
   */
  async replaceSegmentsLocked(old: readonly LogSegment[], cleaned: LogSegment, swapSuffix: string): Promise<boolean> {
    const start = this.segs.indexOf(old[0]);
    if (start < 0 || old.some((s, k) => this.segs[start + k] !== s) || start + old.length >= this.segs.length) {
      return false;
    }
    // Readers switch to the cleaned segment first (it is readable under any file name).
    this.segs = [...this.segs.slice(0, start), cleaned, ...this.segs.slice(start + old.length)];
    for (const s of old) await s.markDeleted();
    await cleaned.renameFiles(swapSuffix, '');
    return true;
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
      this.closedForWrites = true;
      if (this.flushInFlight) await this.flushInFlight.catch(() => undefined);
      if (!this.failure) {
        await this.flushOnce();
        await this.activeSegment.flush(true);
        await writeProducerSnapshot(this.dir, this.nextOffsetValue, this.producers.entries(), this.io);
        await this.pruneSnapshots();
      }
      for (const s of this.segs) await s.close();
    });
  }

  /** Keeps the snapshots a restart or a truncation may use: the newest few at or above the first segment. */
  private async pruneSnapshots(): Promise<void> {
    const first = this.segs[0].baseOffset;
    const all = await listProducerSnapshots(this.dir);
    const keep = new Set(all.filter((o) => o >= first).slice(-3));
    for (const off of all) if (!keep.has(off)) await deleteProducerSnapshot(this.dir, off);
  }

  /** Closes (without flushing) and removes the whole partition directory. */
  async deleteLog(): Promise<void> {
    this.closed = true;
    await this.mutex.run(async () => {
      this.closedForWrites = true;
      for (const s of this.segs) await s.close();
      this.segs = [];
    });
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}

/** Index of the segment with the largest baseOffset <= offset, -1 if none. */
export function floorSegment(segs: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid].baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function mapValidationError(code: RecordErrorCode, message: string): StorageError {
  switch (code) {
    case RecordErrorCode.InvalidRecord:
      return new InvalidRecordError(message);
    case RecordErrorCode.InvalidTimestamp:
      return new InvalidTimestampError(message);
    case RecordErrorCode.UnsupportedForMessageFormat:
      return new UnsupportedMessageFormatError(message);
    default:
      return new CorruptRecordError(message);
  }
}
