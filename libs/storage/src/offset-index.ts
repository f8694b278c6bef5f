import { IndexFile } from './index-file';

/**
 * Sparse offset index of one segment (`<base>.index`).
 *
 * File format (big-endian), a sequence of 8-byte entries, no header:
 *
 *   offset  size  field
 *   0       4     relativeOffset  int32  batch baseOffset - segment baseOffset
 *   4       4     position        int32  byte position of that batch in the .log file
 *
 * Entries are strictly increasing in both fields. One entry is added when more than
 * `index.interval.bytes` of log were appended since the previous entry (and for the first
 * batch of the segment). Kafka indexes the LAST offset of the batch found at `position`;
 * this index records the batch's BASE offset instead, so a lookup lands directly on the
 * batch containing the target offset when it is indexed. Either way the invariant used by
 * readers is the same: every batch containing an offset >= relativeOffset starts at or
 * after `position`.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  constructor(
    filePath: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
  ) {
    super(filePath, OFFSET_INDEX_ENTRY_SIZE, Math.max(1, Math.floor(maxIndexBytes / OFFSET_INDEX_ENTRY_SIZE)));
  }

  entry(i: number): OffsetPosition {
    const at = this.slot(i);
    return { offset: this.baseOffset + this.data.readInt32BE(at), position: this.data.readInt32BE(at + 4) };
  }

  lastEntry(): OffsetPosition | null {
    return this.entries === 0 ? null : this.entry(this.entries - 1);
  }

  /** Appends (offset, position); the caller guarantees both exceed the last entry. */
  append(offset: number, position: number): void {
    const at = this.reserveEntry();
    this.data.writeInt32BE(offset - this.baseOffset, at);
    this.data.writeInt32BE(position, at + 4);
  }

  /**
   * Largest entry with offset <= target, or the segment start (baseOffset, 0) when none.
   * The index must be loaded.
   */
  lookup(target: number): OffsetPosition {
    const i = this.floorIndex(target);
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  /** Index of the last entry with offset <= target, -1 if none. */
  floorIndex(target: number): number {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data.readInt32BE(this.slot(mid)) <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops entries for offsets >= `offset` (truncation). */
  async truncateToOffset(offset: number): Promise<void> {
    await this.load();
    const i = this.floorIndex(offset - 1);
    await this.truncateToEntries(i + 1);
  }

  /** Drops entries whose position is >= `size` (log file cut to `size` bytes). */
  async truncateToPosition(size: number): Promise<void> {
    await this.load();
    let n = this.entries;
    while (n > 0 && this.entry(n - 1).position >= size) n--;
    await this.truncateToEntries(n);
  }

  /** Kafka's sanity check: increasing entries, all positions inside the log. */
  isSane(logSize: number): boolean {
    if (this.hadTornTail) return false;
    let prevOff = -1;
    let prevPos = -1;
    for (let i = 0; i < this.entries; i++) {
      const e = this.entry(i);
      if (e.offset < this.baseOffset || e.offset <= prevOff || e.position <= prevPos || e.position >= logSize) return false;
      prevOff = e.offset;
      prevPos = e.position;
    }
    return true;
  }
}
