/**
 * Which leader epoch wrote which part of a partition's log (Kafka's LeaderEpochFileCache):
 * entries (epoch, startOffset), both strictly increasing; epoch E covers the offsets from
 * its startOffset up to the next entry's. It answers OffsetsForLeaderEpoch (API 23): a
 * follower that became one after a leader change asks the leader where its last epoch
 * ended and truncates its log there, so a divergent tail is removed, never served.
 *
 * File `<topic>-<partition>/leader-epoch-checkpoint`, Kafka's text format:
 *
 *   0           <- version
 *   2           <- number of entries
 *   0 0         <- epoch SPACE start offset, in increasing order
 *   3 1200
 *
 * The cache is memory only and its mutations are synchronous, returning whether anything
 * changed; log-leader-epochs.ts writes the file after each change.
 */
export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/** OffsetsForLeaderEpoch's answer for an epoch Kafka does not know: (-1, -1). */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class LeaderEpochCache {
  private entries: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    this.entries = [...entries];
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEpoch(): number | null {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].epoch : null;
  }

  /**
   * Records that `epoch` starts at `startOffset` (a leader at election, or a follower on
   * appending a batch whose partitionLeaderEpoch is new). A no-op for the latest epoch at
   * the same or a higher offset. Entries with an epoch >= `epoch` or a start offset >=
   * `startOffset` are removed first, so the cache stays monotonic (Kafka: assign +
   * maybeTruncateNonMonotonicEntries). Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(startOffset) || startOffset < 0) {
      throw new Error(`leader epoch entry (${epoch}, ${startOffset}) must have a non-negative epoch and start offset`);
    }
    const last = this.entries[this.entries.length - 1];
    if (last && last.epoch === epoch && startOffset >= last.startOffset) return false;
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    return true;
  }

  /**
   * OffsetsForLeaderEpoch for `requestedEpoch` on a log ending at `logEndOffset`: the
   * largest known epoch <= the requested one, and the offset where it ended (the start of
   * the next higher epoch, or the log end for the latest epoch). (-1, -1) when the
   * requested epoch is -1, the cache is empty, or the epoch is above every known one.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEntry {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, startOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedAnswer;
    if (this.latestEpoch === requestedEpoch) return { epoch: requestedEpoch, startOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (!higher) return undefinedAnswer;
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requestedEpoch) floor = e;
    return floor ? { epoch: floor.epoch, startOffset: higher.startOffset } : { epoch: requestedEpoch, startOffset: higher.startOffset };
  }

  /** After the log was truncated to end at `endOffset`: drops entries starting at or after it. */
  truncateFromEnd(endOffset: number): boolean {
    const last = this.entries[this.entries.length - 1];
    if (endOffset < 0 || !last || last.startOffset < endOffset) return false;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    return true;
  }

  /**
   * After the log start moved to `startOffset` (retention, DeleteRecords): drops entries
   * wholly before it; the last of them is kept, starting at `startOffset`.
   */
  truncateFromStart(startOffset: number): boolean {
    const before = this.entries.filter((e) => e.startOffset <= startOffset);
    if (before.length === 0) return false;
    const kept = before[before.length - 1];
    if (before.length === 1 && kept.startOffset === startOffset) return false;
    this.entries = [{ epoch: kept.epoch, startOffset }, ...this.entries.filter((e) => e.startOffset > startOffset)];
    return true;
  }

  /** Forgets every entry (the log restarted empty). */
  clear(): boolean {
    const had = this.entries.length > 0;
    this.entries = [];
    return had;
  }
}

export function encodeLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return ['0', String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n';
}

/** Parses a leader-epoch-checkpoint; throws naming `file` when it is malformed. */
export function decodeLeaderEpochCheckpoint(text: string, file = LEADER_EPOCH_CHECKPOINT): EpochEntry[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) throw new Error(`${file}: truncated`);
  if (lines[0].trim() !== '0') throw new Error(`${file}: unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) throw new Error(`${file}: expected ${lines[1]} entries, found ${lines.length - 2}`);
  const out: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const parts = line.trim().split(' ');
    const [epoch, startOffset] = parts.map(Number);
    if (parts.length !== 2 || !Number.isInteger(epoch) || !Number.isInteger(startOffset) || epoch < 0 || startOffset < 0) {
      throw new Error(`${file}: malformed line ${JSON.stringify(line)}`);
    }
    const prev = out[out.length - 1];
    if (prev && (epoch <= prev.epoch || startOffset <= prev.startOffset)) throw new Error(`${file}: entries not increasing at ${JSON.stringify(line)}`);
    out.push({ epoch, startOffset });
  }
  return out;
}
