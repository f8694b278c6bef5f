import { isUtf8 } from 'node:buffer';
import { copyTextValue } from './copy-text';

/**
 * COPY text (copy-text.ts's format) built as bytes: a growable buffer written field by
 * field, so a batch reaches `COPY ... FROM STDIN` as a few large Buffers instead of a
 * string per field, per line and per chunk (each re-encoded to UTF-8 by the stream).
 *
 * Contract: every method appends exactly the UTF-8 bytes of the COPY text that
 * copy-text.ts gives for the same value (`utf8` escapes the bytes of an Avro string as
 * `copyTextValue` escapes the decoded string, invalid UTF-8 included: such bytes go
 * through the decoded string, whose U+FFFD replacements are what the general path sends).
 */
export class CopyOut {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(256, capacity));
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A string already in COPY text form (escaped, or needing no escapes). */
  text(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos += buf.write(s, this.pos, 'utf8');
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** The COPY text of a string given as its UTF-8 bytes `src[start, end)`. */
  utf8(src: Buffer, start: number, end: number): void {
    this.ensure((end - start) * 2);
    const buf = this.buf;
    const from = this.pos;
    let p = from;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = src[i];
      high |= b;
      if (b >= 0x20 && b !== 0x5c) {
        buf[p++] = b;
        continue;
      }
      const escape = b === 0x5c ? 0x5c : b === 0x0a ? 0x6e : b === 0x0d ? 0x72 : b === 0x09 ? 0x74 : -1;
      if (escape < 0) buf[p++] = b;
      else {
        buf[p++] = 0x5c;
        buf[p++] = escape;
      }
    }
    this.pos = p;
    if (high & 0x80 && !isUtf8(src.subarray(start, end))) {
      this.pos = from;
      this.text(copyTextValue(src.toString('utf8', start, end)));
    }
  }

  /** A safe integer in decimal, as String(n) writes it. */
  int(n: number): void {
    if (!Number.isSafeInteger(n) || Object.is(n, -0)) {
      this.text(String(n));
      return;
    }
    this.ensure(17);
    const buf = this.buf;
    if (n < 0) {
      buf[this.pos++] = 0x2d;
      n = -n;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      buf[--p] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** bytea hex input (`\\x` then two hex digits a byte, its backslash escaped for COPY) of `src[start, end)`. */
  hex(src: Buffer, start: number, end: number): void {
    this.ensure(3 + (end - start) * 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x5c;
    buf[p++] = 0x5c;
    buf[p++] = 0x78;
    for (let i = start; i < end; i++) {
      const b = src[i];
      buf[p++] = HEX[b >> 4];
      buf[p++] = HEX[b & 15];
    }
    this.pos = p;
  }
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** The COPY text of a batch's rows, each ending in a newline. */
export interface CopyRows {
  readonly count: number;
  /** The rows, back to back. */
  readonly data: Buffer;
  /** Row i ends (after its newline) at ends[i]; it starts at ends[i - 1], or 0. */
  readonly ends: Uint32Array;
  /**
   * Where each row's key (the COPY text of its key columns joined by tabs) ends: it
   * starts with the row. Null when the rows carry no key.
   */
  readonly keyEnds: Uint32Array | null;
}

/** A 30-bit hash (FNV-1a) of `buf[start, end)`: equal bytes, equal hashes. */
export function bytesHash(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 16777619);
  return h & 0x3fffffff;
}

/**
 * lastPerKey over COPY rows: keeps each key's last row, in order (equal key texts are
 * equal bind values of the key columns' types: a tab inside a value is escaped, so the
 * join is unambiguous). Rows without keys, or whose keys are all distinct, are returned
 * as they are (distinct key hashes prove it without a string per key).
 */
export function lastRowPerKey(rows: CopyRows): CopyRows {
  const { keyEnds, data, ends, count } = rows;
  if (keyEnds === null) return rows;
  const hashes = new Set<number>();
  for (let i = 0; i < count; i++) hashes.add(bytesHash(data, i === 0 ? 0 : ends[i - 1], keyEnds[i]));
  if (hashes.size === count) return rows;
  const keyOf = (i: number): string => data.toString('latin1', i === 0 ? 0 : ends[i - 1], keyEnds[i]);
  const last = new Map<string, number>();
  for (let i = 0; i < count; i++) last.set(keyOf(i), i);
  if (last.size === count) return rows;
  const out = Buffer.allocUnsafe(data.length);
  const keptEnds = new Uint32Array(last.size);
  const keptKeyEnds = new Uint32Array(last.size);
  let n = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (last.get(keyOf(i)) !== i) continue;
    const start = i === 0 ? 0 : ends[i - 1];
    keptKeyEnds[n] = pos + (keyEnds[i] - start);
    pos += data.copy(out, pos, start, ends[i]);
    keptEnds[n++] = pos;
  }
  return { count: n, data: out.subarray(0, pos), ends: keptEnds, keyEnds: keptKeyEnds };
}

/** The rows as consecutive slices of about `chunkBytes` bytes each (a row is never split). */
export function copyChunks(rows: CopyRows, chunkBytes = 256 * 1024): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < rows.count; i++) {
    const end = rows.ends[i];
    if (end - start >= chunkBytes || i === rows.count - 1) {
      chunks.push(rows.data.subarray(start, end));
      start = end;
    }
  }
  return chunks;
}
