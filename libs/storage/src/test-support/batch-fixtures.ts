/**
 * Test-only helpers: build RecordBatch v2 buffers with the protocol library's builder and
 * manage temporary directories. Not exported from the package.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, decodeBatches } from '@millrace/protocol';
import type { StorageIo } from '../storage-io';
import type { StorageLogger } from '../logger';

export interface TestBatchOptions {
  /** Number of records (default 1). */
  count?: number;
  /** Value size in bytes (default 100). */
  valueSize?: number;
  /** Record timestamp (all records), default Date.now(). */
  timestamp?: number;
  /** Key of every record (string) or per record; null for no key. */
  keys?: (string | null)[];
  /** Values per record; null means tombstone. Overrides valueSize. */
  values?: (string | null)[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
}

export function testBatch(o: TestBatchOptions = {}): Buffer {
  const count = o.keys?.length ?? o.values?.length ?? o.count ?? 1;
  const ts = o.timestamp ?? Date.now();
  const records = [];
  for (let i = 0; i < count; i++) {
    const key = o.keys ? o.keys[i] : null;
    const v = o.values ? o.values[i] : 'v'.repeat(o.valueSize ?? 100);
    records.push({
      key: key === null ? null : Buffer.from(key),
      value: v === null ? null : Buffer.from(v),
      timestamp: ts,
    });
  }
  return buildBatch({
    baseOffset: 0,
    records,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
    transactional: o.transactional,
  });
}

/** Offsets, keys and values of every record in a buffer of batches. */
export function recordsOf(buf: Buffer): { offset: number; key: string | null; value: string | null; timestamp: number }[] {
  return decodeBatches(buf).flatMap((b) =>
    b.records.map((r) => ({
      offset: r.offset,
      key: r.key === null ? null : r.key.toString(),
      value: r.value === null ? null : r.value.toString(),
      timestamp: r.timestamp,
    })),
  );
}

export async function tempDir(prefix = 'millrace-storage-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true });
}

/** A logger that records messages. */
export function memoryLogger(): StorageLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`) };
}

/** Storage I/O that counts fsyncs and can slow them down (to observe group commit). */
export function countingIo(delayMs = 0): StorageIo & { syncs: number } {
  const io = {
    syncs: 0,
    async sync(h: Parameters<StorageIo['sync']>[0]): Promise<void> {
      io.syncs++;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await h.datasync();
    },
  };
  return io;
}
