import { ProtocolEncodeError } from './decode-error';

const TWO_POW_32 = 4294967296;
const UUID_BYTES = 16;

export interface WriterOptions {
  /** Initial capacity in bytes; the buffer doubles as needed. Default 512. */
  initialCapacity?: number;
  /**
   * Buffers of at least this many bytes passed to {@link Writer.raw} (and therefore
   * `records` fields) are not copied but kept by reference as separate chunks, see
   * {@link Writer.finishChunks}. Default: Infinity (always copy).
   */
  passthroughThreshold?: number;
}

/**
 * Big-endian writer for the Kafka protocol primitives into one growable buffer.
 *
 * Contracts:
 * - Fields are written in place into a buffer that doubles when full; no per-field
 *   allocation. Growth copies only the bytes not yet handed off as chunks.
 * - Large raw buffers (≥ `passthroughThreshold`) are kept by reference: the output is
 *   then a list of chunks (`finishChunks`, for `socket.writev`/cork) or one buffer
 *   assembled by a single copy (`finish`). Callers must not mutate a passed-through
 *   buffer until the output has been written.
 * - `int64` takes a JS number and requires a safe integer (|v| ≤ 2^53 - 1).
 * - UUIDs are given in Kafka's 22-character URL-safe base64 form (see Reader.uuid).
 * - A writer is single-use: after `finish`/`finishChunks` it must not be written to.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  /** Start in `buf` of the bytes not yet handed to `chunks`. */
  private start = 0;
  private readonly chunks: Buffer[] = [];
  private flushed = 0;
  private readonly threshold: number;

  constructor(options: WriterOptions = {}) {
    this.buf = Buffer.allocUnsafe(options.initialCapacity ?? 512);
    this.threshold = options.passthroughThreshold ?? Infinity;
  }

  /** Total bytes written so far (absolute position of the next byte). */
  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const live = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max((live + n) * 2, 256));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = live;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  uint8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`int64 value ${v} is not a safe integer`);
    this.ensure(8);
    const hi = Math.floor(v / TWO_POW_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_POW_32, this.pos + 4);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** Unsigned varint of a value in [0, 2^32). */
  uvarint(v: number): this {
    if (!(v >= 0 && v < TWO_POW_32 && Number.isInteger(v))) {
      throw new ProtocolEncodeError(`uvarint value ${v} out of range`);
    }
    this.ensure(5);
    let u = v;
    while (u >= 0x80) {
      this.buf[this.pos++] = (u & 0x7f) | 0x80;
      u = Math.floor(u / 128);
    }
    this.buf[this.pos++] = u;
    return this;
  }

  /** Zigzag signed 32-bit varint. */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zigzag signed 64-bit varint of a safe integer. */
  varlong(v: number): this {
    if (!Number.isSafeInteger(v)) throw new ProtocolEncodeError(`varlong value ${v} is not a safe integer`);
    this.ensure(10);
    if (v > -(2 ** 51) && v < 2 ** 51) {
      let u = v >= 0 ? v * 2 : -v * 2 - 1;
      while (u >= 0x80) {
        this.buf[this.pos++] = (u % 128) | 0x80;
        u = Math.floor(u / 128);
      }
      this.buf[this.pos++] = u;
      return this;
    }
    const b = BigInt(v);
    let u = b >= 0n ? b << 1n : (-b << 1n) - 1n;
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }

  uuid(v: string): this {
    const bytes = Buffer.from(v, 'base64url');
    if (bytes.length !== UUID_BYTES || v.length !== 22) throw new ProtocolEncodeError(`invalid uuid "${v}"`);
    this.ensure(UUID_BYTES);
    bytes.copy(this.buf, this.pos);
    this.pos += UUID_BYTES;
    return this;
  }

  private utf8(s: string, len: number): void {
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  string(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes exceeds int16 length`);
    this.int16(len);
    this.utf8(s, len);
    return this;
  }

  nullableString(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  compactString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len + 1);
    this.utf8(s, len);
    return this;
  }

  compactNullableString(s: string | null): this {
    return s === null ? this.uvarint(0) : this.compactString(s);
  }

  bytes(b: Buffer): this {
    this.int32(b.length);
    return this.raw(b);
  }

  nullableBytes(b: Buffer | null): this {
    return b === null ? this.int32(-1) : this.bytes(b);
  }

  compactBytes(b: Buffer): this {
    this.uvarint(b.length + 1);
    return this.raw(b);
  }

  compactNullableBytes(b: Buffer | null): this {
    return b === null ? this.uvarint(0) : this.compactBytes(b);
  }

  /** Classic array count; null is written as -1. */
  arrayLength(n: number | null): this {
    return this.int32(n === null ? -1 : n);
  }

  /** Compact array count; null is written as 0. */
  compactArrayLength(n: number | null): this {
    return this.uvarint(n === null ? 0 : n + 1);
  }

  /** An empty tagged-field section (a single 0 byte). */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  /**
   * Appends `b` verbatim: copied when shorter than the passthrough threshold, else
   * kept by reference as its own chunk.
   */
  raw(b: Buffer): this {
    if (b.length >= this.threshold) {
      if (this.pos > this.start) {
        this.chunks.push(this.buf.subarray(this.start, this.pos));
        this.flushed += this.pos - this.start;
        this.start = this.pos;
      }
      this.chunks.push(b);
      this.flushed += b.length;
      return this;
    }
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
    return this;
  }

  /**
   * Overwrites 4 bytes at absolute position `at` with a big-endian int32. The bytes
   * must have been produced by this writer (never inside a passed-through buffer).
   */
  patchInt32(at: number, v: number): void {
    if (at >= this.flushed) {
      this.buf.writeInt32BE(v, this.start + at - this.flushed);
      return;
    }
    let base = 0;
    for (const c of this.chunks) {
      if (at < base + c.length) {
        c.writeInt32BE(v, at - base);
        return;
      }
      base += c.length;
    }
    throw new ProtocolEncodeError(`patch position ${at} out of range`);
  }

  /** The written bytes as one Buffer (a view when nothing was passed through). */
  finish(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(this.start, this.pos);
    return Buffer.concat(this.finishChunks(), this.length);
  }

  /** The written bytes as ordered chunks; passed-through buffers appear by reference. */
  finishChunks(): Buffer[] {
    const out = this.chunks.slice();
    if (this.pos > this.start) out.push(this.buf.subarray(this.start, this.pos));
    return out;
  }
}
