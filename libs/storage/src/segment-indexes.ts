import type { OffsetIndex } from './offset-index';
import type { StorageIo } from './storage-io';
import type { TimeIndex } from './time-index';

/**
 * The two indexes of one segment (offset-index.ts, time-index.ts give their file
 * formats) and the running state that decides their next entries, as Kafka's LogSegment
 * keeps it: bytes written since the last entry, the largest batch maxTimestamp so far and
 * the offset of the batch that carried it, and the first batch's maxTimestamp
 * (segment.ms is measured from it).
 *
 * Entry rule, the same for appends and for recovery (so a rebuilt index equals the one
 * written while appending): before a batch is recorded, if more than index.interval.bytes
 * of log were written since the previous entry, the offset index gets (the batch's base
 * offset, its position) and the time index (largest timestamp so far, its batch's base
 * offset) when that timestamp grew. Position 0 needs no entry: lookups fall back to it.
 */
export class SegmentIndexes {
  private bytesSinceLastEntry = 0;
  private maxTimestampSoFar = -1;
  private offsetOfMaxTimestampSoFar: number;
  /** maxTimestamp of the first batch, null for an empty segment. */
  firstBatchTimestamp: number | null = null;

  constructor(
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.offsetOfMaxTimestampSoFar = baseOffset;
  }

  /** Largest batch maxTimestamp recorded since load (or restored from the time index), -1 if none. */
  get maxTimestamp(): number {
    return this.maxTimestampSoFar;
  }

  /** True when either loaded index has no room left (the segment must roll). */
  get isFull(): boolean {
    return (this.offsetIndex.isLoaded && this.offsetIndex.isFull) || (this.timeIndex.isLoaded && this.timeIndex.isFull);
  }

  async load(): Promise<void> {
    await this.offsetIndex.load();
    await this.timeIndex.load();
  }

  /** Loads both indexes; an existing time-index entry gives the largest timestamp so far (opening a segment). */
  async loadWithRunningMax(): Promise<void> {
    await this.load();
    const last = this.timeIndex.lastEntry();
    if (last) {
      this.maxTimestampSoFar = last.timestamp;
      this.offsetOfMaxTimestampSoFar = last.offset;
    }
  }

  /**
   * Restarts the running state from the time index's last entry (after a cut):
   * the largest timestamp is that entry's, and the next entry comes after another
   * index.interval.bytes.
   */
  restoreFromTimeIndex(): void {
    const last = this.timeIndex.lastEntry();
    this.maxTimestampSoFar = last ? last.timestamp : -1;
    this.offsetOfMaxTimestampSoFar = last ? last.offset : this.baseOffset;
    this.bytesSinceLastEntry = 0;
  }

  /**
   * Records one batch of `size` bytes at `position` (in file order), adding index entries
   * by the rule above; none at or below `indexedUpTo` (recovery keeps the entries there).
   */
  onBatch(baseOffset: number, maxTimestamp: number, position: number, size: number, indexedUpTo = -1): void {
    if (this.firstBatchTimestamp === null) this.firstBatchTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = maxTimestamp;
      this.offsetOfMaxTimestampSoFar = baseOffset;
    }
    if (this.bytesSinceLastEntry > this.indexIntervalBytes && position > indexedUpTo) {
      this.offsetIndex.append(baseOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastEntry = 0;
    }
    this.bytesSinceLastEntry += size;
  }

  /**
   * Adds the running maximum as the time index's final entry, even when the index is
   * full: retention reads a segment's largest timestamp from it (Kafka does the same).
   */
  appendFinalTimeEntry(): void {
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
  }

  /** Writes the new entries of both indexes (page cache). */
  async persist(): Promise<void> {
    await this.offsetIndex.persist();
    await this.timeIndex.persist();
  }

  /**
   * Persists once either index holds `maxUnpersisted` entries not yet written, so the
   * append path pays one index write per that many entries instead of one per append.
   * Entries not yet written are safe to lose in a crash: they lie past the log's
   * recovery point (flush() persists them), and recovery re-indexes from there.
   */
  async persistIfBehind(maxUnpersisted: number): Promise<void> {
    if (this.offsetIndex.unpersistedEntries >= maxUnpersisted || this.timeIndex.unpersistedEntries >= maxUnpersisted) await this.persist();
  }

  /** Best-effort persist before the files are closed or renamed away. */
  async persistQuietly(): Promise<void> {
    await this.offsetIndex.persist().catch(() => undefined);
    await this.timeIndex.persist().catch(() => undefined);
  }

  /** Persists and fsyncs both indexes. */
  async sync(io: StorageIo): Promise<void> {
    await this.offsetIndex.sync(io);
    await this.timeIndex.sync(io);
  }

  async closeHandles(): Promise<void> {
    await this.offsetIndex.closeHandle();
    await this.timeIndex.closeHandle();
  }

  /** Drops every entry of both indexes (before a rebuild). */
  async reset(): Promise<void> {
    await this.offsetIndex.reset();
    await this.timeIndex.reset();
  }

  async delete(): Promise<void> {
    await this.offsetIndex.delete();
    await this.timeIndex.delete();
  }
}
