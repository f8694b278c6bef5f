import type { FileHandle } from 'node:fs/promises';
import type { BatchHeader } from '@millrace/protocol';
import * as protocol from '@millrace/protocol';
import { readFully } from './storage-io';

// Bound once: through the package index every use would be a getter call, and these run per batch.
const { BATCH_HEADER_SIZE, LOG_OVERHEAD, readBatchHeader } = protocol;

/**
 * Sequential scan of the record batches stored in a `.log` file, reading big chunks and
 * parsing only the 61-byte v2 headers (the records are never decoded). Used by recovery,
 * index rebuilding and producer-state replay.
 *
 * Each step yields either a whole batch (`kind: 'batch'`, with its bytes when
 * `withBodies` is set, e.g. for CRC checks) or the reason the scan cannot go on:
 * `'partial'` (the file ends inside a batch: a torn write) or `'invalid-length'` (the
 * batchLength field cannot be a v2 batch: garbage). The scan stops after such a step.
 */
export type ScanStep =
  | { kind: 'batch'; position: number; size: number; header: BatchHeader; bytes: Buffer | null }
  | { kind: 'partial'; position: number; available: number }
  | { kind: 'invalid-length'; position: number; batchLength: number };

export interface ScanOptions {
  /** Byte position to start at (must be a batch boundary). */
  from: number;
  /** Exclusive end position (the committed size of the file). */
  end: number;
  /** Also deliver each batch's full bytes. */
  withBodies: boolean;
  /** Read granularity; default 1 MiB. */
  chunkSize?: number;
}

const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

export async function* scanBatches(handle: FileHandle, opts: ScanOptions): AsyncGenerator<ScanStep> {
  const chunkSize = opts.chunkSize ?? 1 << 20;
  let win: Buffer = Buffer.alloc(0);
  let winStart = opts.from;
  let pos = opts.from;
  const end = opts.end;

  /** Ensures [pos, pos+len) is in the window (as far as the file allows). */
  const ensure = async (len: number): Promise<boolean> => {
    if (pos >= winStart && pos + len <= winStart + win.length) return true;
    const want = Math.min(end - pos, Math.max(len, chunkSize));
    win = await readFully(handle, pos, want);
    winStart = pos;
    return win.length >= len;
  };

  while (pos < end) {
    const remaining = end - pos;
    if (remaining < BATCH_HEADER_SIZE) {
      // Fewer bytes than a header: either a torn header or (when >= 12) a torn batch.
      yield { kind: 'partial', position: pos, available: remaining };
      return;
    }
    if (!(await ensure(BATCH_HEADER_SIZE))) {
      yield { kind: 'partial', position: pos, available: win.length };
      return;
    }
    const off = pos - winStart;
    const batchLength = win.readInt32BE(off + 8);
    if (batchLength < MIN_BATCH_LENGTH) {
      yield { kind: 'invalid-length', position: pos, batchLength };
      return;
    }
    const size = batchLength + LOG_OVERHEAD;
    if (size > remaining) {
      yield { kind: 'partial', position: pos, available: remaining };
      return;
    }
    const header = readBatchHeader(win, off);
    let bytes: Buffer | null = null;
    if (opts.withBodies) {
      if (!(await ensure(size))) {
        yield { kind: 'partial', position: pos, available: win.length };
        return;
      }
      const o = pos - winStart;
      bytes = win.subarray(o, o + size);
    }
    yield { kind: 'batch', position: pos, size, header, bytes };
    pos += size;
  }
}
