import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { offsetFileName, parseOffsetFileName, SNAPSHOT_SUFFIX, snapshotFilePath } from './log-file-names';
import type { ProducerStateEntry } from './producer-state';
import { StorageIo, syncDirectory, unlinkIfExists } from './storage-io';

/**
 * Producer-state snapshot file `<20-digit offset>.snapshot`: the state after applying
 * every batch below `offset` (the log end offset when it was taken — at segment roll and
 * at clean shutdown). On open, the latest valid snapshot <= the log end offset is loaded
 * and the batch headers from its offset to the log end are replayed.
 *
 * Format (big-endian):
 *
 *   offset  size  field
 *   0       2     version         int16   1
 *   2       4     crc             uint32  CRC-32C of bytes [6, end)
 *   6       8     snapshotOffset  int64   same as the file name
 *   14      4     producerCount   int32
 *   18      ...   producerCount entries, each:
 *     +0    8     producerId             int64
 *     +8    2     producerEpoch          int16
 *     +10   4     coordinatorEpoch       int32
 *     +14   8     currentTxnFirstOffset  int64  (-1 = no open transaction)
 *     +22   8     lastTimestamp          int64
 *     +30   1     batchCount             int8   (0..5)
 *     +31   batchCount x 32 bytes, oldest first:
 *             +0  4  firstSeq     int32
 *             +4  4  lastSeq      int32
 *             +8  8  firstOffset  int64
 *             +16 8  lastOffset   int64
 *             +24 8  timestamp    int64
 *
 * Written crash-safely: `<name>.tmp`, fsync, rename, fsync of the directory. A snapshot
 * whose CRC or structure does not check is ignored (and deleted) by the loader.
 */
const VERSION = 1;
const HEADER = 18;
const ENTRY_FIXED = 31;
const BATCH_SIZE = 32;

export function encodeProducerSnapshot(offset: number, entries: readonly ProducerStateEntry[]): Buffer {
  let size = HEADER;
  for (const e of entries) size += ENTRY_FIXED + e.batches.length * BATCH_SIZE;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  buf.writeBigInt64BE(BigInt(offset), 6);
  buf.writeInt32BE(entries.length, 14);
  let p = HEADER;
  for (const e of entries) {
    buf.writeBigInt64BE(BigInt(e.producerId), p);
    buf.writeInt16BE(e.producerEpoch, p + 8);
    buf.writeInt32BE(e.coordinatorEpoch, p + 10);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), p + 14);
    buf.writeBigInt64BE(BigInt(e.lastTimestamp), p + 22);
    buf.writeInt8(e.batches.length, p + 30);
    p += ENTRY_FIXED;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSeq, p);
      buf.writeInt32BE(b.lastSeq, p + 4);
      buf.writeBigInt64BE(BigInt(b.firstOffset), p + 8);
      buf.writeBigInt64BE(BigInt(b.lastOffset), p + 16);
      buf.writeBigInt64BE(BigInt(b.timestamp), p + 24);
      p += BATCH_SIZE;
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)) >>> 0, 2);
  return buf;
}

/** Decodes a snapshot; throws on a bad version, CRC or structure. */
export function decodeProducerSnapshot(buf: Buffer): { offset: number; entries: ProducerStateEntry[] } {
  if (buf.length < HEADER) throw new Error('snapshot too short');
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw new Error(`unknown snapshot version ${version}`);
  if ((crc32c(buf.subarray(6)) >>> 0) !== buf.readUInt32BE(2)) throw new Error('snapshot CRC mismatch');
  const offset = Number(buf.readBigInt64BE(6));
  const count = buf.readInt32BE(14);
  const entries: ProducerStateEntry[] = [];
  let p = HEADER;
  for (let i = 0; i < count; i++) {
    if (p + ENTRY_FIXED > buf.length) throw new Error('snapshot truncated');
    const n = buf.readInt8(p + 30);
    const e: ProducerStateEntry = {
      producerId: Number(buf.readBigInt64BE(p)),
      producerEpoch: buf.readInt16BE(p + 8),
      coordinatorEpoch: buf.readInt32BE(p + 10),
      currentTxnFirstOffset: Number(buf.readBigInt64BE(p + 14)),
      lastTimestamp: Number(buf.readBigInt64BE(p + 22)),
      batches: [],
    };
    p += ENTRY_FIXED;
    if (n < 0 || p + n * BATCH_SIZE > buf.length) throw new Error('snapshot truncated');
    for (let j = 0; j < n; j++) {
      e.batches.push({
        firstSeq: buf.readInt32BE(p),
        lastSeq: buf.readInt32BE(p + 4),
        firstOffset: Number(buf.readBigInt64BE(p + 8)),
        lastOffset: Number(buf.readBigInt64BE(p + 16)),
        timestamp: Number(buf.readBigInt64BE(p + 24)),
      });
      p += BATCH_SIZE;
    }
    entries.push(e);
  }
  if (p !== buf.length) throw new Error('snapshot has trailing bytes');
  return { offset, entries };
}

export async function writeProducerSnapshot(
  dir: string,
  offset: number,
  entries: readonly ProducerStateEntry[],
  io: StorageIo,
): Promise<void> {
  const final = snapshotFilePath(dir, offset);
  const tmp = final + '.tmp';
  const h = await fsp.open(tmp, 'w');
  try {
    await h.writeFile(encodeProducerSnapshot(offset, entries));
    await io.sync(h);
  } finally {
    await h.close();
  }
  await fsp.rename(tmp, final);
  await syncDirectory(dir);
}

/** Offsets of the snapshot files in `dir`, ascending. */
export async function listProducerSnapshots(dir: string): Promise<number[]> {
  const names = await fsp.readdir(dir);
  const out: number[] = [];
  for (const n of names) {
    const parsed = parseOffsetFileName(n);
    if (parsed && parsed.suffix === SNAPSHOT_SUFFIX) out.push(parsed.offset);
  }
  return out.sort((a, b) => a - b);
}

export async function readProducerSnapshot(dir: string, offset: number): Promise<ProducerStateEntry[]> {
  const { offset: inFile, entries } = decodeProducerSnapshot(await fsp.readFile(snapshotFilePath(dir, offset)));
  if (inFile !== offset) throw new Error(`snapshot ${offsetFileName(offset)} claims offset ${inFile}`);
  return entries;
}

export async function deleteProducerSnapshot(dir: string, offset: number): Promise<void> {
  await unlinkIfExists(snapshotFilePath(dir, offset));
}

/** Removes stray `*.snapshot.tmp` files left by a crash during a snapshot write. */
export async function deleteTemporarySnapshots(dir: string): Promise<void> {
  for (const n of await fsp.readdir(dir)) {
    if (n.endsWith(SNAPSHOT_SUFFIX + '.tmp')) await unlinkIfExists(path.join(dir, n));
  }
}

/** Deletes every snapshot whose offset is below `offset` (pass Infinity for all of them). */
export async function deleteProducerSnapshotsBelow(dir: string, offset: number): Promise<void> {
  for (const off of await listProducerSnapshots(dir)) if (off < offset) await deleteProducerSnapshot(dir, off);
}

/** Keeps only the newest `count` snapshots at or above `from` (what a restart or a truncation may use). */
export async function retainNewestProducerSnapshots(dir: string, from: number, count: number): Promise<void> {
  const all = await listProducerSnapshots(dir);
  const keep = new Set(all.filter((o) => o >= from).slice(-count));
  for (const off of all) if (!keep.has(off)) await deleteProducerSnapshot(dir, off);
}
