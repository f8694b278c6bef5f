import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_SIZE,
  BatchAttribute,
  CRC_OFFSET,
  CURRENT_MAGIC,
  CompressionType,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  TimestampType,
  computeBatchCrc,
} from './batch-header';
import { compress } from './compression';
import { writeInt64 } from './int64';
import { RecordInput, recordBodySize, writeRecord } from './record';
import { varintSize } from './varint';

/**
 * Builds one RecordBatch v2 (layout in batch-header.ts) with a valid CRC-32C.
 *
 * Header values written:
 *   baseOffset            options.baseOffset
 *   batchLength           total size - 12
 *   partitionLeaderEpoch  options.partitionLeaderEpoch (-1)
 *   magic                 2
 *   attributes            codec | LogAppendTime 0x08 | transactional 0x10 | control 0x20 | deleteHorizon 0x40
 *   lastOffsetDelta       options.lastOffsetDelta, else the last record's offsetDelta (0 when empty)
 *   baseTimestamp         deleteHorizonMs when set, else the first record's timestamp (-1 when empty)
 *   maxTimestamp          CreateTime: max record timestamp; LogAppendTime: logAppendTime (now)
 *   producerId/Epoch      options (-1/-1), baseSequence options (-1)
 *   recordsCount          records.length
 * Records: offsetDelta = offsetDeltas[i] (default i), timestampDelta = timestamp - baseTimestamp;
 * then the records section is compressed as a whole when compression != None.
 */
export interface BuildBatchOptions {
  baseOffset: number;
  records: readonly RecordInput[];
  compression?: CompressionType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  partitionLeaderEpoch?: number;
  timestampType?: TimestampType;
  /** LogAppendTime batches: the time put in maxTimestamp (default Date.now()). */
  logAppendTime?: number;
  /** Per-record offset deltas, for rewriting compacted batches that keep original offsets. */
  offsetDeltas?: readonly number[];
  /** Overrides lastOffsetDelta (compaction keeps the original range, even for empty batches). */
  lastOffsetDelta?: number;
  /** Empty batches only: the maxTimestamp to keep (default -1). */
  maxTimestamp?: number;
  /** Sets the delete-horizon attribute; baseTimestamp then carries this value. */
  deleteHorizonMs?: number;
}

export function buildBatch(options: BuildBatchOptions): Buffer {
  const {
    baseOffset,
    records,
    compression = CompressionType.None,
    producerId = -1,
    producerEpoch = -1,
    baseSequence = -1,
    transactional = false,
    control = false,
    partitionLeaderEpoch = -1,
    timestampType = TimestampType.CreateTime,
    offsetDeltas,
    deleteHorizonMs,
  } = options;
  const count = records.length;
  if (offsetDeltas !== undefined && offsetDeltas.length !== count) {
    throw new RangeError(`offsetDeltas has ${offsetDeltas.length} entries for ${count} records`);
  }

  let now = -1;
  const timestamps = new Array<number>(count);
  let maxTimestamp = count === 0 ? (options.maxTimestamp ?? -1) : -Infinity;
  for (let i = 0; i < count; i++) {
    let ts = records[i].timestamp;
    if (ts === undefined) {
      if (now < 0) now = Date.now();
      ts = now;
    }
    timestamps[i] = ts;
    if (ts > maxTimestamp) maxTimestamp = ts;
  }
  if (timestampType === TimestampType.LogAppendTime) maxTimestamp = options.logAppendTime ?? Date.now();
  const baseTimestamp = deleteHorizonMs ?? (count > 0 ? timestamps[0] : -1);

  // Size and write the records section.
  const bodySizes = new Array<number>(count);
  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const body = recordBodySize(records[i], timestamps[i] - baseTimestamp, offsetDeltas ? offsetDeltas[i] : i);
    bodySizes[i] = body;
    recordsSize += varintSize(body) + body;
  }
  const compressed = compression !== CompressionType.None;
  let out: Buffer;
  let recordsBuf: Buffer;
  let pos: number;
  if (compressed) {
    recordsBuf = Buffer.allocUnsafe(recordsSize);
    pos = 0;
  } else {
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    recordsBuf = out;
    pos = BATCH_HEADER_SIZE;
  }
  for (let i = 0; i < count; i++) {
    pos = writeRecord(recordsBuf, pos, records[i], timestamps[i] - baseTimestamp, offsetDeltas ? offsetDeltas[i] : i, bodySizes[i]);
  }
  if (compressed) {
    const payload = compress(compression, recordsBuf);
    out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
    payload.copy(out, BATCH_HEADER_SIZE);
  } else {
    out = recordsBuf;
  }

  let attributes = compression & BatchAttribute.CompressionMask;
  if (timestampType === TimestampType.LogAppendTime) attributes |= BatchAttribute.TimestampTypeLogAppend;
  if (transactional) attributes |= BatchAttribute.Transactional;
  if (control) attributes |= BatchAttribute.Control;
  if (deleteHorizonMs !== undefined) attributes |= BatchAttribute.DeleteHorizon;
  const lastOffsetDelta = options.lastOffsetDelta ?? (count === 0 ? 0 : offsetDeltas ? offsetDeltas[count - 1] : count - 1);

  writeInt64(out, 0, baseOffset);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(partitionLeaderEpoch, 12);
  out.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET);
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(lastOffsetDelta, 23);
  writeInt64(out, 27, baseTimestamp);
  writeInt64(out, 35, maxTimestamp);
  writeInt64(out, 43, producerId);
  out.writeInt16BE(producerEpoch, 51);
  out.writeInt32BE(baseSequence, 53);
  out.writeInt32BE(count, 57);
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC_OFFSET);
  return out;
}
