import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { readBatchHeader, setBaseOffset } from '@millrace/protocol';
import { DEFAULT_STORAGE_IO } from './storage-io';
import { LogSegment } from './log-segment';
import { recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';

describe('LogSegment and its indexes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const opts = { indexIntervalBytes: 250, maxIndexBytes: 1024, io: DEFAULT_STORAGE_IO };

  /** Segment at base 1000 with `n` batches of 2 records, timestamps t0 + i*10. */
  async function filled(n: number, t0 = 1_000_000): Promise<{ seg: LogSegment; sizes: number[] }> {
    const seg = await LogSegment.create(dir, 1000, opts);
    const bufs: Buffer[] = [];
    const infos = [];
    const sizes: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = testBatch({ count: 2, timestamp: t0 + i * 10 });
      setBaseOffset(b, 0, 1000 + i * 2);
      bufs.push(b);
      sizes.push(b.length);
      infos.push({ baseOffset: 1000 + i * 2, lastOffset: 1001 + i * 2, maxTimestamp: t0 + i * 10, size: b.length });
    }
    await seg.append(bufs, infos);
    return { seg, sizes };
  }

  it('writes sparse index entries every index.interval.bytes, as 8-byte (relOffset, position) pairs', async () => {
    const { seg, sizes } = await filled(20);
    // The append path keeps fewer than 64 new entries in memory only; flush writes them.
    expect((await fsp.readFile(path.join(dir, '00000000000000001000.index'))).length).toBe(0);
    await seg.flush();
    const idx = await fsp.readFile(path.join(dir, '00000000000000001000.index'));
    expect(idx.length % 8).toBe(0);
    expect(idx.length / 8).toBe(seg.offsetIndex.entries);
    expect(seg.offsetIndex.entries).toBeGreaterThan(3);
    // Every entry points at the start of the batch it names.
    for (let i = 0; i < seg.offsetIndex.entries; i++) {
      const rel = idx.readInt32BE(i * 8);
      const pos = idx.readInt32BE(i * 8 + 4);
      const batchNo = rel / 2;
      expect(pos).toBe(sizes.slice(0, batchNo).reduce((a, b) => a + b, 0));
    }
    const tidx = await fsp.readFile(path.join(dir, '00000000000000001000.timeindex'));
    expect(tidx.length % 12).toBe(0);
    expect(Number(tidx.readBigInt64BE(0))).toBeGreaterThan(1_000_000);
    await seg.close();
  });

  it('reads from the batch containing the offset, whole batches within maxBytes', async () => {
    const { seg, sizes } = await filled(20);
    const r = await seg.read(1013, sizes[0] * 3 + 5);
    expect(r?.firstOffset).toBe(1012);
    expect(recordsOf(r!.records).map((x) => x.offset)).toEqual([1012, 1013, 1014, 1015, 1016, 1017]);
    // maxOffset is exclusive on the batch's last offset.
    const capped = await seg.read(1000, 1 << 20, 1004);
    expect(capped?.lastOffset).toBe(1003);
    // First batch returned even if larger than maxBytes, unless minOneBatch is false.
    expect((await seg.read(1000, 1))?.records.length).toBe(sizes[0]);
    expect(await seg.read(1000, 1, undefined, false)).toBeNull();
    expect(await seg.read(1040, 100)).toBeNull();
    expect(await seg.nextOffset()).toBe(1040);
    await seg.close();
  });

  it('finds batches by timestamp and truncates', async () => {
    const { seg } = await filled(20);
    expect((await seg.findBatchByTimestamp(1_000_095, 0))?.baseOffset).toBe(1020);
    expect(await seg.findBatchByTimestamp(2_000_000, 0)).toBeNull();
    expect(await seg.largestTimestamp()).toBe(1_000_190);
    const removed = await seg.truncateTo(1011);
    expect(removed).toBeGreaterThan(0);
    expect(await seg.nextOffset()).toBe(1010);
    expect(seg.offsetIndex.lastEntry()!.offset).toBeLessThan(1010);
    expect((await seg.read(1000, 1 << 20))?.lastOffset).toBe(1009);
    expect(readBatchHeader((await seg.readAt(0, 61)), 0).baseOffset).toBe(1000);
    await seg.close();
  });

  it('re-validates from the last index entry and cuts a torn tail', async () => {
    const { seg, sizes } = await filled(20);
    const total = sizes.reduce((a, b) => a + b, 0);
    await seg.close();
    const file = path.join(dir, '00000000000000001000.log');
    await fsp.appendFile(file, Buffer.alloc(30, 7)); // garbage after the last batch
    const reopened = await LogSegment.open(dir, 1000, opts);
    await reopened.loadState();
    const anchor = reopened.offsetIndex.lastEntry()!;
    const res = await reopened.recover(anchor.position, 1000);
    expect(res).toMatchObject({ validBytes: total, truncatedBytes: 30, nextOffset: 1040, indexMismatch: false });
    expect((await fsp.stat(file)).size).toBe(total);
    await reopened.close();
  });
});
