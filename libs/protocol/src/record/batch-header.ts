import { crc32c } from '@node-rs/crc32';
import { readInt64, writeInt64 } from './int64';

/**
 * RecordBatch v2 header (magic 2), big-endian, as stored on disk and sent on the wire.
 *
 *   offset  size  field
 *   0       8     baseOffset            int64   offset of the first record
 *   8       4     batchLength           int32   bytes after this field (total size - 12)
 *   12      4     partitionLeaderEpoch  int32
 *   16      1     magic                 int8    always 2
 *   17      4     crc                   uint32  CRC-32C of bytes [21, end)
 *   21      2     attributes            int16   bits 0-2 codec, 3 timestamp type,
 *                                               4 transactional, 5 control, 6 delete horizon
 *   23      4     lastOffsetDelta       int32
 *   27      8     baseTimestamp         int64
 *   35      8     maxTimestamp          int64
 *   43      8     producerId            int64
 *   51      2     producerEpoch         int16
 *   53      4     baseSequence          int32
 *   57      4     recordsCount          int32
 *   61      ...   records (compressed as a whole when codec != 0)
 *
 * The CRC covers attributes onwards, so the broker may rewrite baseOffset and
 * partitionLeaderEpoch without recomputing it and without touching the records.
 */
export const BATCH_HEADER_SIZE = 61;
/** Bytes of baseOffset + batchLength, the prefix not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** Byte positions of header fields within a batch (see the table above). */
export const BATCH_LENGTH_OFFSET = 8;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
/** Covered by the CRC: rewriting it (LogAppendTime) means recomputing the CRC. */
export const MAX_TIMESTAMP_OFFSET = 35;

export enum BatchAttribute {
  CompressionMask = 0x07,
  TimestampTypeLogAppend = 0x08,
  Transactional = 0x10,
  Control = 0x20,
  DeleteHorizon = 0x40,
}

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Header fields of one batch, read without touching its records. */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Reads the header of the batch starting at `pos`. The caller checks there are BATCH_HEADER_SIZE bytes. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readInt64(buf, pos),
    batchLength: buf.readInt32BE(pos + 8),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    magic: buf.readInt8(pos + 16),
    crc: buf.readUInt32BE(pos + 17),
    attributes: buf.readInt16BE(pos + 21),
    lastOffsetDelta: buf.readInt32BE(pos + 23),
    baseTimestamp: readInt64(buf, pos + 27),
    maxTimestamp: readInt64(buf, pos + 35),
    producerId: readInt64(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount: buf.readInt32BE(pos + 57),
  };
}

/** Total size in bytes of the batch starting at `pos` (batchLength + 12). */
export function batchSizeAt(buf: Buffer, pos = 0): number {
  return buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
}

/** Rewrites baseOffset in place; the CRC stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos, baseOffset);
}

/** Rewrites partitionLeaderEpoch in place; the CRC stays valid. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + 12);
}

/** CRC-32C over [attributes, end) of the batch at `pos`, as stored in its crc field. */
export function computeBatchCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + size)) >>> 0;
}

export function batchCrcIsValid(buf: Buffer, pos: number, size: number): boolean {
  return computeBatchCrc(buf, pos, size) === buf.readUInt32BE(pos + CRC_OFFSET);
}

export function compressionOf(attributes: number): CompressionType {
  return (attributes & BatchAttribute.CompressionMask) as CompressionType;
}
export function isTransactional(attributes: number): boolean {
  return (attributes & BatchAttribute.Transactional) !== 0;
}
export function isControl(attributes: number): boolean {
  return (attributes & BatchAttribute.Control) !== 0;
}

/** Attributes bit 3. */
export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export function timestampTypeOf(attributes: number): TimestampType {
  return (attributes & BatchAttribute.TimestampTypeLogAppend) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

/** Magic byte of RecordBatch v2, the only format this broker reads and writes. */
export const CURRENT_MAGIC = 2;
/** Smallest legal batchLength: a v2 header with no records (61 - 12). */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
