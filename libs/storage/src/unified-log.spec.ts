import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StorageErrorCode } from './errors';
import { logConfig, LogConfig } from './log-config';
import { UnifiedLog, UnifiedLogOptions } from './unified-log';
import { countingIo, memoryLogger, recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';

describe('UnifiedLog', () => {
  let root: string;
  let dir: string;
  const logs: UnifiedLog[] = [];

  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 'orders-0');
  });
  afterEach(async () => {
    for (const l of logs.splice(0)) await l.close().catch(() => undefined);
    await removeDir(root);
  });

  async function open(config: Partial<LogConfig> = {}, extra: Partial<UnifiedLogOptions> = {}): Promise<UnifiedLog> {
    const log = await UnifiedLog.open({ dir, config: logConfig(config), hadCleanShutdown: false, ...extra });
    logs.push(log);
    return log;
  }

  async function appendMany(log: UnifiedLog, n: number, perBatch = 1, valueSize = 100, timestamp?: number): Promise<void> {
    for (let i = 0; i < n; i++) await log.append(testBatch({ count: perBatch, valueSize, timestamp }));
  }

  /** Reads everything from `from` following nextOffset, returns record offsets. */
  async function readAll(log: UnifiedLog, from = log.logStartOffset, maxBytes = 10_000): Promise<number[]> {
    const out: number[] = [];
    let next = from;
    while (next < log.logEndOffset) {
      const r = await log.read(next, maxBytes);
      if (r.records.length === 0) break;
      for (const rec of recordsOf(r.records)) if (rec.offset >= next) out.push(rec.offset);
      next = r.lastOffset + 1;
    }
    return out;
  }

  it('assigns offsets from the log end offset and reads them back', async () => {
    const log = await open();
    const a = await log.append(testBatch({ count: 3 }));
    const b = await log.append(testBatch({ count: 2 }));
    expect(a).toMatchObject({ baseOffset: 0, lastOffset: 2, recordCount: 3, duplicate: false, logAppendTime: -1 });
    expect(b).toMatchObject({ baseOffset: 3, lastOffset: 4 });
    expect(log.logEndOffset).toBe(5);
    const r = await log.read(0, 1 << 20);
    expect(recordsOf(r.records).map((x) => x.offset)).toEqual([0, 1, 2, 3, 4]);
    // Fetch from the middle of a batch returns the whole batch containing it.
    const mid = await log.read(4, 1 << 20);
    expect(mid.firstOffset).toBe(3);
    // partitionLeaderEpoch was stamped.
    expect(mid.records.readInt32BE(12)).toBe(0);
  });

  it('rolls segments by segment.bytes and reads across them', async () => {
    const log = await open({ segmentBytes: 2000, indexIntervalBytes: 300 });
    await appendMany(log, 60, 2, 100);
    expect(log.segments.length).toBeGreaterThan(5);
    for (const s of log.segments) expect(s.size).toBeLessThanOrEqual(2000);
    expect(await readAll(log, 0, 700)).toEqual([...Array(120).keys()]);
    // Each read returns whole batches below maxBytes, but at least one batch.
    const small = await log.read(37, 10);
    expect(recordsOf(small.records).length).toBe(2);
    expect(small.firstOffset).toBe(36);
    // Files carry 20-digit base offsets.
    const names = await fsp.readdir(dir);
    expect(names).toContain('00000000000000000000.log');
    expect(names.filter((n) => n.endsWith('.snapshot')).length).toBeGreaterThan(0);
  });

  it('caps reads at maxOffset (high watermark) and rejects out-of-range fetches', async () => {
    const log = await open();
    await appendMany(log, 5, 2);
    const r = await log.read(0, 1 << 20, { maxOffset: 6 });
    expect(recordsOf(r.records).map((x) => x.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await log.read(6, 1 << 20, { maxOffset: 6 })).records.length).toBe(0);
    expect((await log.read(10, 1 << 20)).records.length).toBe(0);
    await expect(log.read(11, 100)).rejects.toMatchObject({ errorCode: StorageErrorCode.OFFSET_OUT_OF_RANGE });
  });

  it('finds offsets by timestamp through the time index, across segments', async () => {
    const log = await open({ segmentBytes: 3000, indexIntervalBytes: 200 });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 50; i++) await log.append(testBatch({ count: 2, timestamp: t0 + i * 1000 }));
    expect(log.segments.length).toBeGreaterThan(2);
    expect(await log.offsetForTimestamp(t0 + 17_000)).toEqual({ offset: 34, timestamp: t0 + 17_000 });
    expect(await log.offsetForTimestamp(t0 + 17_500)).toEqual({ offset: 36, timestamp: t0 + 18_000 });
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: t0 });
    expect(await log.offsetForTimestamp(t0 + 10_000_000)).toBeNull();
    expect(await log.offsetForTimestamp(-2)).toEqual({ offset: 0, timestamp: -1 });
    expect(await log.offsetForTimestamp(-1)).toEqual({ offset: 100, timestamp: -1 });
    expect(await log.offsetForTimestamp(-3)).toEqual({ offset: 98, timestamp: t0 + 49_000 });
  });

  it('rolls by segment.ms using the first batch timestamp', async () => {
    const log = await open({ segmentMs: 60_000 });
    const t0 = Date.now() - 10 * 60_000;
    await log.append(testBatch({ timestamp: t0 }));
    await log.append(testBatch({ timestamp: t0 + 30_000 }));
    expect(log.segments.length).toBe(1);
    await log.append(testBatch({ timestamp: t0 + 61_000 }));
    expect(log.segments.length).toBe(2);
    expect(log.activeSegment.baseOffset).toBe(2);
  });

  it('rejects oversized batches and corrupt input with Kafka error codes', async () => {
    const log = await open({ maxMessageBytes: 500 });
    await expect(log.append(testBatch({ valueSize: 1000 }))).rejects.toMatchObject({ errorCode: StorageErrorCode.MESSAGE_TOO_LARGE });
    const bad = testBatch();
    bad[bad.length - 1] ^= 0xff;
    await expect(log.append(bad)).rejects.toMatchObject({ errorCode: StorageErrorCode.CORRUPT_MESSAGE });
    expect(log.logEndOffset).toBe(0);
  });

  it('stamps LogAppendTime with a valid CRC', async () => {
    const log = await open({ messageTimestampType: 'LogAppendTime' }, { time: () => 1_800_000_000_000 });
    const res = await log.append(testBatch({ count: 2, timestamp: 5 }));
    expect(res.logAppendTime).toBe(1_800_000_000_000);
    const recs = recordsOf((await log.read(0, 1 << 20)).records); // decode verifies the CRC
    expect(recs.map((r) => r.timestamp)).toEqual([1_800_000_000_000, 1_800_000_000_000]);
  });

  describe('recovery', () => {
    it('truncates a torn tail to the last whole batch, reports it, serves everything before', async () => {
      let log = await open({ indexIntervalBytes: 500 });
      await appendMany(log, 20, 3);
      const leo = log.logEndOffset;
      await log.close();
      logs.length = 0;
      const file = path.join(dir, '00000000000000000000.log');
      const size = (await fsp.stat(file)).size;
      await fsp.truncate(file, size - 40); // cut the last batch in the middle
      const logger = memoryLogger();
      log = await open({ indexIntervalBytes: 500 }, { logger, hadCleanShutdown: false });
      expect(log.logEndOffset).toBe(leo - 3);
      expect(log.recoveryReport).toMatchObject({ cleanShutdown: false, truncatedAtOffset: leo - 3 });
      expect(log.recoveryReport.truncatedBytes).toBeGreaterThan(0);
      expect(log.recoveryReport.truncationReason).toMatch(/partial batch/);
      expect(logger.lines.join('\n')).toMatch(/partition orders-0: truncated \d+ bytes \(partial batch.*\) at offset 57, log end offset now 57/);
      expect(await readAll(log)).toEqual([...Array(57).keys()]);
      // Appends continue from the new end.
      expect((await log.append(testBatch())).baseOffset).toBe(57);
    });

    it('truncates at a batch whose CRC does not match', async () => {
      let log = await open();
      await appendMany(log, 10, 1);
      await log.close();
      logs.length = 0;
      const file = path.join(dir, '00000000000000000000.log');
      const buf = await fsp.readFile(file);
      const batchSize = buf.length / 10;
      buf[Math.floor(batchSize * 7 + batchSize - 5)] ^= 0x55; // corrupt the 8th batch's records
      await fsp.writeFile(file, buf);
      log = await open();
      expect(log.logEndOffset).toBe(7);
      expect(log.recoveryReport.truncationReason).toBe('CRC mismatch');
      expect(log.recoveryReport.truncatedBytes).toBe(batchSize * 3);
      expect(await readAll(log)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('rebuilds a missing or corrupt index', async () => {
      let log = await open({ indexIntervalBytes: 200, segmentBytes: 4000 });
      await appendMany(log, 40, 2);
      const segCount = log.segments.length;
      await log.close();
      logs.length = 0;
      await fsp.unlink(path.join(dir, '00000000000000000000.index'));
      await fsp.writeFile(path.join(dir, '00000000000000000000.timeindex'), Buffer.from([1, 2, 3]));
      log = await open({ indexIntervalBytes: 200, segmentBytes: 4000 }, { hadCleanShutdown: true });
      expect(log.recoveryReport.rebuiltIndexes).toContain(0);
      expect(log.segments.length).toBe(segCount);
      expect((await fsp.stat(path.join(dir, '00000000000000000000.index'))).size).toBeGreaterThan(0);
      expect(await readAll(log, 0, 500)).toEqual([...Array(80).keys()]);
    });

    it('recovers producer state from snapshot plus replay', async () => {
      let log = await open({ segmentBytes: 1500 });
      for (let seq = 0; seq < 30; seq += 2) {
        await log.append(testBatch({ count: 2, producerId: 7, producerEpoch: 1, baseSequence: seq }));
      }
      await log.close();
      logs.length = 0;
      log = await open({ segmentBytes: 1500 }, { hadCleanShutdown: false });
      expect(log.producerState(7)?.batches.at(-1)).toMatchObject({ firstSeq: 28, lastSeq: 29 });
      const dup = await log.append(testBatch({ count: 2, producerId: 7, producerEpoch: 1, baseSequence: 28 }));
      expect(dup).toMatchObject({ duplicate: true, baseOffset: 28, lastOffset: 29 });
      // Unclean: remove snapshots, state is rebuilt by replaying all headers.
      await log.close();
      logs.length = 0;
      for (const f of await fsp.readdir(dir)) if (f.endsWith('.snapshot')) await fsp.unlink(path.join(dir, f));
      log = await open({ segmentBytes: 1500 });
      expect(log.recoveryReport.producerSnapshotOffset).toBeNull();
      expect(log.producerState(7)?.batches.length).toBe(5);
      await expect(
        log.append(testBatch({ count: 1, producerId: 7, producerEpoch: 1, baseSequence: 31 })),
      ).rejects.toMatchObject({ errorCode: StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    });
  });

  describe('idempotent producers', () => {
    const pb = (seq: number, count = 1, epoch = 0, pid = 42): Buffer =>
      testBatch({ count, producerId: pid, producerEpoch: epoch, baseSequence: seq });

    it('returns the original offsets for a duplicate of one of the last 5 batches', async () => {
      const log = await open();
      const first = await log.append(pb(0, 3));
      await log.append(pb(3, 2));
      const again = await log.append(pb(0, 3));
      expect(again).toMatchObject({ duplicate: true, baseOffset: first.baseOffset, lastOffset: first.lastOffset });
      expect(log.logEndOffset).toBe(5);
      for (let s = 5; s < 11; s++) await log.append(pb(s));
      // seq 0 batch fell out of the window of 5: it is now out of order.
      await expect(log.append(pb(0, 3))).rejects.toMatchObject({ errorCode: StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    });

    it('rejects gaps, old epochs, and a new epoch not starting at 0', async () => {
      const log = await open();
      await log.append(pb(0, 2, 3));
      await expect(log.append(pb(5, 1, 3))).rejects.toMatchObject({ errorCode: StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
      await expect(log.append(pb(2, 1, 2))).rejects.toMatchObject({ errorCode: StorageErrorCode.INVALID_PRODUCER_EPOCH });
      await expect(log.append(pb(2, 1, 4))).rejects.toMatchObject({ errorCode: StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
      expect((await log.append(pb(0, 1, 4))).baseOffset).toBe(2);
      // Unknown producers may start at any sequence (Kafka >= 2.5 behaviour).
      expect((await log.append(pb(77, 1, 0, 99))).baseOffset).toBe(3);
      expect(log.logEndOffset).toBe(4);
    });

    it('wraps sequences at Int32.MAX', async () => {
      const log = await open();
      await log.append(pb(2147483646, 2));
      expect(log.producerState(42)?.batches[0]).toMatchObject({ firstSeq: 2147483646, lastSeq: 2147483647 });
      expect((await log.append(pb(0, 1))).baseOffset).toBe(2);
      const wrapped = await log.append(pb(2147483647, 3, 0, 43));
      expect(log.producerState(43)?.batches[0]).toMatchObject({ firstSeq: 2147483647, lastSeq: 1 });
      expect(wrapped.baseOffset).toBe(3);
      expect((await log.append(pb(2, 1, 0, 43))).duplicate).toBe(false);
    });

    it('handles concurrent appends of one producer in order within a group', async () => {
      const log = await open();
      const results = await Promise.all([pb(0), pb(1), pb(2), pb(0)].map((b) => log.append(b)));
      expect(results.map((r) => [r.baseOffset, r.duplicate])).toEqual([
        [0, false],
        [1, false],
        [2, false],
        [0, true],
      ]);
    });
  });

  describe('durability', () => {
    it('group-commits concurrent appends when flush.messages=1', async () => {
      const io = countingIo(5);
      const log = await open({ flushMessages: 1 }, { io });
      const before = io.syncs;
      const n = 50;
      const res = await Promise.all(Array.from({ length: n }, () => log.append(testBatch())));
      expect(new Set(res.map((r) => r.baseOffset)).size).toBe(n);
      const syncs = io.syncs - before;
      // one fsync (the .log file) per flush; concurrent appends share them
      expect(syncs).toBeGreaterThan(0);
      expect(syncs).toBeLessThanOrEqual(3);
      expect(log.recoveryPoint).toBe(n);
      expect(log.unflushedRecords).toBe(0);
    });

    it('takes the log offline when an fsync fails', async () => {
      let fail = false;
      const io = {
        sync: async (h: { datasync(): Promise<void> }) => {
          if (fail) throw new Error('EIO');
          await h.datasync();
        },
      };
      const log = await open({ flushMessages: 1 }, { io });
      await log.append(testBatch());
      fail = true;
      await expect(log.append(testBatch())).rejects.toMatchObject({ errorCode: StorageErrorCode.KAFKA_STORAGE_ERROR });
      expect(log.isOffline).toBe(true);
      fail = false;
      await expect(log.append(testBatch())).rejects.toMatchObject({ errorCode: StorageErrorCode.KAFKA_STORAGE_ERROR });
    });

    it('does not fsync per append by default, flushes on flush.ms', async () => {
      const io = countingIo();
      let now = 1_000_000;
      const log = await open({ flushMs: 1000 }, { io, time: () => now });
      const before = io.syncs;
      await appendMany(log, 10);
      expect(io.syncs).toBe(before);
      expect(await log.maybeFlushByTime()).toBe(false);
      now += 1500;
      expect(await log.maybeFlushByTime()).toBe(true);
      expect(io.syncs).toBeGreaterThan(before);
      expect(log.recoveryPoint).toBe(10);
    });

    it('flushes when flush.messages records accumulated', async () => {
      const io = countingIo();
      const log = await open({ flushMessages: 5 }, { io });
      const before = io.syncs;
      await appendMany(log, 4);
      expect(io.syncs).toBe(before);
      await log.append(testBatch());
      expect(io.syncs).toBeGreaterThan(before);
      expect(log.recoveryPoint).toBe(5);
    });
  });

  describe('log start offset and truncation', () => {
    it('deleteRecordsBefore moves logStartOffset and deletes whole segments below it', async () => {
      const log = await open({ segmentBytes: 1000 });
      await appendMany(log, 30);
      log.updateHighWatermark(log.logEndOffset);
      const segsBefore = log.segments.length;
      const second = log.segments[2].baseOffset;
      await expect(log.deleteRecordsBefore(100)).rejects.toMatchObject({ errorCode: StorageErrorCode.OFFSET_OUT_OF_RANGE });
      expect(await log.deleteRecordsBefore(second + 1)).toBe(second + 1);
      expect(log.logStartOffset).toBe(second + 1);
      expect(log.segments.length).toBe(segsBefore - 2);
      await expect(log.read(second, 100)).rejects.toMatchObject({ errorCode: StorageErrorCode.OFFSET_OUT_OF_RANGE });
      expect((await log.read(second + 1, 100)).firstOffset).toBe(second + 1);
    });

    it('truncateTo drops batches at and above the offset and reloads producer state', async () => {
      const log = await open({ segmentBytes: 1000 });
      for (let s = 0; s < 20; s++) await log.append(testBatch({ producerId: 1, producerEpoch: 0, baseSequence: s }));
      log.updateHighWatermark(20);
      await log.truncateTo(12);
      expect(log.logEndOffset).toBe(12);
      expect(log.highWatermark).toBe(12);
      expect(await readAll(log)).toEqual([...Array(12).keys()]);
      expect(log.producerState(1)?.batches.at(-1)?.lastSeq).toBe(11);
      expect((await log.append(testBatch({ producerId: 1, producerEpoch: 0, baseSequence: 12 }))).baseOffset).toBe(12);
    });
  });

  describe('retention', () => {
    it('deletes whole segments older than retention.ms and moves logStartOffset', async () => {
      let now = Date.now();
      const log = await open({ segmentBytes: 1000, retentionMs: 60_000 }, { time: () => now });
      const old = now - 120_000;
      for (let i = 0; i < 20; i++) await log.append(testBatch({ timestamp: old }));
      const oldSegments = log.segments.length;
      await log.roll();
      for (let i = 0; i < 3; i++) await log.append(testBatch({ timestamp: now }));
      log.updateHighWatermark(log.logEndOffset);
      const res = await log.deleteOldSegments();
      expect(res.deletedSegments).toBe(oldSegments);
      expect(log.logStartOffset).toBe(20);
      expect(log.segments.length).toBe(1);
      expect(await readAll(log)).toEqual([20, 21, 22]);
      now += 3600_000;
      // The active segment is never deleted.
      expect((await log.deleteOldSegments()).deletedSegments).toBe(0);
    });

    it('deletes the oldest segments over retention.bytes, never above the high watermark', async () => {
      const log = await open({ segmentBytes: 1000, retentionBytes: 2500 });
      await appendMany(log, 40);
      const total = log.size;
      expect(total).toBeGreaterThan(4000);
      log.updateHighWatermark(0);
      expect((await log.deleteOldSegments()).deletedSegments).toBe(0);
      log.updateHighWatermark(log.logEndOffset);
      const res = await log.deleteOldSegments();
      expect(res.deletedSegments).toBeGreaterThan(0);
      expect(log.size).toBeLessThanOrEqual(2500 + 1000);
      expect(log.size).toBeGreaterThan(2500 - 1000);
      expect(log.logStartOffset).toBe(log.segments[0].baseOffset);
      const names = await fsp.readdir(dir);
      expect(names.filter((n) => n.endsWith('.log')).length).toBe(log.segments.length);
    });
  });
});
