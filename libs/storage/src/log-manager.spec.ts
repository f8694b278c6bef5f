import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT } from './checkpoint-file';
import { logConfig } from './log-config';
import { CLEAN_SHUTDOWN_FILE, LogManager, LogManagerOptions } from './log-manager';
import { mapBounded } from './map-bounded';
import { memoryLogger, recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';

describe('LogManager', () => {
  let dataDir: string;
  const managers: LogManager[] = [];

  beforeEach(async () => {
    dataDir = await tempDir();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.shutdown().catch(() => undefined);
    await removeDir(dataDir);
  });

  async function start(opts: Partial<LogManagerOptions> = {}): Promise<LogManager> {
    const m = new LogManager({ dataDir, scheduleTasks: false, ...opts });
    await m.startup();
    managers.push(m);
    return m;
  }

  it('keeps high watermark, log start offset and producer state across a clean restart', async () => {
    let m = await start({ defaultConfig: logConfig({ segmentBytes: 1000 }) });
    expect(m.hadCleanShutdown).toBe(false);
    const log = await m.getOrCreateLog('payments', 3);
    for (let s = 0; s < 30; s++) await log.append(testBatch({ producerId: 9, producerEpoch: 2, baseSequence: s }));
    log.updateHighWatermark(25);
    await log.deleteRecordsBefore(12);
    await m.shutdown();
    managers.length = 0;
    await expect(fsp.access(path.join(dataDir, CLEAN_SHUTDOWN_FILE))).resolves.toBeUndefined();
    const hw = decodeCheckpoint(await fsp.readFile(path.join(dataDir, REPLICATION_OFFSET_CHECKPOINT), 'utf8'));
    expect(hw.get('payments-3')?.offset).toBe(25);

    m = await start({ defaultConfig: logConfig({ segmentBytes: 1000 }) });
    expect(m.hadCleanShutdown).toBe(true);
    await expect(fsp.access(path.join(dataDir, CLEAN_SHUTDOWN_FILE))).rejects.toThrow();
    const again = m.getLog('payments', 3)!;
    expect(again.recoveryReport.cleanShutdown).toBe(true);
    expect(again.highWatermark).toBe(25);
    expect(again.logStartOffset).toBe(12);
    expect(again.logEndOffset).toBe(30);
    const dup = await again.append(testBatch({ producerId: 9, producerEpoch: 2, baseSequence: 29 }));
    expect(dup).toMatchObject({ duplicate: true, baseOffset: 29 });
    await expect(again.append(testBatch({ producerId: 9, producerEpoch: 1, baseSequence: 30 }))).rejects.toMatchObject({
      errorCode: 47,
    });
  });

  it('recovers after an unclean shutdown and reports the torn tail', async () => {
    let m = await start();
    const log = await m.getOrCreateLog('events', 0);
    for (let i = 0; i < 10; i++) await log.append(testBatch({ count: 2 }));
    log.updateHighWatermark(20);
    await m.checkpoint();
    // "Crash": close the files without the shutdown sequence, then tear the tail.
    await log.close();
    managers.length = 0;
    const file = path.join(dataDir, 'events-0', '00000000000000000000.log');
    await fsp.truncate(file, (await fsp.stat(file)).size - 10);
    const logger = memoryLogger();
    m = await start({ logger });
    expect(m.hadCleanShutdown).toBe(false);
    const recovered = m.getLog('events', 0)!;
    expect(recovered.recoveryReport).toMatchObject({ cleanShutdown: false, truncatedAtOffset: 18, logEndOffset: 18 });
    expect(recovered.highWatermark).toBe(18);
    expect(logger.lines.some((l) => l.startsWith('WARN partition events-0: truncated') && l.includes('log end offset now 18'))).toBe(true);
    expect(recordsOf((await recovered.read(0, 1 << 20)).records).length).toBe(18);
  });

  it('opens many partitions with bounded parallelism and deletes logs', async () => {
    let m = await start();
    for (let p = 0; p < 12; p++) {
      const log = await m.getOrCreateLog('topic-with-dashes', p);
      await log.append(testBatch());
    }
    await m.shutdown();
    managers.length = 0;
    m = await start({ recoveryThreads: 3 });
    expect(m.allLogs().length).toBe(12);
    expect(m.getLog('topic-with-dashes', 11)?.logEndOffset).toBe(1);
    await m.deleteLog('topic-with-dashes', 5);
    expect(m.getLog('topic-with-dashes', 5)).toBeUndefined();
    await m.shutdown();
    managers.length = 0;
    const names = await fsp.readdir(dataDir);
    expect(names).not.toContain('topic-with-dashes-5');
    expect(names.filter((n) => n.endsWith('-delete'))).toEqual([]);
    await expect(start().then((mm) => mm.getOrCreateLog('bad topic', 0))).rejects.toMatchObject({ errorCode: 40 });
  });

  it('runs retention and compaction on demand and checkpoints the new log start offset', async () => {
    let now = Date.now();
    const m = await start({ time: () => now });
    const del = await m.getOrCreateLog('logs', 0, logConfig({ segmentBytes: 1000, retentionMs: 1000 }));
    const cmp = await m.getOrCreateLog('state', 0, logConfig({ segmentBytes: 1000, cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.1 }));
    for (let i = 0; i < 30; i++) {
      await del.append(testBatch({ timestamp: now }));
      await cmp.append(testBatch({ keys: ['same'], values: [`v${i}`], timestamp: now }));
    }
    del.updateHighWatermark(del.logEndOffset);
    cmp.updateHighWatermark(cmp.logEndOffset);
    now += 5000;
    const retention = await m.runRetentionOnce();
    expect(retention.get('logs-0')?.deletedSegments).toBeGreaterThan(0);
    expect(retention.has('state-0')).toBe(false);
    const cleaned = await m.runCleanerOnce();
    expect(cleaned.get('state-0')?.recordsRetained).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    await m.checkpoint();
    const lso = decodeCheckpoint(await fsp.readFile(path.join(dataDir, LOG_START_OFFSET_CHECKPOINT), 'utf8'));
    expect(lso.get('logs-0')?.offset).toBe(del.logStartOffset);
    expect(del.logStartOffset).toBeGreaterThan(0);
  });

  it('mapBounded never exceeds its limit', async () => {
    let inFlight = 0;
    let peak = 0;
    await mapBounded([...Array(20).keys()], 4, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    });
    expect(peak).toBe(4);
  });
});
