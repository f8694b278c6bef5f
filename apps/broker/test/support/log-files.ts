import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Reading the broker's on-disk log directly (format in libs/storage/src/log-file-names.ts
 * and the RecordBatch v2 header: baseOffset i64 @0, batchLength i32 @8, magic i8 @16,
 * attributes i16 @21, lastOffsetDelta i32 @23, producerId i64 @43, baseSequence i32 @53,
 * records count i32 @57; total size
 * batchLength + 12).
 */

/** Finds `<topic>-<partition>` below the data directory (the broker may nest it). */
export function findPartitionDir(dataDir: string, topic: string, partition: number): string | null {
  const wanted = `${topic}-${partition}`;
  const stack = [dataDir];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const full = path.join(dir, e.name);
      if (e.name === wanted) return full;
      stack.push(full);
    }
  }
  return null;
}

/** `.log` segment files of a partition directory, oldest first, with their sizes. */
export function listSegments(dir: string): Array<{ file: string; baseOffset: number; size: number }> {
  return fs
    .readdirSync(dir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      return { file, baseOffset: Number(n.slice(0, 20)), size: fs.statSync(file).size };
    });
}

export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  attributes: number;
  recordCount: number;
  producerId: number;
  baseSequence: number;
  /** Compression codec (attribute bits 0-2): 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  codec: number;
}

/** Whole batches of a segment file, in file order (stops at a partial tail). */
export function readBatches(file: string): BatchInfo[] {
  const buf = fs.readFileSync(file);
  const out: BatchInfo[] = [];
  let pos = 0;
  while (pos + 61 <= buf.length) {
    const batchLength = buf.readInt32BE(pos + 8);
    const size = batchLength + 12;
    if (batchLength <= 0 || pos + size > buf.length) break;
    const attributes = buf.readInt16BE(pos + 21);
    out.push({
      position: pos,
      size,
      baseOffset: Number(buf.readBigInt64BE(pos)),
      lastOffsetDelta: buf.readInt32BE(pos + 23),
      attributes,
      recordCount: buf.readInt32BE(pos + 57),
      producerId: Number(buf.readBigInt64BE(pos + 43)),
      baseSequence: buf.readInt32BE(pos + 53),
      codec: attributes & 0x07,
    });
    pos += size;
  }
  return out;
}

/** Total bytes of the partition's `.log` files. */
export function logBytes(dir: string): number {
  return listSegments(dir).reduce((sum, s) => sum + s.size, 0);
}
