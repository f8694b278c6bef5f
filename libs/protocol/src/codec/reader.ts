import { ProtocolDecodeError } from './decode-error';

const TWO_POW_32 = 4294967296;

/**
 * Sequential big-endian reader over one Buffer window `[offset, end)`, implementing
 * the primitive encodings of the Kafka protocol.
 *
 * Contracts:
 * - Every read checks the remaining bytes first and throws {@link ProtocolDecodeError}
 *   on truncation or an invalid length; it never throws RangeError and never allocates
 *   memory proportional to a length it has not verified against the remaining bytes.
 * - `int64`/`varlong` decode to a JS `number`. The broker never handles 64-bit values
 *   beyond ±2^53 (offsets, timestamps, producer ids all fit); larger values lose
 *   precision but do not throw.
 * - `bytes`-family reads return zero-copy `subarray` views aliasing the input buffer:
 *   they stay valid as long as the caller does not mutate the underlying frame.
 * - Strings are UTF-8; invalid sequences decode to U+FFFD (as the JVM does).
 * - UUIDs decode to Kafka's textual form: 22 characters of URL-safe base64 without
 *   padding (what `kafka-topics.sh` prints), e.g. the zero UUID is
 *   `AAAAAAAAAAAAAAAAAAAAAA`.
 */
export class Reader {
  private pos: number;
  private readonly end: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    end = buffer.length,
  ) {
    if (offset < 0 || end > buffer.length || offset > end) {
      throw new ProtocolDecodeError(`invalid reader window [${offset}, ${end})`, offset);
    }
    this.pos = offset;
    this.end = end;
  }

  /** Absolute position of the next byte to read within `buffer`. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless at least `n` more bytes are available. */
  require(n: number): void {
    if (n > this.end - this.pos) {
      throw new ProtocolDecodeError(`truncated: need ${n} bytes, ${this.end - this.pos} remain`, this.pos);
    }
  }

  skip(n: number): void {
    if (n < 0) throw new ProtocolDecodeError(`negative skip ${n}`, this.pos);
    this.require(n);
    this.pos += n;
  }

  /** A reader confined to the next `n` bytes; this reader advances past them. */
  sub(n: number): Reader {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n}`, this.pos);
    this.require(n);
    const r = new Reader(this.buffer, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  int8(): number {
    this.require(1);
    return this.buffer.readInt8(this.pos++);
  }

  uint8(): number {
    this.require(1);
    return this.buffer[this.pos++];
  }

  int16(): number {
    this.require(2);
    const v = this.buffer.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.require(2);
    const v = this.buffer.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.require(4);
    const v = this.buffer.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.require(4);
    const v = this.buffer.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Signed 64-bit, exact within ±2^53. */
  int64(): number {
    this.require(8);
    const hi = this.buffer.readInt32BE(this.pos);
    const lo = this.buffer.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_POW_32 + lo;
  }

  float64(): number {
    this.require(8);
    const v = this.buffer.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Any non-zero byte is true (as the JVM reads it). */
  bool(): boolean {
    this.require(1);
    return this.buffer[this.pos++] !== 0;
  }

  /** Unsigned LEB128 varint of at most 5 bytes, value in [0, 2^32). */
  uvarint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('truncated varint', this.pos);
      const b = this.buffer[this.pos++];
      if (i === 4 && b > 0x0f) throw new ProtocolDecodeError('varint exceeds 32 bits', this.pos - 1);
      result += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return result;
      multiplier *= 128;
    }
    throw new ProtocolDecodeError('varint longer than 5 bytes', this.pos);
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed 64-bit varint (at most 10 bytes), exact within ±2^53. */
  varlong(): number {
    const start = this.pos;
    let u = 0;
    let multiplier = 1;
    // Up to 7 bytes (49 bits) is exact in float arithmetic; longer values use BigInt.
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('truncated varlong', this.pos);
      const b = this.buffer[this.pos++];
      u += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      multiplier *= 128;
    }
    this.pos = start;
    let big = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtocolDecodeError('truncated varlong', this.pos);
      const b = this.buffer[this.pos++];
      if (i === 9 && b > 0x01) throw new ProtocolDecodeError('varlong exceeds 64 bits', this.pos - 1);
      big |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return Number((big >> 1n) ^ -(big & 1n));
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes', this.pos);
  }

  /** 16 raw bytes rendered as URL-safe base64 without padding (22 chars). */
  uuid(): string {
    this.require(16);
    const s = this.buffer.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return s;
  }

  private utf8(len: number): string {
    this.require(len);
    const s = this.buffer.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  private slice(len: number): Buffer {
    this.require(len);
    const b = this.buffer.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  /** int16 length (-1 = null) — any other negative length is invalid. */
  private int16Length(): number {
    const at = this.pos;
    const len = this.int16();
    if (len < -1) throw new ProtocolDecodeError(`invalid string length ${len}`, at);
    return len;
  }

  /** int32 length (-1 = null) — any other negative length is invalid. */
  private int32Length(): number {
    const at = this.pos;
    const len = this.int32();
    if (len < -1) throw new ProtocolDecodeError(`invalid length ${len}`, at);
    return len;
  }

  /** Compact length: uvarint N where 0 = null and N > 0 means N - 1 items/bytes. */
  private compactLength(): number {
    return this.uvarint() - 1;
  }

  string(): string {
    const at = this.pos;
    const len = this.int16Length();
    if (len < 0) throw new ProtocolDecodeError('null in non-nullable string', at);
    return this.utf8(len);
  }

  nullableString(): string | null {
    const len = this.int16Length();
    return len < 0 ? null : this.utf8(len);
  }

  compactString(): string {
    const at = this.pos;
    const len = this.compactLength();
    if (len < 0) throw new ProtocolDecodeError('null in non-nullable compact string', at);
    return this.utf8(len);
  }

  compactNullableString(): string | null {
    const len = this.compactLength();
    return len < 0 ? null : this.utf8(len);
  }

  bytes(): Buffer {
    const at = this.pos;
    const len = this.int32Length();
    if (len < 0) throw new ProtocolDecodeError('null in non-nullable bytes', at);
    return this.slice(len);
  }

  nullableBytes(): Buffer | null {
    const len = this.int32Length();
    return len < 0 ? null : this.slice(len);
  }

  compactBytes(): Buffer {
    const at = this.pos;
    const len = this.compactLength();
    if (len < 0) throw new ProtocolDecodeError('null in non-nullable compact bytes', at);
    return this.slice(len);
  }

  compactNullableBytes(): Buffer | null {
    const len = this.compactLength();
    return len < 0 ? null : this.slice(len);
  }

  /**
   * int32 element count of a classic array; -1 means null. The count is checked
   * against the remaining bytes (every element occupies at least one byte), so a
   * forged count cannot drive a huge allocation or loop.
   */
  arrayLength(): number {
    const len = this.int32Length();
    this.checkCount(len);
    return len;
  }

  /** Compact array count (uvarint N, 0 = null, else N - 1 elements); -1 means null. */
  compactArrayLength(): number {
    const len = this.compactLength();
    this.checkCount(len);
    return len;
  }

  private checkCount(len: number): void {
    if (len > this.end - this.pos) {
      throw new ProtocolDecodeError(`array count ${len} exceeds remaining ${this.end - this.pos} bytes`, this.pos);
    }
  }

  /** Reads a classic (int32-counted) array; throws on a null array. */
  array<T>(item: (r: Reader) => T): T[] {
    const at = this.pos;
    const n = this.arrayLength();
    if (n < 0) throw new ProtocolDecodeError('null in non-nullable array', at);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** Reads a compact array; throws on a null array. */
  compactArray<T>(item: (r: Reader) => T): T[] {
    const at = this.pos;
    const n = this.compactArrayLength();
    if (n < 0) throw new ProtocolDecodeError('null in non-nullable compact array', at);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /**
   * Reads a tagged-field section: uvarint count, then per field uvarint tag, uvarint
   * size and `size` bytes. `onField` receives a sub-reader confined to the field's
   * bytes (it may read fewer than `size`; the rest is skipped). Fields for which
   * `onField` returns false, or every field when `onField` is omitted, are skipped.
   */
  taggedFields(onField?: (tag: number, field: Reader) => boolean): void {
    const count = this.uvarint();
    this.checkCount(count);
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const sizeAt = this.pos;
      const size = this.uvarint();
      if (size > this.end - this.pos) {
        throw new ProtocolDecodeError(`tagged field ${tag} size ${size} exceeds remaining bytes`, sizeAt);
      }
      const start = this.pos;
      if (onField !== undefined) onField(tag, new Reader(this.buffer, start, start + size));
      this.pos = start + size;
    }
  }
}
