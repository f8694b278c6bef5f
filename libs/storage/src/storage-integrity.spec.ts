import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { CorruptBatchError } from './corrupt-batch';
import { QUARANTINE_FILE } from './corrupt-ranges';
import { StorageErrorCode } from './errors';
import { logConfig } from './log-config';
import { indexFilePath, logFilePath, timeIndexFilePath } from './log-file-names';
import { memoryLogger, recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';
import { UnifiedLog } from './unified-log';

/**
 * Storage never hides a record: a wrong index costs time, never records; a corrupt
 * stored batch is reported at its offset, never skipped until an operator quarantines it.
 */
describe('storage integrity', () => {
  let root: string;
  let dir: string;
  const logs: UnifiedLog[] = [];
  const config = logConfig({ segmentBytes: 20_000, indexIntervalBytes: 1024 });

  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 'orders-0');
  });
  afterEach(async () => {
    for (const l of logs.splice(0)) await l.close().catch(() => undefined);
    await removeDir(root);
  });

  async function open(hadCleanShutdown: boolean, logger = memoryLogger()): Promise<UnifiedLog> {
    const log = await UnifiedLog.open({ dir, config, hadCleanShutdown, logger });
    logs.push(log);
    return log;
  }

  /** 600 records in batches of 5 (~100 B values): several segments with index entries. */
  async function fill(log: UnifiedLog): Promise<void> {
    for (let i = 0; i < 120; i++) await log.append(testBatch({ count: 5, valueSize: 100 }));
    log.updateHighWatermark(log.logEndOffset);
  }

  /** Reads from `from` to the end following nextOffset; returns every record offset. */
  async function readAll(log: UnifiedLog, from = 0, maxBytes = 3000): Promise<number[]> {
    const out: number[] = [];
    let next = from;
    while (next < log.logEndOffset) {
      let r;
      try {
        r = await log.read(next, maxBytes);
      } catch (err) {
        if (err instanceof CorruptBatchError) break;
        throw err;
      }
      if (r.records.length === 0) break;
      for (const rec of recordsOf(r.records)) if (rec.offset >= next) out.push(rec.offset);
      next = r.lastOffset + 1;
    }
    return out;
  }

  async function closeAndReopen(log: UnifiedLog, logger = memoryLogger()): Promise<UnifiedLog> {
    await log.close();
    logs.splice(logs.indexOf(log), 1);
    return open(true, logger);
  }

  const all = Array.from({ length: 600 }, (_, i) => i);

  it('a random first-segment index on a clean restart is detected, rebuilt, and loses no record', async () => {
    const log = await open(false);
    await fill(log);
    expect(log.segments.length).toBeGreaterThan(3);
    const first = log.segments[0];
    const size = (await fsp.stat(indexFilePath(dir, first.baseOffset))).size;
    expect(size).toBeGreaterThan(16);
    await log.close();
    logs.pop();
    // Random bytes, same length: structurally plausible at a glance, wrong in every entry.
    const garbage = Buffer.alloc(size);
    for (let i = 0; i < size; i++) garbage[i] = (i * 151 + 7) & 0xff;
    await fsp.writeFile(indexFilePath(dir, first.baseOffset), garbage);
    const logger = memoryLogger();
    const reopened = await open(true, logger);
    expect(logger.lines.join('\n')).toMatch(/index of segment 0 cannot be trusted .* rebuilding/);
    expect(reopened.recoveryReport.rebuiltIndexes).toContain(0);
    expect(await readAll(reopened)).toEqual(all);
  });

  it('an index that is sane in shape but points at the wrong batches costs a scan, never records', async () => {
    const log = await open(false);
    await fill(log);
    const second = log.segments[1];
    const reopened = await closeAndReopen(log);
    // Shift every entry's position by one batch: increasing, inside the log, all wrong.
    // (Written after open: the open-time check is not what this test exercises.)
    const seg = reopened.segments[1];
    await seg.offsetIndex.load();
    const entries = seg.offsetIndex.entries;
    expect(entries).toBeGreaterThan(2);
    const e1 = seg.offsetIndex.entry(1);
    const e2 = seg.offsetIndex.entry(2);
    // Point entry 1's offset at entry 2's position: reads for offsets in [e1, e2) would skip.
    (seg.offsetIndex as unknown as { data: Buffer }).data.writeInt32BE(e2.position, 1 * 8 + 4);
    expect(seg.offsetIndex.entry(1)).toEqual({ offset: e1.offset, position: e2.position });
    const got = await readAll(reopened, second.baseOffset, 600);
    expect(got).toEqual(all.slice(second.baseOffset));
    const mid = await reopened.read(e1.offset, 100);
    expect(mid.firstOffset).toBe(e1.offset);
  });

  it('time and offset indexes of a clean-shutdown segment are checked against the log', async () => {
    const log = await open(false);
    await fill(log);
    const base = log.segments[1].baseOffset;
    await log.close();
    logs.pop();
    // Keep the time index shape but make its last entry name an offset past the segment.
    const ti = await fsp.readFile(timeIndexFilePath(dir, base));
    ti.writeInt32BE(100_000, ti.length - 4);
    await fsp.writeFile(timeIndexFilePath(dir, base), ti);
    const logger = memoryLogger();
    const reopened = await open(true, logger);
    expect(logger.lines.join('\n')).toMatch(new RegExp(`index of segment ${base} cannot be trusted \\(time index entry names offset`));
    expect(await readAll(reopened)).toEqual(all);
  });

  it('a corrupt mid-log batch fails the fetch at exactly its offset, is reported, and is skipped only after a quarantine', async () => {
    const log = await open(false);
    await fill(log);
    const reopened = await closeAndReopen(log);
    const seg = reopened.segments[1];
    // The third batch of the second segment: 4 bytes inside its records.
    const loc = await seg.findBatch(seg.baseOffset + 10);
    expect(loc).not.toBeNull();
    const fh = await fsp.open(logFilePath(dir, seg.baseOffset), 'r+');
    await fh.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, loc!.position + 80);
    await fh.close();
    const bad = { from: loc!.baseOffset, to: loc!.lastOffset };

    // Reading from before it stops right before it (no silent skip, no garbage served).
    const before = await readAll(reopened, 0, 3000);
    expect(before).toEqual(all.slice(0, bad.from));
    let err: unknown;
    try {
      await reopened.read(bad.from, 3000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorruptBatchError);
    expect((err as CorruptBatchError).errorCode).toBe(StorageErrorCode.CORRUPT_MESSAGE);
    expect(reopened.corruptRanges.list()).toEqual([
      expect.objectContaining({ fromOffset: bad.from, toOffset: bad.to, segment: path.basename(logFilePath(dir, seg.baseOffset)), quarantinedAtMs: null }),
    ]);
    await expect(reopened.read(bad.to, 3000)).rejects.toBeInstanceOf(CorruptBatchError);

    expect(() => reopened.corruptRanges.quarantine(0, bad.from - 1)).toThrow(/no known corrupt range/);
    reopened.corruptRanges.quarantine();
    const after = await readAll(reopened, 0, 3000);
    expect(after).toEqual(all.filter((o) => o < bad.from || o > bad.to));

    // The quarantine survives a restart.
    const again = await closeAndReopen(reopened);
    expect(JSON.parse(await fsp.readFile(path.join(dir, QUARANTINE_FILE), 'utf8')).ranges).toHaveLength(1);
    expect(await readAll(again, 0, 3000)).toEqual(all.filter((o) => o < bad.from || o > bad.to));
  });

  it('DeleteRecords past a corrupt range is the other way past it, and drops the range', async () => {
    const log = await open(false);
    await fill(log);
    const logger = memoryLogger();
    const reopened = await closeAndReopen(log, logger);
    const seg = reopened.segments[1];
    const loc = await seg.findBatch(seg.baseOffset + 10);
    const fh = await fsp.open(logFilePath(dir, seg.baseOffset), 'r+');
    await fh.write(Buffer.from([1, 2, 3, 4]), 0, 4, loc!.position + 70);
    await fh.close();
    expect(await readAll(reopened)).toEqual(all.slice(0, loc!.baseOffset));
    expect(reopened.corruptRanges.count).toBe(1);
    reopened.updateHighWatermark(reopened.logEndOffset);
    await reopened.deleteRecordsBefore(loc!.lastOffset + 1);
    expect(reopened.corruptRanges.count).toBe(0);
    expect(logger.lines.join('\n')).toMatch(/1 corrupt range\(s\) below log start offset \d+ dropped/);
    expect(await readAll(reopened, reopened.logStartOffset)).toEqual(all.slice(loc!.lastOffset + 1));
  });

  it('rebuilding a sealed segment index never truncates intact batches after a corrupt one', async () => {
    const log = await open(false);
    await fill(log);
    const seg = log.segments[1];
    const loc = await seg.findBatch(seg.baseOffset + 10);
    const segEnd = log.segments[2].baseOffset;
    await log.close();
    logs.pop();
    const fh = await fsp.open(logFilePath(dir, seg.baseOffset), 'r+');
    await fh.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, loc!.position + 80);
    await fh.close();
    await fsp.rm(indexFilePath(dir, seg.baseOffset));
    const logger = memoryLogger();
    const reopened = await open(true, logger);
    expect(logger.lines.join('\n')).toMatch(/holds corrupt data \(1 batch\(es\) failing their CRC\); kept in place/);
    expect(reopened.segments[1].size).toBe((await fsp.stat(logFilePath(dir, seg.baseOffset))).size);
    await expect(reopened.read(loc!.baseOffset, 3000)).rejects.toBeInstanceOf(CorruptBatchError);
    reopened.corruptRanges.quarantine();
    const got = await readAll(reopened, 0, 3000);
    expect(got).toEqual(all.filter((o) => o < loc!.baseOffset || o > loc!.lastOffset));
    expect(got.filter((o) => o > loc!.lastOffset && o < segEnd).length).toBe(segEnd - loc!.lastOffset - 1);
  });

  it('a batch with a garbage length is reported from the offset after the last good batch', async () => {
    const log = await open(false);
    await fill(log);
    const reopened = await closeAndReopen(log);
    const seg = reopened.segments[2];
    const loc = await seg.findBatch(seg.baseOffset + 20);
    const fh = await fsp.open(logFilePath(dir, seg.baseOffset), 'r+');
    await fh.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]), 0, 4, loc!.position + 8);
    await fh.close();
    const got = await readAll(reopened, 0, 3000);
    expect(got).toEqual(all.slice(0, loc!.baseOffset));
    await expect(reopened.read(loc!.baseOffset, 3000)).rejects.toBeInstanceOf(CorruptBatchError);
    const [range] = reopened.corruptRanges.list();
    expect(range.fromOffset).toBe(loc!.baseOffset);
    expect(range.toOffset).toBe(reopened.segments[3].baseOffset - 1);
  });
});
