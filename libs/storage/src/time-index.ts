import { IndexFile } from './index-file';

/**
 * Time index of one segment (`<base>.timeindex`).
 *
 * File format (big-endian), a sequence of 12-byte entries, no header:
 *
 *   offset  size  field
 *   0       8     timestamp       int64  largest batch maxTimestamp seen so far in the segment
 *   8       4     relativeOffset  int32  baseOffset - segment baseOffset of the batch that
 *                                        carried that timestamp
 *
 * Timestamps are strictly increasing: an entry is added (at the same moments as offset
 * index entries, and once more when the segment is rolled) only if the running maximum
 * grew. Invariant used by timestamp lookups: every batch located before the entry's batch
 * has maxTimestamp <= the entry's timestamp.
 */
export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(
    filePath: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    super(filePath, TIME_INDEX_ENTRY_SIZE, Math.max(1, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_SIZE)));
  }

  entry(i: number): TimestampOffset {
    const at = this.slot(i);
    return { timestamp: Number(this.data.readBigInt64BE(at)), offset: this.baseOffset + this.data.readInt32BE(at + 8) };
  }

  lastEntry(): TimestampOffset | null {
    return this.entries === 0 ? null : this.entry(this.entries - 1);
  }

  /** Appends when `timestamp` exceeds the last entry's; returns whether it did. */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): boolean {
    const last = this.lastEntry();
    if (last && (timestamp <= last.timestamp || offset < last.offset)) return false;
    if (this.isFull && !skipFullCheck) return false;
    const at = this.reserveEntry();
    this.data.writeBigInt64BE(BigInt(timestamp), at);
    this.data.writeInt32BE(offset - this.baseOffset, at + 8);
    return true;
  }

  /**
   * The last entry whose timestamp is strictly below `target`: every batch before its
   * offset has maxTimestamp < target, so a search for the first timestamp >= target can
   * start there. Falls back to the segment start.
   */
  lookupBefore(target: number): TimestampOffset {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(this.data.readBigInt64BE(this.slot(mid))) < target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(found);
  }

  /** Drops entries pointing at offsets >= `offset`. */
  async truncateToOffset(offset: number): Promise<void> {
    await this.load();
    let n = this.entries;
    while (n > 0 && this.entry(n - 1).offset >= offset) n--;
    await this.truncateToEntries(n);
  }

  isSane(): boolean {
    if (this.hadTornTail) return false;
    let prevTs = Number.NEGATIVE_INFINITY;
    let prevOff = -1;
    for (let i = 0; i < this.entries; i++) {
      const e = this.entry(i);
      if (e.timestamp <= prevTs || e.offset < prevOff || e.offset < this.baseOffset) return false;
      prevTs = e.timestamp;
      prevOff = e.offset;
    }
    return true;
  }
}
