import { errorMessage } from '@millrace/app-common';
import * as protocol from '@millrace/protocol';
import type { LogSegment } from './log-segment';
import type { StorageLogger } from './logger';
import type { ProducerStateManager } from './producer-state';
import { deleteProducerSnapshot, listProducerSnapshots, readProducerSnapshot } from './producer-state-snapshot';
import { isAbortMarker, type AbortedTxn, type TransactionIndex } from './transaction-index';

const { isControl, isTransactional } = protocol;

/**
 * Rebuilds a partition's producer state: load the newest valid snapshot at or below the
 * log end offset (snapshots above it — left by a truncation — are deleted, unreadable ones
 * too), then replay the batch HEADERS from the snapshot offset to the log end offset.
 * Producer fields all live in the v2 header, so no record is decoded — except the one
 * record of each transaction marker when a transaction index is given: its entries from
 * the replay offset on are dropped and rebuilt from the ABORT markers replayed.
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
  txnIndex?: TransactionIndex;
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
  const txnIndex = args.txnIndex;
  if (txnIndex) {
    await txnIndex.deleteBelow(segments.length > 0 ? segments[0].baseOffset : from);
    await txnIndex.truncateTo(from);
  }
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const next = i + 1 < segments.length ? segments[i + 1].baseOffset : Number.MAX_SAFE_INTEGER;
    if (next <= from) continue;
    await seg.offsetIndex.load();
    const start = seg.offsetIndex.lookup(from).position;
    const aborted: AbortedTxn[] = [];
    for await (const step of seg.scan(start, txnIndex !== undefined)) {
      if (step.kind !== 'batch') break;
      const h = step.header;
      if (h.baseOffset < from) continue;
      if (h.producerId >= 0) {
        if (txnIndex && step.bytes && isControl(h.attributes) && isTransactional(h.attributes)) {
          const open = view.lookup(h.producerId)?.currentTxnFirstOffset ?? -1;
          if (open >= 0 && isAbortMarker(step.bytes, 0)) aborted.push({ producerId: h.producerId, firstOffset: open, lastOffset: h.baseOffset, lastStableOffset: -1 });
        }
        view.record(h, h.baseOffset, h.baseOffset + h.lastOffsetDelta);
        const last = aborted[aborted.length - 1];
        if (last && last.lastStableOffset < 0) last.lastStableOffset = view.firstUnstableOffset(h.baseOffset + h.lastOffsetDelta + 1);
      }
      replayed++;
    }
    if (txnIndex) await txnIndex.append(seg.baseOffset, aborted);
  }
  view.mergeIntoParent();
  state.mapEndOffset = logEndOffset;
  state.onLogStartOffsetIncremented(args.logStartOffset);
  return { snapshotOffset, replayedBatches: replayed };
}

