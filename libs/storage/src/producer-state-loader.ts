import { errorMessage } from '@millrace/app-common';
import type { LogSegment } from './log-segment';
import type { StorageLogger } from './logger';
import type { ProducerStateManager } from './producer-state';
import { deleteProducerSnapshot, listProducerSnapshots, readProducerSnapshot } from './producer-state-snapshot';

/**
 * Rebuilds a partition's producer state: load the newest valid snapshot at or below the
 * log end offset (snapshots above it — left by a truncation — are deleted, unreadable ones
 * too), then replay the batch HEADERS from the snapshot offset to the log end offset.
 * Producer fields all live in the v2 header, so no record is decoded.
 */
export interface ProducerStateLoadResult {
  /** Offset of the snapshot used, null when replayed from the start of the log. */
  snapshotOffset: number | null;
  /** Batches replayed after the snapshot. */
  replayedBatches: number;
}

export async function loadProducerState(args: {
  dir: string;
  segments: readonly LogSegment[];
  logStartOffset: number;
  logEndOffset: number;
  state: ProducerStateManager;
  logger: StorageLogger;
  name: string;
}): Promise<ProducerStateLoadResult> {
  const { dir, segments, logEndOffset, state, logger, name } = args;
  const snapshots = await listProducerSnapshots(dir);
  let snapshotOffset: number | null = null;
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const off = snapshots[i];
    if (off > logEndOffset) {
      await deleteProducerSnapshot(dir, off);
      continue;
    }
    if (snapshotOffset !== null) continue;
    try {
      state.load(await readProducerSnapshot(dir, off), off);
      snapshotOffset = off;
    } catch (err) {
      logger.warn(`partition ${name}: ignoring unreadable producer snapshot at offset ${off}: ${errorMessage(err)}`);
      await deleteProducerSnapshot(dir, off);
    }
  }
  if (snapshotOffset === null) state.clear(segments.length > 0 ? segments[0].baseOffset : args.logStartOffset);

  const from = state.mapEndOffset;
  let replayed = 0;
  const view = state.view();
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const next = i + 1 < segments.length ? segments[i + 1].baseOffset : Number.MAX_SAFE_INTEGER;
    if (next <= from) continue;
    await seg.offsetIndex.load();
    const start = seg.offsetIndex.lookup(from).position;
    for await (const step of seg.scan(start, false)) {
      if (step.kind !== 'batch') break;
      const h = step.header;
      if (h.baseOffset < from) continue;
      if (h.producerId >= 0) view.record(h, h.baseOffset, h.baseOffset + h.lastOffsetDelta);
      replayed++;
    }
  }
  view.mergeIntoParent();
  state.mapEndOffset = logEndOffset;
  state.onLogStartOffsetIncremented(args.logStartOffset);
  return { snapshotOffset, replayedBatches: replayed };
}
