import { iterateBatches } from '@millrace/protocol';
import type { Partition } from '../partition/partition';

/**
 * What a replica fetcher does to one follower replica's log: the narrow face of a
 * hosted Partition (followerReplicaOf), so the fetcher can be tested without logs on disk.
 */
export interface FollowerReplica {
  readonly logEndOffset: number;
  /** This replica's latest leader epoch (null: its epoch cache is empty). */
  latestLeaderEpoch(): number | null;
  /**
   * Where this replica's copy of `epoch` ends (the start of its next higher epoch; the
   * log end for its latest epoch): OffsetsForLeaderEpoch answered locally.
   */
  endOfEpoch(epoch: number): number;
  truncateTo(offset: number): Promise<void>;
  /** Appends batches fetched from the leader, keeping their offsets and leader epoch. */
  appendReplicated(records: Buffer, leaderEpoch: number): Promise<void>;
  /** The leader's high watermark, capped at this replica's log end. */
  followLeaderHighWatermark(highWatermark: number): void;
}

export function followerReplicaOf(p: Partition): FollowerReplica {
  return {
    get logEndOffset() {
      return p.logEndOffset;
    },
    latestLeaderEpoch: () => p.log.leaderEpochs.cache.latestEpoch,
    endOfEpoch: (epoch) => p.log.leaderEpochs.cache.endOffsetFor(epoch, p.logEndOffset).startOffset,
    truncateTo: (offset) => p.log.truncateTo(offset),
    appendReplicated: async (records, leaderEpoch) => {
      await p.log.append(records, { origin: 'replication', leaderEpoch });
    },
    followLeaderHighWatermark: (hw) => p.followLeaderHighWatermark(hw),
  };
}

/**
 * The offset a follower's log is cut at after OffsetsForLeaderEpoch: the leader said its
 * copy of `answeredEpoch` ends at `leaderEndOffset`; when that is an older epoch than
 * the follower's latest (`requestedEpoch`), the follower's own copy of the answered
 * epoch may end earlier, and the cut is the lower of the two. -1 from the leader: no cut.
 */
export function truncationTarget(replica: FollowerReplica, requestedEpoch: number, answeredEpoch: number, leaderEndOffset: number): number | null {
  if (leaderEndOffset < 0) return null;
  let target = leaderEndOffset;
  if (answeredEpoch !== requestedEpoch) target = Math.min(target, replica.endOfEpoch(answeredEpoch));
  return target < replica.logEndOffset ? target : null;
}

/**
 * Appends fetched batches keeping the leader's offsets: batches this replica already
 * holds are skipped, the rest appended one run of batches of the same leader epoch at a
 * time (the epoch cache follows each run's epoch).
 */
export async function appendAsFollower(replica: FollowerReplica, records: Buffer): Promise<void> {
  let runStart = -1;
  let runEnd = -1;
  let runEpoch = -1;
  const flush = async (): Promise<void> => {
    if (runStart < 0) return;
    await replica.appendReplicated(records.subarray(runStart, runEnd), runEpoch);
    runStart = -1;
  };
  for (const { pos, size, header } of iterateBatches(records)) {
    if (header.baseOffset + header.lastOffsetDelta < replica.logEndOffset && runStart < 0) continue; // already held
    if (runStart >= 0 && header.partitionLeaderEpoch !== runEpoch) await flush();
    if (runStart < 0) {
      runStart = pos;
      runEpoch = header.partitionLeaderEpoch;
    }
    runEnd = pos + size;
  }
  await flush();
}
