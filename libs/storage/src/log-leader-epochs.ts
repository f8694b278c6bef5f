import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from './atomic-file';
import { decodeLeaderEpochCheckpoint, encodeLeaderEpochCheckpoint, LEADER_EPOCH_CHECKPOINT, LeaderEpochCache, type EpochEntry } from './leader-epoch-cache';
import type { StorageLogger } from './logger';

/**
 * A partition's leader epochs (leader-epoch-cache.ts) kept in its directory's
 * `leader-epoch-checkpoint`. Mutations apply in memory at once and are written in order
 * (each write replaces the file atomically with the state after its change); `flush()`
 * waits for the writes so far. A missing file on a log that already has data (logs
 * written before this file existed) starts with the first batch's epoch at the log start
 * offset: every batch the single broker wrote carries epoch 0.
 *
 * Not yet done: epochs of batches appended by a follower (they carry the leader's epoch)
 * and re-deriving the cache from batch headers during crash recovery, as Kafka's segment
 * recovery does; both come with replication.
 */
export class LogLeaderEpochs {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    readonly cache: LeaderEpochCache,
    private readonly logger: StorageLogger,
  ) {}

  /**
   * Reads `<dir>/leader-epoch-checkpoint`. `firstBatchEpoch` is consulted only when the
   * file is missing or unreadable: the epoch of the log's first batch (null: empty log).
   */
  static async load(dir: string, logStartOffset: number, firstBatchEpoch: () => Promise<number | null>, logger: StorageLogger): Promise<LogLeaderEpochs> {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    let entries: EpochEntry[] | null = null;
    try {
      entries = decodeLeaderEpochCheckpoint(await fsp.readFile(file, 'utf8'), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`${(err as Error).message}; rebuilding it from the log`);
    }
    const epochs = new LogLeaderEpochs(file, new LeaderEpochCache(entries ?? []), logger);
    if (entries === null) {
      const epoch = await firstBatchEpoch();
      if (epoch !== null && epoch >= 0) epochs.apply(epochs.cache.assign(epoch, logStartOffset));
    } else {
      epochs.apply(epochs.cache.truncateFromStart(logStartOffset));
    }
    return epochs;
  }

  /** A leader appended batches of `epoch` from `baseOffset` on. */
  onAppend(epoch: number, baseOffset: number): void {
    if (epoch < 0 || (this.cache.latestEpoch !== null && this.cache.latestEpoch >= epoch)) return;
    this.apply(this.cache.assign(epoch, baseOffset));
  }

  truncateFromEnd(endOffset: number): void {
    this.apply(this.cache.truncateFromEnd(endOffset));
  }

  truncateFromStart(startOffset: number): void {
    this.apply(this.cache.truncateFromStart(startOffset));
  }

  clear(): void {
    this.apply(this.cache.clear());
  }

  /** Waits until every change so far is in the file. */
  flush(): Promise<void> {
    return this.writes;
  }

  private apply(changed: boolean): void {
    if (!changed) return;
    const text = encodeLeaderEpochCheckpoint(this.cache.all);
    this.writes = this.writes
      .then(() => writeFileAtomically(this.file, text))
      .catch((err: unknown) => this.logger.warn(`cannot write ${this.file}: ${(err as Error).message} (rewritten with the next change)`));
  }
}
