import { errorMessage } from '@millrace/app-common';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { checkpointKey } from './checkpoint-file';
import { InvalidConfigError, KafkaStorageError } from './errors';
import { LogCleaner, CleanerStats } from './log-cleaner';
import { DEFAULT_LOG_CONFIG, isCompacted, LogConfig } from './log-config';
import { parsePartitionDirName, partitionDirName } from './log-file-names';
import type { RetentionResult } from './log-types';
import { UnifiedLog } from './unified-log';
import { logDirSpace, LogDirSpace, probeOfflineLogs } from './log-dir-health';
import { scrubLogs, ScrubResult } from './log-scrubber';
import { applyScrubProgress, scrubCheckpointTime, verifyAfterScrubbedPoint } from './scrub-progress';
import { NOOP_LOGGER, StorageLogger } from './logger';
import { DEFAULT_STORAGE_IO, StorageIo, syncDirectory, unlinkIfExists } from './storage-io';
import { mapBounded } from './map-bounded';
import { BackgroundTasks } from './background-tasks';
import { readLogDirCheckpoints, writeLogDirCheckpoints } from './log-dir-checkpoints';
import { DEFAULT_RESCRUB_INTERVAL_MS, Rescrubber } from './log-rescrubber';

/**
 * Owns one data directory (Kafka's LogManager for a single log dir):
 *
 *   <dataDir>/
 *     .clean-shutdown                 marker written last by shutdown(), removed at startup
 *     replication-offset-checkpoint   high watermarks        (format: checkpoint-file.ts)
 *     log-start-offset-checkpoint     log start offsets
 *     cleaner-offset-checkpoint       compaction progress (first dirty offset)
 *     scrub-offset-checkpoint         scrubber progress (scrub-progress.ts)
 *     rescrub-state.json              progress of the periodic re-verification (log-rescrubber.ts)
 *     <topic>-<partition>/            one UnifiedLog per partition
 *     <topic>-<partition>.<id>-delete/  a deleted partition awaiting removal
 *
 * startup(): reads and removes the clean-shutdown marker (absent -> every log recovers
 * its active segment and verifies everything after its scrubbed point before it is
 * served), opens all partition directories with at most `recoveryThreads` opening at
 * once (segments below the checkpointed scrubbed point are not verified again), and
 * starts the background tasks (all timers unref'd):
 *   - retention every `retentionCheckIntervalMs` (also expires idle producer ids),
 *   - compaction every `cleanerIntervalMs` for compacted topics,
 *   - the flush.ms scheduler every `flushCheckIntervalMs`,
 *   - offset checkpoints every `checkpointIntervalMs` (and right after a log start offset
 *     moved).
 * Each task never overlaps itself; `runRetentionOnce()`, `runCleanerOnce()`,
 * `flushDirtyLogs()` and `checkpoint()` run them on demand (tests: `scheduleTasks: false`).
 *
 * shutdown(): stops the tasks, waits for running ones, closes every log (fsync, producer
 * snapshot), writes the checkpoints, then the marker.
 */
export interface LogManagerOptions {
  dataDir: string;
  /** Broker-level defaults for topics without overrides. */
  defaultConfig?: LogConfig;
  /** Config of an existing topic at startup (from the metadata layer). Default: defaultConfig. */
  configFor?: (topic: string) => LogConfig | undefined;
  logger?: StorageLogger;
  io?: StorageIo;
  time?: () => number;
  /** Logs opened in parallel at startup (Kafka's num.recovery.threads.per.data.dir). Default 4. */
  recoveryThreads?: number;
  /** log.retention.check.interval.ms, default 300000. */
  retentionCheckIntervalMs?: number;
  /** log.cleaner.backoff.ms, default 15000. */
  cleanerIntervalMs?: number;
  /** log.flush.scheduler.interval.ms, default 1000. */
  flushCheckIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms, default 5000. */
  checkpointIntervalMs?: number;
  /** producer.id.expiration.ms, default 86400000. */
  producerIdExpirationMs?: number;
  /** How often offline logs are probed for a comeback (log-dir-health.ts), default 2000. */
  offlineProbeIntervalMs?: number;
  /** Free bytes the directory needs before an offline log is brought back, default 1 MiB. */
  minFreeBytes?: number;
  /** How often the scrubber runs (log-scrubber.ts; also once a second after start), default 30000. */
  scrubIntervalMs?: number;
  /** Bytes the scrubber verifies per run at most, default 256 MiB (new bytes first, then the re-verification pass). */
  scrubBytesPerRun?: number;
  /** How often every sealed segment is verified again (log-rescrubber.ts), default 7 days; 0 = never. */
  rescrubIntervalMs?: number;
  /** Start the periodic tasks (default true). */
  scheduleTasks?: boolean;
}

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const DELETE_DIR_SUFFIX = '-delete';
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export class LogManager {
  readonly dataDir: string;
  private readonly logs = new Map<string, UnifiedLog>();
  private readonly logger: StorageLogger;
  private readonly io: StorageIo;
  private readonly now: () => number;
  private readonly opts: LogManagerOptions;
  private readonly cleaner: LogCleaner;
  private readonly rescrubber: Rescrubber;
  private defaults: LogConfig;
  private readonly tasks: BackgroundTasks;
  private started = false;
  private stopped = false;
  private hadCleanShutdownValue = false;
  private checkpointPending = false;
  private checkpointChain: Promise<void> = Promise.resolve();

  constructor(opts: LogManagerOptions) {
    this.opts = opts;
    this.dataDir = opts.dataDir;
    this.logger = opts.logger ?? NOOP_LOGGER;
    this.io = opts.io ?? DEFAULT_STORAGE_IO;
    this.now = opts.time ?? Date.now;
    this.defaults = opts.defaultConfig ?? DEFAULT_LOG_CONFIG;
    this.cleaner = new LogCleaner({ logger: this.logger, io: this.io });
    this.tasks = new BackgroundTasks(`log dir ${this.dataDir}`, this.logger);
    this.rescrubber = new Rescrubber({
      dataDir: this.dataDir,
      intervalMs: opts.rescrubIntervalMs ?? DEFAULT_RESCRUB_INTERVAL_MS,
      logger: this.logger,
      time: this.now,
      io: this.io,
    });
  }

  /** Whether the previous run ended with shutdown() (known after startup()). */
  get hadCleanShutdown(): boolean {
    return this.hadCleanShutdownValue;
  }

  get defaultConfig(): LogConfig {
    return this.defaults;
  }

  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await fsp.mkdir(this.dataDir, { recursive: true });
    const marker = path.join(this.dataDir, CLEAN_SHUTDOWN_FILE);
    this.hadCleanShutdownValue = await fsp
      .access(marker)
      .then(() => true)
      .catch(() => false);
    // From here on a crash must be detected as unclean.
    await unlinkIfExists(marker);
    await syncDirectory(this.dataDir);

    const scrubTime = await scrubCheckpointTime(this.dataDir);
    await this.rescrubber.load();
    const { highWatermarks: hw, logStartOffsets: lso, cleanerOffsets: cleaner, scrubbedPoints: scrubbed } = await readLogDirCheckpoints(this.dataDir, this.logger);
    let trusted = 0;
    let recoveryVerified = 0;
    const entries = await fsp.readdir(this.dataDir, { withFileTypes: true });
    const dirs: TopicPartition[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name.endsWith(DELETE_DIR_SUFFIX)) {
        await fsp.rm(path.join(this.dataDir, e.name), { recursive: true, force: true });
        continue;
      }
      const tp = parsePartitionDirName(e.name);
      if (tp) dirs.push(tp);
      else this.logger.warn(`log dir ${this.dataDir}: ignoring directory ${e.name}`);
    }
    const started = Date.now();
    await mapBounded(dirs, this.opts.recoveryThreads ?? 4, async ({ topic, partition }) => {
      const key = checkpointKey(topic, partition);
      const log = await this.openLog(topic, partition, this.opts.configFor?.(topic) ?? this.defaults, {
        hadCleanShutdown: this.hadCleanShutdownValue,
        highWatermark: hw.get(key)?.offset,
        logStartOffset: lso.get(key)?.offset,
      });
      log.cleanerCheckpoint = Math.max(cleaner.get(key)?.offset ?? 0, log.logStartOffset);
      if (scrubTime !== null) trusted += await applyScrubProgress(log, scrubbed.get(key)?.offset ?? 0, scrubTime);
      if (!this.hadCleanShutdownValue) recoveryVerified += (await verifyAfterScrubbedPoint(log)).bytes;
    });
    const scrubNote = `${trusted} segments verified before${this.hadCleanShutdownValue ? '' : `, ${recoveryVerified} bytes after the scrubbed points verified by recovery`}`;
    this.logger.info(
      `log dir ${this.dataDir}: opened ${dirs.length} logs in ${Date.now() - started} ms (${dirs.length === 0 && !this.hadCleanShutdownValue ? 'new log dir' : `${this.hadCleanShutdownValue ? 'clean' : 'UNCLEAN'} shutdown before; ${scrubNote}`})`,
    );
    if (this.opts.scheduleTasks ?? true) this.scheduleTasks();
  }

  private async openLog(
    topic: string,
    partition: number,
    config: LogConfig,
    state: { hadCleanShutdown: boolean; highWatermark?: number; logStartOffset?: number },
  ): Promise<UnifiedLog> {
    const log = await UnifiedLog.open({
      dir: path.join(this.dataDir, partitionDirName(topic, partition)),
      config,
      logger: this.logger,
      io: this.io,
      time: this.now,
      hadCleanShutdown: state.hadCleanShutdown,
      highWatermark: state.highWatermark,
      logStartOffset: state.logStartOffset,
      onLogStartOffsetChanged: () => this.scheduleCheckpoint(),
    });
    this.logs.set(checkpointKey(topic, partition), log);
    return log;
  }

  // ------------------------------------------------------------------ logs

  getLog(topic: string, partition: number): UnifiedLog | undefined {
    return this.logs.get(checkpointKey(topic, partition));
  }

  allLogs(): UnifiedLog[] {
    return [...this.logs.values()];
  }

  /** Opens the log if it exists on disk, else creates it (empty). */
  async getOrCreateLog(topic: string, partition: number, config?: LogConfig): Promise<UnifiedLog> {
    this.ensureRunning();
    const existing = this.getLog(topic, partition);
    if (existing) return existing;
    if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      throw new InvalidConfigError(`illegal topic name ${JSON.stringify(topic)}`);
    }
    if (!Number.isInteger(partition) || partition < 0) throw new InvalidConfigError(`illegal partition ${partition}`);
    const log = await this.openLog(topic, partition, config ?? this.opts.configFor?.(topic) ?? this.defaults, {
      hadCleanShutdown: true,
    });
    await syncDirectory(this.dataDir);
    return log;
  }

  /** Closes and removes a partition's log: renamed to `<dir>.<id>-delete` at once, removed in the background. */
  async deleteLog(topic: string, partition: number): Promise<void> {
    const key = checkpointKey(topic, partition);
    const log = this.logs.get(key);
    if (!log) return;
    this.logs.delete(key);
    await log.close();
    const target = path.join(this.dataDir, `${partitionDirName(topic, partition)}.${Date.now().toString(36)}${DELETE_DIR_SUFFIX}`);
    await fsp.rename(log.dir, target);
    await syncDirectory(this.dataDir);
    this.tasks.track(
      'delete:' + key,
      fsp.rm(target, { recursive: true, force: true }).catch((err: unknown) => {
        this.logger.warn(`failed to remove ${target}: ${errorMessage(err)}`);
      }),
    );
    this.scheduleCheckpoint();
  }

  /** Applies a changed topic config (AlterConfigs) to every partition of `topic`. */
  updateTopicConfig(topic: string, config: LogConfig): void {
    for (const log of this.logs.values()) if (log.topic === topic) log.updateConfig(config);
  }

  /** Changes the broker-level default used for topics without overrides. */
  updateDefaultConfig(config: LogConfig): void {
    this.defaults = config;
  }

  // ------------------------------------------------------------------ tasks

  /** Retention for every log; also expires idle producer ids. */
  async runRetentionOnce(): Promise<Map<string, RetentionResult>> {
    const out = new Map<string, RetentionResult>();
    const expiration = this.opts.producerIdExpirationMs ?? 86400000;
    for (const [key, log] of this.logs) {
      if (log.isClosed) continue;
      try {
        const r = await log.deleteOldSegments();
        if (r.deletedSegments > 0) out.set(key, r);
        log.removeExpiredProducers(expiration);
      } catch (err) {
        this.logger.warn(`partition ${key}: retention failed: ${errorMessage(err)}`);
      }
    }
    return out;
  }

  /** One compaction pass over every compacted log that is due. */
  async runCleanerOnce(): Promise<Map<string, CleanerStats>> {
    const out = new Map<string, CleanerStats>();
    for (const [key, log] of this.logs) {
      if (log.isClosed || !isCompacted(log.config)) continue;
      try {
        const stats = await this.cleaner.cleanIfNeeded(log);
        if (stats) out.set(key, stats);
      } catch (err) {
        this.logger.warn(`partition ${key}: compaction failed: ${errorMessage(err)}`);
      }
    }
    if (out.size > 0) this.scheduleCheckpoint();
    return out;
  }

  /** flush.ms: fsyncs every log whose unflushed data is older than its flush.ms. */
  async flushDirtyLogs(): Promise<number> {
    let n = 0;
    for (const [key, log] of this.logs) {
      if (log.isClosed) continue;
      try {
        if (await log.maybeFlushByTime()) n++;
      } catch (err) {
        this.logger.warn(`partition ${key}: flush failed: ${errorMessage(err)}`);
      }
    }
    return n;
  }

  /**
   * Writes the four offset checkpoint files. Calls run one at a time (each writes the
   * state as of when it starts): a scheduled checkpoint and an explicit one (shutdown,
   * DeleteRecords, tests) would otherwise share the `.tmp` files and race on the rename.
   */
  checkpoint(): Promise<void> {
    const run = this.checkpointChain.then(() => writeLogDirCheckpoints(this.dataDir, this.logs, this.io));
    this.checkpointChain = run.catch(() => undefined);
    return run;
  }

  private scheduleCheckpoint(): void {
    if (this.stopped) return;
    if (this.tasks.isRunning('checkpoint')) {
      this.checkpointPending = true;
      return;
    }
    this.tasks.run('checkpoint', async () => {
      do {
        this.checkpointPending = false;
        await this.checkpoint();
      } while (this.checkpointPending && !this.stopped);
    });
  }

  private scheduleTasks(): void {
    const t = this.tasks;
    t.every(this.opts.retentionCheckIntervalMs ?? 300000, 'retention', () => this.runRetentionOnce());
    t.every(this.opts.cleanerIntervalMs ?? 15000, 'cleaner', () => this.runCleanerOnce());
    t.every(this.opts.flushCheckIntervalMs ?? 1000, 'flush', () => this.flushDirtyLogs());
    t.every(this.opts.checkpointIntervalMs ?? 5000, 'checkpoint', () => this.checkpoint());
    t.every(this.opts.offlineProbeIntervalMs ?? 2000, 'offline-probe', () => this.probeOfflineLogs());
    t.every(this.opts.scrubIntervalMs ?? 30000, 'scrub', () => this.scrubOnce());
    t.after(1000, 'scrub', () => this.scrubOnce());
  }

  /** Brings back logs offline after a failed write once the directory has space again (log-dir-health.ts). */
  probeOfflineLogs(): Promise<string[]> {
    return probeOfflineLogs(this.dataDir, this.allLogs(), this.logger, this.opts.minFreeBytes);
  }

  /** Free and total bytes of the log directory's filesystem. */
  space(): Promise<LogDirSpace> {
    return logDirSpace(this.dataDir);
  }

  /**
   * Verifies up to `scrubBytesPerRun` of not yet verified stored batches (log-scrubber.ts),
   * then spends what is left of the budget on the re-verification pass when one is due
   * (log-rescrubber.ts). The result sums both.
   */
  async scrubOnce(): Promise<ScrubResult> {
    const budget = this.opts.scrubBytesPerRun ?? 256 << 20;
    const fresh = await scrubLogs(this.allLogs(), budget);
    if (fresh.bytesVerified >= budget) return fresh;
    const again = await this.rescrubber.runOnce(this.allLogs(), budget - fresh.bytesVerified);
    return { bytesVerified: fresh.bytesVerified + again.bytesVerified, corruptFound: fresh.corruptFound + again.corruptFound };
  }

  private ensureRunning(): void {
    if (!this.started || this.stopped) throw new KafkaStorageError(`log manager for ${this.dataDir} is not running`);
  }

  /** Clean shutdown: stop tasks, close logs, checkpoint, write the marker. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.tasks.stop();
    let failed = false;
    await mapBounded([...this.logs.values()], this.opts.recoveryThreads ?? 4, async (log) => {
      try {
        await log.close();
        if (log.isOffline) failed = true;
      } catch (err) {
        failed = true;
        this.logger.warn(`partition ${log.name}: close failed: ${errorMessage(err)}`);
      }
    });
    await this.checkpoint();
    if (!failed) {
      await fsp.writeFile(path.join(this.dataDir, CLEAN_SHUTDOWN_FILE), '');
      await syncDirectory(this.dataDir);
    }
    this.logger.info(`log dir ${this.dataDir}: shut down ${failed ? 'with errors (recovery at next start)' : 'cleanly'}`);
  }
}
