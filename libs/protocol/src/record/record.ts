import { RecordDecodeError } from './errors';
import { Cursor, readVarint, readVarlong, varintSize, varlongSize, writeVarint, writeVarlong } from './varint';

/**
 * One record inside a RecordBatch v2 (after decompression). Fields in order:
 *
 *   length          varint   bytes of everything below (not counting itself)
 *   attributes      int8     unused, written as 0
 *   timestampDelta  varlong  timestamp - batch.baseTimestamp
 *   offsetDelta     varint   offset - batch.baseOffset
 *   keyLength       varint   -1 = null key
 *   key             bytes[keyLength]
 *   valueLength     varint   -1 = null value
 *   value           bytes[valueLength]
 *   headersCount    varint
 *   headers         headersCount x {
 *                     headerKeyLength    varint  (>= 0, never null)
 *                     headerKey          UTF-8 bytes[headerKeyLength]
 *                     headerValueLength  varint  -1 = null value
 *                     headerValue        bytes[headerValueLength]
 *                   }
 *
 * Example (offsetDelta 0, timestampDelta 0, key "k", value "v", no headers):
 *   10 00 00 00 02 6b 02 76 00
 *   (length 8, attributes 0, ts 0, off 0, keyLen 1, 'k', valueLen 1, 'v', 0 headers)
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record with absolute offset and timestamp. */
export interface KafkaRecord {
  offset: number;
  timestamp: number;
  /** A view into the decoded (decompressed) batch bytes; copy it to retain it past the buffer's life. */
  key: Buffer | null;
  /** A view, like `key`. */
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A record to encode. Missing key/value mean null; missing headers mean none. */
export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Create time in ms; the builder defaults it. */
  timestamp?: number;
}

const EMPTY_HEADERS: readonly RecordHeader[] = [];

function nullableBytesSize(b: Buffer | null | undefined): number {
  return b == null ? 1 : varintSize(b.length) + b.length;
}

/** Size of a record's body (everything after the length varint). */
export function recordBodySize(record: RecordInput, timestampDelta: number, offsetDelta: number): number {
  const headers = record.headers ?? EMPTY_HEADERS;
  let size =
    1 +
    varlongSize(timestampDelta) +
    varintSize(offsetDelta) +
    nullableBytesSize(record.key) +
    nullableBytesSize(record.value) +
    varintSize(headers.length);
  for (const h of headers) {
    const keyLen = Buffer.byteLength(h.key, 'utf8');
    size += varintSize(keyLen) + keyLen + nullableBytesSize(h.value);
  }
  return size;
}

/** Full encoded size of a record, including its length prefix. */
export function recordSize(record: RecordInput, timestampDelta: number, offsetDelta: number): number {
  const body = recordBodySize(record, timestampDelta, offsetDelta);
  return varintSize(body) + body;
}

function writeNullableBytes(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (b == null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

/**
 * Writes one record at `pos` and returns the position after it. `bodySize` must
 * be `recordBodySize(record, timestampDelta, offsetDelta)`; the caller sized `buf`.
 */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: RecordInput,
  timestampDelta: number,
  offsetDelta: number,
  bodySize: number,
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0;
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeNullableBytes(buf, pos, record.key);
  pos = writeNullableBytes(buf, pos, record.value);
  const headers = record.headers ?? EMPTY_HEADERS;
  pos = writeVarint(buf, pos, headers.length);
  for (const h of headers) {
    const keyLen = Buffer.byteLength(h.key, 'utf8');
    pos = writeVarint(buf, pos, keyLen);
    pos += buf.write(h.key, pos, keyLen, 'utf8');
    pos = writeNullableBytes(buf, pos, h.value);
  }
  return pos;
}

function readNullableBytes(buf: Buffer, cursor: Cursor, end: number, what: string): Buffer | null {
  const len = readVarint(buf, cursor, end);
  if (len === -1) return null;
  if (len < -1) throw new RecordDecodeError(`invalid ${what} length ${len}`);
  const start = cursor.pos;
  if (len > end - start) throw new RecordDecodeError(`${what} length ${len} overruns the record`);
  cursor.pos = start + len;
  return buf.subarray(start, start + len);
}

/**
 * Reads one record at `cursor.pos` (its length varint first), advancing the
 * cursor past it. `end` bounds the record area. When `timestampOverride` is
 * given (LogAppendTime batches) it replaces the record's own timestamp.
 */
export function readRecord(
  buf: Buffer,
  cursor: Cursor,
  end: number,
  baseOffset: number,
  baseTimestamp: number,
  timestampOverride?: number,
): KafkaRecord {
  const length = readVarint(buf, cursor, end);
  const start = cursor.pos;
  if (length < 1 || length > end - start) {
    throw new RecordDecodeError(`invalid record length ${length} at ${start} (${end - start} bytes left)`);
  }
  const recordEnd = start + length;
  cursor.pos++; // attributes (int8), unused
  const timestampDelta = readVarlong(buf, cursor, recordEnd);
  const offsetDelta = readVarint(buf, cursor, recordEnd);
  const key = readNullableBytes(buf, cursor, recordEnd, 'key');
  const value = readNullableBytes(buf, cursor, recordEnd, 'value');
  const headerCount = readVarint(buf, cursor, recordEnd);
  // every header takes at least 2 bytes: guards against absurd counts
  if (headerCount < 0 || headerCount * 2 > recordEnd - cursor.pos) {
    throw new RecordDecodeError(`invalid header count ${headerCount}`);
  }
  const headers: RecordHeader[] = new Array<RecordHeader>(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const keyLen = readVarint(buf, cursor, recordEnd);
    const keyStart = cursor.pos;
    if (keyLen < 0 || keyLen > recordEnd - keyStart) {
      throw new RecordDecodeError(`invalid header key length ${keyLen}`);
    }
    cursor.pos = keyStart + keyLen;
    const hkey = buf.toString('utf8', keyStart, keyStart + keyLen);
    headers[i] = { key: hkey, value: readNullableBytes(buf, cursor, recordEnd, 'header value') };
  }
  if (cursor.pos !== recordEnd) {
    throw new RecordDecodeError(`record declared ${length} bytes but its fields use ${cursor.pos - start}`);
  }
  return {
    offset: baseOffset + offsetDelta,
    timestamp: timestampOverride ?? baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/**
 * Decodes `count` consecutive records from `buf[start, end)`, which must be
 * consumed exactly (trailing bytes are corruption).
 */
export function decodeRecords(
  buf: Buffer,
  start: number,
  end: number,
  count: number,
  baseOffset: number,
  baseTimestamp: number,
  timestampOverride?: number,
): KafkaRecord[] {
  // a record takes at least 7 bytes (length + 6 one-byte fields)
  if (count < 0 || count > (end - start) / 7 + 1) {
    throw new RecordDecodeError(`record count ${count} does not fit in ${end - start} bytes`);
  }
  const cursor: Cursor = { pos: start };
  const records = new Array<KafkaRecord>(count);
  for (let i = 0; i < count; i++) {
    records[i] = readRecord(buf, cursor, end, baseOffset, baseTimestamp, timestampOverride);
  }
  if (cursor.pos !== end) {
    throw new RecordDecodeError(`${end - cursor.pos} bytes left after ${count} records`);
  }
  return records;
}
