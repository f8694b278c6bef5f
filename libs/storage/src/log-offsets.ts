/**
 * The two consumer-facing bounds a partition log keeps besides its end offset, and the
 * invariant between them (Kafka's UnifiedLog fields):
 *
 *   logStartOffset <= highWatermark <= logEndOffset
 *
 *   - logEndOffset (LEO): offset the next appended record gets (LocalLog's; read here
 *     through `logEndOffset()`).
 *   - logStartOffset: first offset visible to consumers; only ever raised, by retention
 *     and DeleteRecords (or reset by a full truncation); may point inside the first
 *     segment. Recovered as max(checkpointed value, first segment's base offset)
 *     (log-loader.ts).
 *   - highWatermark: set by the partition/replication layer, clamped into
 *     [logStartOffset, LEO]; raised with logStartOffset, lowered with the LEO on
 *     truncation.
 *
 * Neither is persisted here: LogManager checkpoints both in the log directory's
 * `replication-offset-checkpoint` / `log-start-offset-checkpoint` files. Not
 * synchronized: UnifiedLog changes them under its mutex, except `updateHighWatermark`,
 * which only clamps.
 */
export class LogOffsets {
  constructor(
    private start: number,
    private hw: number,
    private readonly logEndOffset: () => number,
  ) {}

  get logStartOffset(): number {
    return this.start;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Sets the high watermark clamped to [logStartOffset, LEO]; returns the value kept. */
  updateHighWatermark(offset: number): number {
    this.hw = Math.min(Math.max(offset, this.start), this.logEndOffset());
    return this.hw;
  }

  /** Raises logStartOffset to `offset` (and the high watermark with it); false when it was not below. */
  raiseLogStartOffset(offset: number): boolean {
    if (offset <= this.start) return false;
    this.start = offset;
    if (this.hw < offset) this.hw = Math.min(offset, this.logEndOffset());
    return true;
  }

  /** After a truncation lowered the LEO: the high watermark follows it down. */
  clampToLogEnd(): void {
    const leo = this.logEndOffset();
    if (this.hw > leo) this.hw = leo;
  }

  /** A log restarted empty at `offset`: both bounds stand there. */
  reset(offset: number): void {
    this.start = offset;
    this.hw = offset;
  }
}
