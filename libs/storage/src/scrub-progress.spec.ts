import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint } from './checkpoint-file';
import { logConfig } from './log-config';
import { LogManager, LogManagerOptions } from './log-manager';
import { SCRUB_OFFSET_CHECKPOINT, scrubbedPoint } from './scrub-progress';
import { memoryLogger, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';
import type { UnifiedLog } from './unified-log';

/** The scrubber's progress survives restarts; an unclean one verifies everything after the scrubbed point first. */
describe('scrub progress', () => {
  let dataDir: string;
  const managers: LogManager[] = [];
  const config = logConfig({ segmentBytes: 4000 });

  beforeEach(async () => {
    dataDir = await tempDir();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.shutdown().catch(() => undefined);
    await removeDir(dataDir);
  });

  async function start(opts: Partial<LogManagerOptions> = {}): Promise<LogManager> {
    const m = new LogManager({ dataDir, scheduleTasks: false, defaultConfig: config, ...opts });
    await m.startup();
    managers.push(m);
    return m;
  }

  async function fill(log: UnifiedLog, batches: number): Promise<void> {
    for (let i = 0; i < batches; i++) await log.append(testBatch({ count: 4, valueSize: 60 }));
    log.updateHighWatermark(log.logEndOffset);
    await log.flush();
    // File times tick coarsely: a checkpoint written in the same tick as the last write does not vouch for it.
    await new Promise((r) => setTimeout(r, 20));
  }

  async function scrubCheckpoint(): Promise<number | undefined> {
    return decodeCheckpoint(await fsp.readFile(path.join(dataDir, SCRUB_OFFSET_CHECKPOINT), 'utf8')).get('orders-0')?.offset;
  }

  /** Stops `m` without the clean-shutdown marker (a crash: the files stay as they are). */
  async function crash(m: LogManager, log: UnifiedLog): Promise<void> {
    await log.close();
    managers.splice(managers.indexOf(m), 1);
  }

  const sealedBytes = (log: UnifiedLog): number => log.segments.slice(0, -1).reduce((n, s) => n + s.size, 0);

  /** Fills a log over several segments, stops the manager and overwrites 4 bytes inside the second segment's first batch. */
  async function fillAndCorruptSecondSegment(): Promise<{ path: string; baseOffset: number }> {
    const m = await start();
    const log = await m.getOrCreateLog('orders', 0);
    await fill(log, 60);
    const second = log.segments[1];
    await m.shutdown();
    managers.length = 0;
    const fh = await fsp.open(second.path, 'r+');
    await fh.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 200);
    await fh.close();
    return { path: second.path, baseOffset: second.baseOffset };
  }

  it('a clean restart does not verify the scrubbed segments again, only what came after', async () => {
    let m = await start();
    const log = await m.getOrCreateLog('orders', 0);
    await fill(log, 60);
    expect(log.segments.length).toBeGreaterThan(4);
    await m.shutdown();
    managers.length = 0;
    const point = await scrubCheckpoint();
    expect(point).toBe(log.activeSegment.baseOffset);

    const logger = memoryLogger();
    m = await start({ logger });
    const again = m.getLog('orders', 0)!;
    const sealed = again.segments.slice(0, -1);
    for (const seg of sealed) expect(seg.verifiedUpTo).toBe(seg.size);
    expect(logger.lines.some((l) => l.includes(`${sealed.length} segments verified before`))).toBe(true);
    const run = await m.scrubOnce();
    expect(run.bytesVerified).toBeLessThanOrEqual(again.activeSegment.size);
    expect(run.corruptFound).toBe(0);
  });

  it('a segment rewritten while the broker was down is verified again, and its corruption reported', async () => {
    const second = await fillAndCorruptSecondSegment();

    const m = await start();
    const again = m.getLog('orders', 0)!;
    expect(again.segments[0].verifiedUpTo).toBe(again.segments[0].size);
    expect(again.segments[1].verifiedUpTo).toBe(0);
    const run = await m.scrubOnce();
    expect(run.corruptFound).toBe(1);
    expect(again.corruptRanges.list()).toHaveLength(1);
    expect(again.corruptRanges.list()[0].fromOffset).toBeGreaterThanOrEqual(second.baseOffset);
    // The scrubbed point stops at the corrupt segment, so the next start looks at it again.
    expect(scrubbedPoint(again)).toBe(second.baseOffset);
  });

  it('a scrubbed segment whose index had to be rebuilt at open is verified again (its corrupt batch stays unserved)', async () => {
    // Damage the log bytes and the index, then rewrite the checkpoint so the file times vouch
    // for the segment (as after bit rot, which leaves no trace in them): only the index rebuild tells.
    const second = await fillAndCorruptSecondSegment();
    await fsp.writeFile(second.path.replace(/\.log$/, '.index'), Buffer.alloc(64, 0xff));
    await new Promise((r) => setTimeout(r, 20));
    const checkpointFile = path.join(dataDir, SCRUB_OFFSET_CHECKPOINT);
    await fsp.writeFile(checkpointFile, await fsp.readFile(checkpointFile));

    const m = await start();
    const again = m.getLog('orders', 0)!;
    expect(again.recoveryReport.rebuiltIndexes).toContain(second.baseOffset);
    expect(again.segments[1].verifiedUpTo).toBeLessThan(again.segments[1].size);
    await expect(again.read(second.baseOffset, 1 << 20)).rejects.toMatchObject({ errorCode: 2 });
  });

  it('recovery after an unclean shutdown verifies everything after the scrubbed point before the log is served', async () => {
    let m = await start();
    const log = await m.getOrCreateLog('orders', 0);
    await fill(log, 30);
    await m.checkpoint();
    const point = (await scrubCheckpoint())!;
    expect(point).toBe(log.activeSegment.baseOffset);
    // More segments after the checkpoint, then a crash: their verification was never persisted.
    await fill(log, 40);
    const unscrubbed = log.segments.filter((s) => s.baseOffset >= point);
    expect(unscrubbed.length).toBeGreaterThan(2);
    const victim = unscrubbed[1];
    await crash(m, log);
    const fh = await fsp.open(victim.path, 'r+');
    await fh.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 300);
    await fh.close();

    const logger = memoryLogger();
    m = await start({ logger });
    expect(m.hadCleanShutdown).toBe(false);
    const again = m.getLog('orders', 0)!;
    // Before any scrubber run: the corrupt batch after the scrubbed point is already known.
    expect(again.corruptRanges.list()).toHaveLength(1);
    expect(again.corruptRanges.list()[0].fromOffset).toBeGreaterThanOrEqual(victim.baseOffset);
    // Below the point nothing was read again; after it every byte up to the corrupt batch was.
    const below = again.segments.filter((s) => s.baseOffset < point);
    for (const seg of below) expect(seg.verifiedUpTo).toBe(seg.size);
    const after = again.segments.filter((s) => s.baseOffset >= point && s.baseOffset < victim.baseOffset);
    for (const seg of after) expect(seg.verifiedUpTo).toBe(seg.size);
    const line = logger.lines.find((l) => l.includes('verified by recovery'));
    expect(line).toContain(`${below.length} segments verified before`);
    const recoveryBytes = Number(/, (\d+) bytes after the scrubbed points/.exec(line ?? '')?.[1]);
    expect(recoveryBytes).toBeGreaterThanOrEqual(after.reduce((n, s) => n + s.size, 0));
    expect(recoveryBytes).toBeLessThan(sealedBytes(again) + again.activeSegment.size - below.reduce((n, s) => n + s.size, 0) + 1);
  });
});
