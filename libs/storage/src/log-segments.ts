import type { LogSegment } from './log-segment';

/**
 * The ordered segments of one partition log (Kafka's LogSegments): oldest first, base
 * offsets strictly increasing, the last one active (the only one appended to). Never
 * empty while the log is open.
 *
 * Copy-on-write: every change installs a new array, so `all` is a stable snapshot a reader
 * can walk while the log rolls, deletes or swaps segments (it pins each segment it reads
 * with retain()/release(); a segment removed here stays readable until released). Changes
 * are made only by LocalLog, under the log mutex; removing a segment from the list does
 * not delete its files (the caller does, with markDeleted()).
 */
export class LogSegments {
  private list: readonly LogSegment[];

  constructor(segments: readonly LogSegment[]) {
    this.list = segments;
  }

  /** Current segments, oldest first (a snapshot; do not mutate). */
  get all(): readonly LogSegment[] {
    return this.list;
  }

  get count(): number {
    return this.list.length;
  }

  get first(): LogSegment {
    return this.list[0];
  }

  get active(): LogSegment {
    return this.list[this.list.length - 1];
  }

  /** Bytes of all segments' .log files. */
  get sizeInBytes(): number {
    let n = 0;
    for (const s of this.list) n += s.size;
    return n;
  }

  /** Index of the segment with the largest baseOffset <= offset, -1 if none. */
  floorIndex(offset: number): number {
    return floorSegment(this.list, offset);
  }

  /** Appends a new active segment (roll). */
  add(segment: LogSegment): void {
    this.list = [...this.list, segment];
  }

  /** Puts `segment` in the place of the active one (roll from an empty active segment). */
  replaceActive(segment: LogSegment): void {
    this.list = [...this.list.slice(0, -1), segment];
  }

  /** Removes and returns the first `n` segments. */
  removeOldest(n: number): LogSegment[] {
    const removed = this.list.slice(0, n);
    this.list = this.list.slice(n);
    return removed;
  }

  /** Removes and returns every segment whose baseOffset >= `offset` (truncation). */
  removeFrom(offset: number): LogSegment[] {
    const removed = this.list.filter((s) => s.baseOffset >= offset);
    this.list = this.list.filter((s) => s.baseOffset < offset);
    return removed;
  }

  /**
   * Replaces the consecutive segments `old` by `replacement` (compaction swap). False,
   * changing nothing, unless `old` are still live, consecutive and not the active segment.
   */
  replaceRange(old: readonly LogSegment[], replacement: LogSegment): boolean {
    const start = this.list.indexOf(old[0]);
    if (start < 0 || old.some((s, k) => this.list[start + k] !== s) || start + old.length >= this.list.length) {
      return false;
    }
    this.list = [...this.list.slice(0, start), replacement, ...this.list.slice(start + old.length)];
    return true;
  }

  /** Replaces every segment by `segments`; returns the previous ones. */
  reset(segments: readonly LogSegment[]): readonly LogSegment[] {
    const old = this.list;
    this.list = segments;
    return old;
  }
}

/** Index of the segment with the largest baseOffset <= offset, -1 if none (binary search). */
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
