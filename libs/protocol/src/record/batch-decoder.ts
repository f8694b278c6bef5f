import {
  BATCH_HEADER_SIZE,
  BatchHeader,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MIN_BATCH_LENGTH,
  TimestampType,
  batchCrcIsValid,
  compressionOf,
  readBatchHeader,
  timestampTypeOf,
} from './batch-header';
import { decompress } from './compression';
import { RecordDecodeError, RecordErrorCode } from './errors';
import { KafkaRecord, decodeRecords } from './record';

/**
 * Full decoding of RecordBatch v2 (header + records, decompressing) and a cheap
 * header-only iterator over a buffer of concatenated batches.
 *
 * A buffer of batches is just batches back to back:
 *   [baseOffset int64][batchLength int32][batchLength bytes] [next batch] ...
 * so each batch is `batchLength + 12` bytes. Layout of the header: batch-header.ts.
 */

export interface DecodedBatch {
  header: BatchHeader;
  /** Total bytes of the batch (batchLength + 12). */
  size: number;
  records: KafkaRecord[];
}

export interface DecodeBatchOptions {
  /** Verify the CRC-32C before decoding (default true). */
  verifyCrc?: boolean;
}

/**
 * Decodes the whole batch at `pos`: header checks, CRC, decompression, records.
 * Throws RecordDecodeError (code CORRUPT_MESSAGE, or UNSUPPORTED_FOR_MESSAGE_FORMAT
 * for magic 0/1) on anything malformed, including a batch cut short.
 * For LogAppendTime batches every record's timestamp is the batch maxTimestamp.
 */
export function decodeBatch(buf: Buffer, pos = 0, options: DecodeBatchOptions = {}): DecodedBatch {
  const size = checkFraming(buf, pos);
  if (options.verifyCrc !== false && !batchCrcIsValid(buf, pos, size)) {
    throw new RecordDecodeError(`CRC mismatch in batch at ${pos}`);
  }
  const header = readBatchHeader(buf, pos);
  const codec = compressionOf(header.attributes);
  let records: Buffer = buf;
  let start = pos + BATCH_HEADER_SIZE;
  let end = pos + size;
  if (codec !== 0) {
    records = decompress(codec, buf.subarray(start, end));
    start = 0;
    end = records.length;
  }
  const tsOverride = timestampTypeOf(header.attributes) === TimestampType.LogAppendTime ? header.maxTimestamp : undefined;
  return {
    header,
    size,
    records: decodeRecords(records, start, end, header.recordsCount, header.baseOffset, header.baseTimestamp, tsOverride),
  };
}

/** Decodes every batch of `buf`; a partial trailing batch is ignored (see iterateBatches). */
export function decodeBatches(buf: Buffer, options: DecodeBatchOptions = {}): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  for (const view of iterateBatches(buf)) out.push(decodeBatch(buf, view.pos, options));
  return out;
}

/**
 * Validates the framing of the batch at `pos` and returns its total size.
 * Order matters: magic sits at byte 16 in every message format, so it is checked
 * before the v2-specific minimum size (legacy message sets are shorter).
 */
function checkFraming(buf: Buffer, pos: number): number {
  const available = buf.length - pos;
  if (available < MAGIC_OFFSET + 1) throw new RecordDecodeError(`truncated batch at ${pos}: ${available} bytes`);
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) throw magicError(magic, pos);
  const batchLength = buf.readInt32BE(pos + 8);
  if (batchLength < MIN_BATCH_LENGTH) throw new RecordDecodeError(`batch at ${pos} has batchLength ${batchLength}`);
  if (batchLength > available - LOG_OVERHEAD) {
    throw new RecordDecodeError(`batch at ${pos} declares ${batchLength + LOG_OVERHEAD} bytes, ${available} available`);
  }
  return batchLength + LOG_OVERHEAD;
}

function magicError(magic: number, pos: number): RecordDecodeError {
  return magic === 0 || magic === 1
    ? new RecordDecodeError(`magic ${magic} batch at ${pos} is not supported`, RecordErrorCode.UnsupportedForMessageFormat)
    : new RecordDecodeError(`invalid magic ${magic} in batch at ${pos}`);
}

/** Position, size and header of one whole batch inside a larger buffer. */
export interface BatchView {
  pos: number;
  size: number;
  header: BatchHeader;
}

/** A batch cut off by the end of the buffer (normal at the end of a fetch response). */
export interface PartialBatch {
  pos: number;
  /** Bytes of it present in the buffer. */
  available: number;
  /** Its declared total size, or -1 when even the 12-byte prefix is cut. */
  declaredSize: number;
}

/**
 * Iterates the whole batches of a buffer of concatenated batches, header only
 * (no CRC check, no decompression). Stops cleanly at a partial trailing batch and
 * records it in `partial`; `end` is the position after the last whole batch.
 * Throws RecordDecodeError for framing that is wrong rather than cut short
 * (batchLength below the v2 minimum, magic other than 2).
 *
 *   const it = iterateBatches(buf);
 *   for (const { pos, size, header } of it) { ... }
 *   if (it.partial) { ... }
 */
export class BatchIterator implements IterableIterator<BatchView> {
  /** Position of the next batch to read; after iteration, the end of the last whole batch. */
  end: number;
  partial: PartialBatch | null = null;

  constructor(
    readonly buf: Buffer,
    start = 0,
  ) {
    this.end = start;
  }

  next(): IteratorResult<BatchView, undefined> {
    const { buf } = this;
    const pos = this.end;
    const available = buf.length - pos;
    if (available <= 0) return { done: true, value: undefined };
    if (available < LOG_OVERHEAD) return this.stopPartial(pos, available, -1);
    const batchLength = buf.readInt32BE(pos + 8);
    if (batchLength < MIN_BATCH_LENGTH) {
      // A legacy (magic 0/1) entry can be this short; report the magic when we can see it.
      if (available > MAGIC_OFFSET && buf.readInt8(pos + MAGIC_OFFSET) !== CURRENT_MAGIC) {
        throw magicError(buf.readInt8(pos + MAGIC_OFFSET), pos);
      }
      throw new RecordDecodeError(`batch at ${pos} has batchLength ${batchLength}`);
    }
    const size = batchLength + LOG_OVERHEAD;
    if (size > available) return this.stopPartial(pos, available, size);
    const magic = buf.readInt8(pos + MAGIC_OFFSET);
    if (magic !== CURRENT_MAGIC) throw magicError(magic, pos);
    this.end = pos + size;
    return { done: false, value: { pos, size, header: readBatchHeader(buf, pos) } };
  }

  [Symbol.iterator](): BatchIterator {
    return this;
  }

  private stopPartial(pos: number, available: number, declaredSize: number): IteratorResult<BatchView, undefined> {
    this.partial = { pos, available, declaredSize };
    return { done: true, value: undefined };
  }
}

/** See {@link BatchIterator}. */
export function iterateBatches(buf: Buffer, start = 0): BatchIterator {
  return new BatchIterator(buf, start);
}

// The Produce-path validator lives in its own file; re-exported here as part of the decoder surface.
export * from './append-validator';
