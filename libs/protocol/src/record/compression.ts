import { gunzipSync, gzipSync } from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { CompressionType } from './batch-header';
import { RecordDecodeError } from './errors';

/**
 * Codecs for the records section of a RecordBatch v2 (attributes bits 0-2).
 * The whole records section (all records back to back) is compressed as one unit.
 *
 *   1 gzip    RFC 1952 gzip stream (zlib).
 *   2 snappy  Written as one raw snappy block (as librdkafka does). Read as either
 *             raw snappy or the xerial framing that the Java client writes:
 *               bytes 0-7   magic 82 53 4e 41 50 50 59 00  ("\x82SNAPPY\0")
 *               bytes 8-11  int32 version            (1)
 *               bytes 12-15 int32 compatible version (1)
 *               then until the end: int32 BE blockLength, blockLength bytes of raw snappy
 *             The uncompressed output is the concatenation of the blocks.
 *   3 lz4     LZ4 frame format (magic 04 22 4d 18), as the Java client and librdkafka
 *             write for magic 2 (the broken header checksum of magic 0/1 does not apply).
 *   4 zstd    One or more zstd frames (magic 28 b5 2f fd).
 *
 * Decompression failures throw RecordDecodeError (CORRUPT_MESSAGE).
 */

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

/** Compresses `buf` with `codec`; None returns `buf` itself. */
export function compress(codec: CompressionType, buf: Buffer): Buffer {
  switch (codec) {
    case CompressionType.None:
      return buf;
    case CompressionType.Gzip:
      return gzipSync(buf);
    case CompressionType.Snappy:
      return snappyCompress(buf);
    case CompressionType.Lz4:
      return compressFrameSync(buf);
    case CompressionType.Zstd:
      return zstdCompress(buf);
    default:
      throw new RecordDecodeError(`unknown compression codec ${codec as number}`);
  }
}

/** True when `buf` starts with the xerial snappy framing magic. */
export function isXerialSnappy(buf: Buffer): boolean {
  return buf.length >= XERIAL_HEADER_SIZE && buf.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

function uncompressSnappyBlock(block: Buffer): Buffer {
  return snappyUncompress(block, { asBuffer: true }) as Buffer;
}

function decompressXerial(buf: Buffer): Buffer {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < buf.length) {
    if (buf.length - pos < 4) throw new RecordDecodeError('truncated xerial snappy block length');
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0 || len > buf.length - pos) throw new RecordDecodeError(`invalid xerial snappy block length ${len}`);
    blocks.push(uncompressSnappyBlock(buf.subarray(pos, pos + len)));
    pos += len;
  }
  return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks);
}

function decompressOrThrow(codec: CompressionType, buf: Buffer): Buffer {
  switch (codec) {
    case CompressionType.None:
      return buf;
    case CompressionType.Gzip:
      return gunzipSync(buf);
    case CompressionType.Snappy:
      return isXerialSnappy(buf) ? decompressXerial(buf) : uncompressSnappyBlock(buf);
    case CompressionType.Lz4:
      return decompressFrameSync(buf);
    case CompressionType.Zstd:
      return zstdDecompress(buf);
    default:
      throw new RecordDecodeError(`unknown compression codec ${codec as number}`);
  }
}

/** Decompresses `buf` compressed with `codec`; None returns `buf` itself. */
export function decompress(codec: CompressionType, buf: Buffer): Buffer {
  try {
    return decompressOrThrow(codec, buf);
  } catch (err: unknown) {
    if (err instanceof RecordDecodeError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new RecordDecodeError(`${CompressionType[codec] ?? codec} decompression failed: ${detail}`);
  }
}
