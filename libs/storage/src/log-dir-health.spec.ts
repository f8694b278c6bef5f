import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { StorageErrorCode } from './errors';
import { logConfig } from './log-config';
import { logFilePath } from './log-file-names';
import { probeOfflineLogs } from './log-dir-health';
import { scrubLogs } from './log-scrubber';
import type { StorageIo } from './storage-io';
import { memoryLogger, recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';
import { UnifiedLog } from './unified-log';

/** Offline logs come back only after a failed write, never after a failed fsync; the scrubber finds what reads have not. */
describe('log dir health and scrubbing', () => {
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

  /** An io whose fsync fails while `failing` is set. */
  function flakyIo(): StorageIo & { failing: boolean } {
    const io = {
      failing: false,
      async sync(h: Parameters<StorageIo['sync']>[0]): Promise<void> {
        if (io.failing) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        await h.datasync();
      },
    };
    return io;
  }

  it('a failed fsync takes the log offline for good: neither the probe nor bringOnline clears it', async () => {
    const io = flakyIo();
    const log = await UnifiedLog.open({ dir, config: logConfig({ flushMessages: 1 }), io, logger: memoryLogger() });
    logs.push(log);
    await log.append(testBatch());
    io.failing = true;
    await expect(log.append(testBatch())).rejects.toMatchObject({ errorCode: StorageErrorCode.KAFKA_STORAGE_ERROR });
    expect(log.isOffline).toBe(true);
    io.failing = false;
    expect(await probeOfflineLogs(root, [log], memoryLogger(), 0)).toEqual([]);
    expect(await log.bringOnline()).toBe(false);
    await expect(log.append(testBatch())).rejects.toMatchObject({ errorCode: StorageErrorCode.KAFKA_STORAGE_ERROR });
  });

  it('a failed write is cut away and the log comes back through the probe with every acknowledged record', async () => {
    const log = await UnifiedLog.open({ dir, config: logConfig({}), logger: memoryLogger() });
    logs.push(log);
    await log.append(testBatch({ count: 3 }));
    // Simulate the failed write (the real ENOSPC is disk-full.it.spec.ts): writes through
    // the active segment's handle fail with EBADF.
    const seg = log.activeSegment as unknown as { handle: { close(): Promise<void> } };
    const realHandle = seg.handle;
    seg.handle = { fd: -1, truncate: async () => undefined, close: async () => undefined } as never;
    await expect(log.append(testBatch({ count: 2 }))).rejects.toMatchObject({ errorCode: StorageErrorCode.KAFKA_STORAGE_ERROR });
    expect(log.isOffline).toBe(true);
    seg.handle = realHandle;
    const logger = memoryLogger();
    expect(await probeOfflineLogs(root, [log], logger, 0)).toEqual(['orders-0']);
    expect(log.isOffline).toBe(false);
    const r = await log.append(testBatch({ count: 2 }));
    expect(r.baseOffset).toBe(3);
    log.updateHighWatermark(log.logEndOffset);
    expect(recordsOf((await log.read(0, 1 << 20)).records).map((x) => x.offset)).toEqual([0, 1, 2, 3, 4]);
  });

  it('the scrubber reports a corrupt batch of a sealed segment before any read reaches it', async () => {
    const log = await UnifiedLog.open({ dir, config: logConfig({ segmentBytes: 5000 }), logger: memoryLogger() });
    logs.push(log);
    for (let i = 0; i < 40; i++) await log.append(testBatch({ count: 2 }));
    await log.close();
    logs.pop();
    const file = logFilePath(dir, 0);
    await fsp.writeFile(file, Buffer.concat([(await fsp.readFile(file)).subarray(0, 400), Buffer.from('garbage!'), (await fsp.readFile(file)).subarray(408)]));
    const reopened = await UnifiedLog.open({ dir, config: logConfig({ segmentBytes: 5000 }), hadCleanShutdown: true, logger: memoryLogger() });
    logs.push(reopened);
    const run = await scrubLogs([reopened], 1 << 30);
    expect(run.corruptFound).toBe(1);
    expect(reopened.corruptRanges.list()).toEqual([expect.objectContaining({ segment: path.basename(file), quarantinedAtMs: null })]);
    // The other sealed segments were verified end to end.
    for (const s of reopened.segments.slice(1, -1)) expect(s.verifiedUpTo).toBe(s.size);
  });
});
