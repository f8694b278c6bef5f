/**
 * Minimal big-endian reader/writer for Kafka's classic (non-flexible) struct encoding,
 * used by the `__consumer_offsets` record codecs and the ConsumerProtocol decoders.
 *
 * Encodings (all integers big-endian, two's complement):
 * - int16 / int32 / int64: 2 / 4 / 8 bytes.
 * - string: int16 length N then N bytes of UTF-8. Nullable string: length -1 means null.
 * - bytes: int32 length N then N bytes. Nullable bytes: length -1 means null.
 * - array: int32 count N then N elements (count -1 = null array, read as empty here).
 *
 * Readers throw MalformedRecordError on truncated input or impossible lengths; they
 * never read past the buffer.
 */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRecordError';
  }
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new MalformedRecordError(`truncated ${what} at byte ${this.pos} (need ${n}, have ${this.remaining})`);
    }
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < 0) throw new MalformedRecordError(`negative string length ${len}`);
    this.need(len, 'string');
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  string(): string {
    const v = this.nullableString();
    if (v === null) throw new MalformedRecordError('null in non-nullable string');
    return v;
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < 0) throw new MalformedRecordError(`negative bytes length ${len}`);
    this.need(len, 'bytes');
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return v;
  }

  bytes(): Buffer {
    const v = this.nullableBytes();
    if (v === null) throw new MalformedRecordError('null in non-nullable bytes');
    return v;
  }

  /** Reads an int32 count (-1 read as 0) and then `count` elements with `item`. */
  array<T>(item: (r: ByteReader) => T): T[] {
    const n = this.int32();
    if (n === -1) return [];
    if (n < 0) throw new MalformedRecordError(`negative array length ${n}`);
    // Each element takes at least one byte, so a count above the remaining bytes is corrupt.
    if (n > this.remaining) throw new MalformedRecordError(`array length ${n} exceeds remaining ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }
}

export class ByteWriter {
  private readonly parts: Buffer[] = [];

  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }

  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }

  int64(v: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const data = Buffer.from(v, 'utf8');
    if (data.length > 0x7fff) throw new RangeError(`string of ${data.length} bytes is longer than 32767`);
    this.int16(data.length);
    this.parts.push(data);
    return this;
  }

  string(v: string): this {
    return this.nullableString(v);
  }

  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.parts.push(v);
    return this;
  }

  bytes(v: Buffer): this {
    return this.nullableBytes(v);
  }

  array<T>(items: readonly T[], item: (w: ByteWriter, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
