import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { logConfig } from './log-config';
import { RESCRUB_STATE_FILE, Rescrubber, RescrubState } from './log-rescrubber';
import { scrubLogs } from './log-scrubber';
import { memoryLogger, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';
import { UnifiedLog } from './unified-log';

/** Every sealed segment is verified again on a schedule; bytes that rotted after their first check are found. */
describe('Rescrubber', () => {
  let dir: string;
  let dataDir: string;
  let now: number;
  const logs: UnifiedLog[] = [];
  const DAY = 24 * 3600 * 1000;

  beforeEach(async () => {
    dataDir = await tempDir();
    dir = path.join(dataDir, 'orders-0');
    now = 1_765_000_000_000;
  });
  afterEach(async () => {
    for (const l of logs.splice(0)) await l.close().catch(() => undefined);
    await removeDir(dataDir);
  });

  async function filledLog(batches = 40): Promise<UnifiedLog> {
    const log = await UnifiedLog.open({ dir, config: logConfig({ segmentBytes: 5000 }), logger: memoryLogger() });
    logs.push(log);
    for (let i = 0; i < batches; i++) await log.append(testBatch({ count: 2 }));
    log.updateHighWatermark(log.logEndOffset);
    // Every sealed byte passed its checks once (appended after validation, or read back by the scrubber).
    await scrubLogs([log], 1 << 30);
    for (const s of log.segments.slice(0, -1)) expect(s.verifiedUpTo).toBe(s.size);
    return log;
  }

  function rescrubber(intervalMs = 7 * DAY, logger = memoryLogger()): Rescrubber {
    return new Rescrubber({ dataDir, intervalMs, logger, time: () => now });
  }

  const sealedBytes = (log: UnifiedLog): number => log.segments.slice(0, -1).reduce((n, s) => n + s.size, 0);

  it('waits for the interval, then re-reads every sealed segment once per pass', async () => {
    const log = await filledLog();
    const r = rescrubber();
    await r.load(); // no state file yet: the schedule starts now
    expect((await r.runOnce([log], 1 << 30)).bytesVerified).toBe(0);
    now += 7 * DAY;
    const run = await r.runOnce([log], 1 << 30);
    expect(run.bytesVerified).toBe(sealedBytes(log));
    expect(run.segments).toBe(log.segments.length - 1);
    expect(run.passCompleted).toBe(true);
    // Done: nothing until the next interval has passed.
    expect((await r.runOnce([log], 1 << 30)).bytesVerified).toBe(0);
    const saved = JSON.parse(await fsp.readFile(path.join(dataDir, RESCRUB_STATE_FILE), 'utf8')) as RescrubState;
    expect(saved).toEqual({ version: 1, passStartedAtMs: null, lastPassEndedAtMs: now, next: {} });
  });

  it('finds a batch that rotted after it was verified, reports it and makes reads check it again', async () => {
    const log = await filledLog();
    const second = log.segments[1];
    const fh = await fsp.open(second.path, 'r+');
    await fh.write(Buffer.from('rot!'), 0, 4, 300);
    await fh.close();
    // The verified prefix still vouches for the bytes: a plain scrub does not look again.
    expect((await scrubLogs([log], 1 << 30)).corruptFound).toBe(0);

    const logger = memoryLogger();
    const r = rescrubber(DAY, logger);
    await r.load();
    now += DAY;
    const run = await r.runOnce([log], 1 << 30);
    expect(run.corruptFound).toBe(1);
    expect(log.corruptRanges.list()).toEqual([expect.objectContaining({ segment: path.basename(second.path), quarantinedAtMs: null })]);
    expect(second.verifiedUpTo).toBeLessThanOrEqual(300);
    // The other sealed segments were read again and stay verified.
    for (const s of log.segments.slice(0, -1)) if (s !== second) expect(s.verifiedUpTo).toBe(s.size);
    expect(logger.lines.some((l) => /re-verification pass done .* 1 corrupt batches found/.test(l))).toBe(true);
  });

  it('resumes a pass after a restart from the saved position, budget by budget', async () => {
    const log = await filledLog(60);
    const sealed = log.segments.length - 1;
    expect(sealed).toBeGreaterThanOrEqual(3);
    let r = rescrubber(DAY);
    await r.load();
    now += DAY;
    const first = await r.runOnce([log], 1); // budget of one byte: exactly one segment per run
    expect(first).toEqual(expect.objectContaining({ segments: 1, passCompleted: false }));
    const state = JSON.parse(await fsp.readFile(path.join(dataDir, RESCRUB_STATE_FILE), 'utf8')) as RescrubState;
    expect(state.next['orders-0']).toBe(log.segments[1].baseOffset);

    r = rescrubber(DAY); // a restart
    await r.load();
    let segments = first.segments;
    for (let i = 0; i <= sealed; i++) {
      const run = await r.runOnce([log], 1);
      segments += run.segments;
      if (run.passCompleted) break;
    }
    expect(segments).toBe(sealed); // none twice, none skipped
    expect(r.current.passStartedAtMs).toBeNull();
  });

  it('an unreadable state file is reported and the schedule restarts from now', async () => {
    await fsp.mkdir(dataDir, { recursive: true });
    await fsp.writeFile(path.join(dataDir, RESCRUB_STATE_FILE), '{"version":1,"next":');
    const logger = memoryLogger();
    const r = rescrubber(DAY, logger);
    await r.load();
    expect(logger.lines.some((l) => l.includes(`ignoring malformed ${RESCRUB_STATE_FILE}`))).toBe(true);
    expect(r.current.lastPassEndedAtMs).toBe(now);
  });

  it('interval 0 never re-verifies', async () => {
    const log = await filledLog();
    const r = rescrubber(0);
    await r.load();
    now += 365 * DAY;
    expect((await r.runOnce([log], 1 << 30)).bytesVerified).toBe(0);
  });
});
