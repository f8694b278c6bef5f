/**
 * The most recently appended bytes of an active segment, kept in memory so that a fetch
 * of what was just produced (a consumer at the log end: the common case) is answered
 * without a positional read through the libuv thread pool.
 *
 * Layout: one buffer holding the file bytes [start, start + length), filled append by
 * append. Bytes in a buffer are written once and never changed: when an append does not
 * fit, or the file is cut, the cache starts over in a NEW buffer, so a slice handed to a
 * reader (still being sent on a socket) never changes under it. Memory: at most one
 * buffer of `capacity` bytes per active segment, allocated on its first append (a segment
 * that only serves reads has none); `clear()` drops it when the segment is sealed.
 *
 * Only whole appends go in (an append larger than the capacity empties the cache), so
 * the cached range always ends at the segment's committed size and starts at a batch
 * boundary. The bytes are the ones the append validation checked, i.e. the ones written
 * to the file.
 */
export class SegmentTailCache {
  private buf: Buffer | null = null;
  private start = 0;
  private length = 0;

  constructor(private readonly capacity: number) {}

  /** Records the bytes of one append, written at file position `position`. */
  onAppend(position: number, buffers: readonly Buffer[], total: number): void {
    if (this.capacity <= 0 || total > this.capacity) return this.clear();
    if (this.buf === null || position !== this.start + this.length || this.length + total > this.capacity) {
      this.buf = Buffer.allocUnsafe(this.capacity);
      this.start = position;
      this.length = 0;
    }
    for (const b of buffers) {
      b.copy(this.buf, this.length);
      this.length += b.length;
    }
  }

  /**
   * Bytes [position, min(position + size, end)) when the cache holds all of them (a view,
   * not a copy), else null. `end` is the segment's committed size.
   */
  read(position: number, size: number, end: number): Buffer | null {
    if (this.buf === null || position < this.start) return null;
    const to = Math.min(position + size, end);
    if (to > this.start + this.length || to < position) return null;
    return this.buf.subarray(position - this.start, to - this.start);
  }

  /** Forgets everything (the file was cut, or the segment is no longer active). */
  clear(): void {
    this.buf = null;
    this.start = 0;
    this.length = 0;
  }
}
