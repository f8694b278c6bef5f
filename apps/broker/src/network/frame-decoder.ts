/**
 * Splits a TCP byte stream into Kafka request frames.
 *
 * Wire format: each request is `size int32 (big-endian)` followed by `size` bytes
 * (request header + body). `push` returns the complete frames found so far, without
 * the size prefix. A frame whose size is negative, below the smallest request header
 * (8 bytes: apiKey, apiVersion, correlationId) or above `maxFrameBytes` raises
 * FrameTooLargeError / InvalidFrameError before any of its body is buffered, so a
 * hostile size can never make the broker allocate it.
 *
 * Memory: at most one partial frame (<= maxFrameBytes) is held between pushes.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (true) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const size = this.peekSize();
        if (size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        if (size < 8) throw new InvalidFrameError(`request frame size ${size} is smaller than a request header`);
        this.consume(4);
        this.expected = size;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.consume(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** Bytes held for a frame not yet complete. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.concatAll().readInt32BE(0);
  }

  private concatAll(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  /** Removes and returns the next n bytes; a frame inside one chunk is a zero-copy view. */
  private consume(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const take = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, take);
        filled += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}

export class FrameTooLargeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`request frame of ${size} bytes exceeds socket.request.max.bytes (${limit})`);
    this.name = 'FrameTooLargeError';
  }
}

export class InvalidFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFrameError';
  }
}
