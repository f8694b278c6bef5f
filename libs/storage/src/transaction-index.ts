import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import * as protocol from '@millrace/protocol';
import { offsetFileName, parseOffsetFileName } from './log-file-names';
import { unlinkIfExists, type StorageIo } from './storage-io';

const { ControlRecordType, parseControlBatch } = protocol;

/**
 * The aborted transactions of one partition: Kafka's per-segment transaction index
 * (`TransactionIndex.java`), file `<20-digit segment base offset>.txnindex` next to the
 * segment whose ABORT marker it records. Entries are appended in marker order, so they
 * are sorted by lastOffset within a file and across files.
 *
 * Entry format (34 bytes, big-endian, no file header):
 *
 *   offset  size  field
 *   0       2     version           int16  0
 *   2       8     producerId        int64
 *   10      8     firstOffset       int64  first offset of the aborted transaction in this partition
 *   18      8     lastOffset        int64  offset of the ABORT marker
 *   26      8     lastStableOffset  int64  the partition's last stable offset right after the marker
 *
 * A trailing partial entry (torn write) is ignored on load. All entries are also kept in
 * memory (one sorted array; 34 bytes per aborted transaction), so the lookup for a fetch
 * is a binary search plus a short walk — never a scan of the log.
 *
 * Consistency with the log: the loader truncates entries at or above the offset it
 * replays producer state from and re-adds those while replaying (so a crash between the
 * marker write and the index write is repaired), segment deletion drops the files of
 * deleted segments, and follower truncation drops entries at or above the cut.
 * Durability: index writes go to the page cache like Kafka's; a segment's file is
 * fsynced when the segment rolls (before the producer snapshot that lets recovery skip
 * it), and everything above the newest producer snapshot is rebuilt at open.
 */
export const TXN_INDEX_SUFFIX = '.txnindex';
const ENTRY_SIZE = 34;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

interface StoredTxn extends AbortedTxn {
  /** Base offset of the segment (file) holding the entry. */
  segmentBase: number;
}

export function txnIndexFilePath(dir: string, segmentBase: number): string {
  return path.join(dir, offsetFileName(segmentBase) + TXN_INDEX_SUFFIX);
}

export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ENTRY_SIZE);
  entries.forEach((e, i) => {
    const p = i * ENTRY_SIZE;
    buf.writeInt16BE(0, p);
    buf.writeBigInt64BE(BigInt(e.producerId), p + 2);
    buf.writeBigInt64BE(BigInt(e.firstOffset), p + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), p + 18);
    buf.writeBigInt64BE(BigInt(e.lastStableOffset), p + 26);
  });
  return buf;
}

/** Decodes whole entries; a partial trailing entry is ignored. Throws on an unknown version. */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let p = 0; p + ENTRY_SIZE <= buf.length; p += ENTRY_SIZE) {
    const version = buf.readInt16BE(p);
    if (version !== 0) throw new Error(`unknown transaction index entry version ${version} at byte ${p}`);
    out.push({
      producerId: Number(buf.readBigInt64BE(p + 2)),
      firstOffset: Number(buf.readBigInt64BE(p + 10)),
      lastOffset: Number(buf.readBigInt64BE(p + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(p + 26)),
    });
  }
  return out;
}

/** True when the control batch at `pos` of `buf` is an ABORT marker (only control batches are decoded). */
export function isAbortMarker(buf: Buffer, pos: number): boolean {
  const parsed = parseControlBatch(buf, pos);
  return parsed.records.length > 0 && parsed.records[0].type === ControlRecordType.Abort;
}

export class TransactionIndex {
  private entries: StoredTxn[] = [];
  /** Segment bases whose file got entries since its last fsync. */
  private readonly unsynced = new Set<number>();

  private constructor(readonly dir: string) {}

  /** Reads every `.txnindex` file of `dir`; unreadable files are dropped (the loader rebuilds what it can). */
  static async load(dir: string, warn: (message: string) => void = () => undefined): Promise<TransactionIndex> {
    const index = new TransactionIndex(dir);
    const bases: number[] = [];
    for (const name of await fsp.readdir(dir)) {
      const parsed = parseOffsetFileName(name);
      if (parsed && parsed.suffix === TXN_INDEX_SUFFIX) bases.push(parsed.offset);
    }
    bases.sort((a, b) => a - b);
    for (const base of bases) {
      try {
        for (const e of decodeAbortedTxns(await fsp.readFile(txnIndexFilePath(dir, base)))) index.entries.push({ ...e, segmentBase: base });
      } catch (err) {
        warn(`ignoring unreadable transaction index ${offsetFileName(base)}${TXN_INDEX_SUFFIX}: ${String(err)}`);
        await unlinkIfExists(txnIndexFilePath(dir, base));
      }
    }
    index.entries.sort((a, b) => a.lastOffset - b.lastOffset);
    return index;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Appends entries (markers written to the segment based at `segmentBase`), in offset order. */
  async append(segmentBase: number, entries: readonly AbortedTxn[]): Promise<void> {
    if (entries.length === 0) return;
    await fsp.appendFile(txnIndexFilePath(this.dir, segmentBase), encodeAbortedTxns(entries));
    for (const e of entries) this.entries.push({ ...e, segmentBase });
    this.unsynced.add(segmentBase);
  }

  /**
   * Aborted transactions overlapping the fetched range [from, upper): lastOffset >= from
   * and firstOffset < upper (Kafka's collectAbortedTransactions). The walk stops at the
   * first entry whose lastStableOffset >= upper: every later abort started at or after it.
   */
  collect(from: number, upper: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].lastOffset < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.firstOffset < upper) out.push({ producerId: e.producerId, firstOffset: e.firstOffset, lastOffset: e.lastOffset, lastStableOffset: e.lastStableOffset });
      if (e.lastStableOffset >= upper) break;
    }
    return out;
  }

  /** fsyncs the files of segments based below `base` written since their last fsync (segment roll). */
  async syncBelow(base: number, io: StorageIo): Promise<void> {
    for (const b of [...this.unsynced]) {
      if (b >= base) continue;
      let h: FileHandle | undefined;
      try {
        h = await fsp.open(txnIndexFilePath(this.dir, b), 'r+');
        await io.sync(h);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      } finally {
        await h?.close();
      }
      this.unsynced.delete(b);
    }
  }

  /** Drops entries whose marker is at or above `offset` (truncation, replay), rewriting the files affected. */
  async truncateTo(offset: number): Promise<number> {
    const dropped = this.entries.filter((e) => e.lastOffset >= offset);
    if (dropped.length === 0) return 0;
    this.entries = this.entries.filter((e) => e.lastOffset < offset);
    for (const base of new Set(dropped.map((e) => e.segmentBase))) await this.rewrite(base);
    return dropped.length;
  }

  /** Drops the files (and entries) of segments based below `firstSegmentBase` (segment deletion). */
  async deleteBelow(firstSegmentBase: number): Promise<void> {
    const bases = new Set(this.entries.filter((e) => e.segmentBase < firstSegmentBase).map((e) => e.segmentBase));
    if (bases.size === 0) return;
    this.entries = this.entries.filter((e) => e.segmentBase >= firstSegmentBase);
    for (const base of bases) await unlinkIfExists(txnIndexFilePath(this.dir, base));
  }

  /** Forgets everything and deletes every file (the log restarts empty). */
  async clear(): Promise<void> {
    const bases = new Set(this.entries.map((e) => e.segmentBase));
    this.entries = [];
    for (const base of bases) await unlinkIfExists(txnIndexFilePath(this.dir, base));
  }

  private async rewrite(segmentBase: number): Promise<void> {
    const keep = this.entries.filter((e) => e.segmentBase === segmentBase);
    const file = txnIndexFilePath(this.dir, segmentBase);
    if (keep.length === 0) await unlinkIfExists(file);
    else await fsp.writeFile(file, encodeAbortedTxns(keep));
  }
}
