import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  offsetFileName,
  parseOffsetFileName,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
} from './log-file-names';
import type { LogConfig } from './log-config';
import { LogSegment, SegmentOptions, segmentOptionsFor, SegmentRecoveryResult } from './log-segment';
import { NOOP_LOGGER, StorageLogger } from './logger';
import { ProducerStateManager } from './producer-state';
import { loadProducerState } from './producer-state-loader';
import { deleteProducerSnapshotsBelow } from './producer-state-snapshot';
import { DEFAULT_STORAGE_IO, StorageIo, syncDirectory, unlinkIfExists } from './storage-io';
import { TransactionIndex } from './transaction-index';

/**
 * Opening a partition directory (Kafka's LogLoader): finish or discard interrupted
 * operations, open the segments, check/rebuild indexes and — after an unclean shutdown —
 * re-validate the tail of the active segment.
 *
 * Leftover files:
 *   *.deleted            segments whose deletion was scheduled: unlinked.
 *   *.cleaned            an unfinished compaction output: unlinked.
 *   *.snapshot.tmp       an unfinished producer snapshot: unlinked.
 *   <b>.log.swap         a COMMITTED compaction output: every segment whose base offset is
 *                        in [b, swap's next offset) is replaced by it (their files are
 *                        unlinked and the .swap files renamed into place).
 *   other *.swap         index swaps without their .log.swap: unlinked (indexes rebuilt).
 *   index files without their .log: unlinked.
 *
 * Recovery (no clean-shutdown marker): non-active segments were fsynced when rolled, so
 * only their indexes are sanity-checked (rebuilt from the log when inconsistent). The
 * active segment is re-validated from its last offset-index entry to the end: every batch
 * must be whole, magic 2, CRC-valid and have increasing offsets; the first bad batch and
 * everything after it are truncated. If the index entry itself does not match the batch
 * it points at, the whole segment is re-validated and its indexes rebuilt.
 *
 * Offsets (loadLog): the log end offset is the active segment's next offset; the log
 * start offset is max(checkpointed value, first segment's base offset). When the
 * checkpointed log start offset is beyond the log end offset (a lost tail), the log
 * restarts empty at the log start offset, as Kafka does. The high watermark is the
 * checkpointed one clamped to [log start, log end]. Producer state is rebuilt last
 * (producer-state-loader.ts).
 */
export interface RecoveryReport {
  /** `<topic>-<partition>`. */
  partition: string;
  cleanShutdown: boolean;
  /** Bytes cut off the tail of the active segment. */
  truncatedBytes: number;
  /** Offset at which the tail was cut (the new log end offset), null if nothing was cut. */
  truncatedAtOffset: number | null;
  /** What was wrong with the first dropped bytes, e.g. "partial batch (...)" or "CRC mismatch". */
  truncationReason: string | null;
  /** Batches re-validated in the active segment. */
  batchesValidated: number;
  /** Base offsets of segments whose indexes were rebuilt. */
  rebuiltIndexes: number[];
  /** Base offsets of compaction swaps completed. */
  completedSwaps: number[];
  /** Leftover files removed (names). */
  removedFiles: string[];
  logStartOffset: number;
  logEndOffset: number;
  /** Producer snapshot used (null: replayed from the log start). */
  producerSnapshotOffset: number | null;
  producerBatchesReplayed: number;
  durationMs: number;
}

export interface LoadedSegments {
  segments: LogSegment[];
  report: Omit<RecoveryReport, 'logStartOffset' | 'logEndOffset' | 'producerSnapshotOffset' | 'producerBatchesReplayed' | 'durationMs'>;
}

export async function loadSegments(args: {
  dir: string;
  name: string;
  segmentOptions: SegmentOptions;
  hadCleanShutdown: boolean;
  initialOffset: number;
  logger: StorageLogger;
}): Promise<LoadedSegments> {
  const { dir, name, segmentOptions: opts, logger } = args;
  const removedFiles: string[] = [];
  const completedSwaps: number[] = [];
  const rebuiltIndexes: number[] = [];
  await fsp.mkdir(dir, { recursive: true });

  // 1. Leftovers from interrupted deletions, compactions and snapshot writes.
  let names = await fsp.readdir(dir);
  for (const n of names) {
    if (n.endsWith(DELETED_SUFFIX) || n.endsWith(CLEANED_SUFFIX) || n.endsWith('.snapshot.tmp')) {
      await unlinkIfExists(path.join(dir, n));
      removedFiles.push(n);
    }
  }

  // 2. Committed compaction swaps: replace the segments they cover.
  names = await fsp.readdir(dir);
  const liveBases = (): number[] =>
    names
      .map(parseOffsetFileName)
      .filter((p): p is { offset: number; suffix: string } => p !== null && p.suffix === LOG_SUFFIX)
      .map((p) => p.offset);
  const swapBases = names
    .map(parseOffsetFileName)
    .filter((p): p is { offset: number; suffix: string } => p !== null && p.suffix === LOG_SUFFIX + SWAP_SUFFIX)
    .map((p) => p.offset)
    .sort((a, b) => a - b);
  for (const base of swapBases) {
    const swap = await LogSegment.open(dir, base, opts, SWAP_SUFFIX);
    await swap.rebuildIndexes();
    const next = await swap.nextOffset();
    for (const b of liveBases()) {
      if (b >= base && b < next) {
        for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
          await unlinkIfExists(path.join(dir, offsetFileName(b) + suffix));
        }
      }
    }
    await swap.renameFiles(SWAP_SUFFIX, '');
    await swap.close();
    completedSwaps.push(base);
    logger.info(`partition ${name}: completed interrupted compaction swap at offset ${base}`);
    names = await fsp.readdir(dir);
  }
  if (completedSwaps.length > 0) await syncDirectory(dir);

  // 3. Stray swaps and orphan indexes.
  names = await fsp.readdir(dir);
  const bases = new Set(liveBases());
  for (const n of names) {
    const p = parseOffsetFileName(n);
    if (!p) continue;
    const orphanIndex = (p.suffix === INDEX_SUFFIX || p.suffix === TIME_INDEX_SUFFIX) && !bases.has(p.offset);
    if (p.suffix.endsWith(SWAP_SUFFIX) || orphanIndex) {
      await unlinkIfExists(path.join(dir, n));
      removedFiles.push(n);
    }
  }
  names = await fsp.readdir(dir);
  const present = new Set(names);

  // 4. Open the segments.
  const sorted = [...bases].sort((a, b) => a - b);
  const segments: LogSegment[] = [];
  for (const b of sorted) segments.push(await LogSegment.open(dir, b, opts));
  if (segments.length === 0) segments.push(await LogSegment.create(dir, args.initialOffset, opts));

  // 5. Non-active segments: rebuild missing indexes; sanity-check them after a crash.
  const active = segments[segments.length - 1];
  const isMissing = (seg: LogSegment): boolean => {
    const f = offsetFileName(seg.baseOffset);
    return !present.has(f + INDEX_SUFFIX) || !present.has(f + TIME_INDEX_SUFFIX);
  };
  for (const seg of segments) {
    if (seg === active) continue;
    const missing = isMissing(seg);
    if (missing || (!args.hadCleanShutdown && !(await seg.indexesAreSane()))) {
      logger.warn(`partition ${name}: ${missing ? 'missing' : 'corrupt'} index for segment ${seg.baseOffset}, rebuilding`);
      const r = await seg.rebuildIndexes();
      rebuiltIndexes.push(seg.baseOffset);
      if (r.truncatedBytes > 0) {
        logger.warn(
          `partition ${name}: segment ${seg.baseOffset} had ${r.truncatedBytes} invalid bytes (${r.reason}) after offset ${r.nextOffset}; truncated`,
        );
      }
    }
    await seg.offsetIndex.closeHandle();
    await seg.timeIndex.closeHandle();
    seg.offsetIndex.unload();
    seg.timeIndex.unload();
  }

  // 6. The active segment: rebuild missing/corrupt indexes (a full validating scan), else
  //    re-validate from its last index entry after an unclean shutdown.
  await active.loadState();
  let result: SegmentRecoveryResult | null = null;
  const activeMissing = isMissing(active) && active.size > 0;
  if (activeMissing || !(await active.indexesAreSane())) {
    logger.warn(`partition ${name}: ${activeMissing ? 'missing' : 'corrupt'} index for segment ${active.baseOffset}, rebuilding`);
    result = await active.rebuildIndexes();
    rebuiltIndexes.push(active.baseOffset);
  } else if (!args.hadCleanShutdown) {
    const anchor = active.offsetIndex.lastEntry();
    result = await active.recover(anchor ? anchor.position : 0, active.baseOffset);
    if (result.indexMismatch) {
      logger.warn(`partition ${name}: offset index of segment ${active.baseOffset} does not match the log, rebuilding`);
      result = await active.rebuildIndexes();
      rebuiltIndexes.push(active.baseOffset);
    }
  }
  const cut = result !== null && result.truncatedBytes > 0;
  return {
    segments,
    report: {
      partition: name,
      cleanShutdown: args.hadCleanShutdown,
      truncatedBytes: cut ? result!.truncatedBytes : 0,
      truncatedAtOffset: cut ? result!.nextOffset : null,
      truncationReason: cut ? result!.reason : null,
      batchesValidated: result ? result.batchesChecked : 0,
      rebuiltIndexes,
      completedSwaps,
      removedFiles,
    },
  };
}

/** Everything UnifiedLog needs to start serving a partition. */
export interface LoadedLog {
  segments: LogSegment[];
  producers: ProducerStateManager;
  /** Aborted transactions (.txnindex files), rebuilt with producer state. */
  txnIndex: TransactionIndex;
  report: RecoveryReport;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

/** Where a partition log lives and what is known about it before it is opened. */
export interface LogLoadOptions {
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
}

/** Loads the segments, offsets and producer state of a partition directory (see the header). */
export async function loadLog(args: LogLoadOptions): Promise<LoadedLog> {
  const started = Date.now();
  const dir = args.dir;
  const name = args.name ?? path.basename(dir);
  const logger = args.logger ?? NOOP_LOGGER;
  const segmentOptions = segmentOptionsFor(args.config, args.io ?? DEFAULT_STORAGE_IO);
  const loaded = await loadSegments({
    dir,
    name,
    segmentOptions,
    hadCleanShutdown: args.hadCleanShutdown ?? false,
    initialOffset: args.logStartOffset ?? 0,
    logger,
  });
  let segments = loaded.segments;
  let leo = await segments[segments.length - 1].nextOffset();
  let lso = Math.max(args.logStartOffset ?? 0, segments[0].baseOffset);
  if (lso > leo) {
    // The checkpoint says records up to lso were deleted, but the log ends before it
    // (lost tail): start over at lso, as Kafka does.
    logger.warn(`partition ${name}: log start offset ${lso} is beyond the log end offset ${leo}; starting an empty log at ${lso}`);
    for (const s of segments) await s.markDeleted();
    segments = [await LogSegment.create(dir, lso, segmentOptions)];
    await deleteProducerSnapshotsBelow(dir, Infinity);
    leo = lso;
  }
  const producers = new ProducerStateManager(segments[0].baseOffset);
  const txnIndex = await TransactionIndex.load(dir, (m) => logger.warn(`partition ${name}: ${m}`));
  const ps = await loadProducerState({ dir, segments, logStartOffset: lso, logEndOffset: leo, state: producers, logger, name, txnIndex });
  lso = Math.min(lso, leo);
  const hw = Math.min(Math.max(args.highWatermark ?? lso, lso), leo);
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
  return { segments, producers, txnIndex, report, logStartOffset: lso, logEndOffset: leo, highWatermark: hw };
}
