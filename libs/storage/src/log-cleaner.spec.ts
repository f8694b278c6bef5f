import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { LogCleaner } from './log-cleaner';
import { logConfig, LogConfig } from './log-config';
import { UnifiedLog } from './unified-log';
import { recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';

describe('LogCleaner (cleanup.policy=compact)', () => {
  let root: string;
  let dir: string;
  let now: number;
  const logs: UnifiedLog[] = [];
  const baseConfig: Partial<LogConfig> = {
    cleanupPolicy: ['compact'],
    segmentBytes: 1200,
    minCleanableDirtyRatio: 0.01,
    deleteRetentionMs: 60_000,
  };

  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 'compacted-0');
    now = 1_700_000_000_000;
  });
  afterEach(async () => {
    for (const l of logs.splice(0)) await l.close().catch(() => undefined);
    await removeDir(root);
  });

  async function open(config: Partial<LogConfig> = {}, d = dir): Promise<UnifiedLog> {
    const log = await UnifiedLog.open({ dir: d, config: logConfig({ ...baseConfig, ...config }), time: () => now });
    logs.push(log);
    return log;
  }

  async function put(log: UnifiedLog, key: string | null, value: string | null): Promise<number> {
    return (await log.append(testBatch({ keys: [key], values: [value], timestamp: now }))).baseOffset;
  }

  async function readAll(log: UnifiedLog): Promise<{ offset: number; key: string | null; value: string | null }[]> {
    const out: { offset: number; key: string | null; value: string | null }[] = [];
    let next = log.logStartOffset;
    while (next < log.logEndOffset) {
      const r = await log.read(next, 1 << 20);
      if (r.records.length === 0) break;
      out.push(...recordsOf(r.records).filter((x) => x.offset >= next).map(({ offset, key, value }) => ({ offset, key, value })));
      next = r.lastOffset + 1;
    }
    return out;
  }

  function latestByKey(entries: { offset: number; key: string | null; value: string | null }[]): Map<string, { offset: number; value: string | null }> {
    const m = new Map<string, { offset: number; value: string | null }>();
    for (const e of entries) if (e.key !== null) m.set(e.key, { offset: e.offset, value: e.value });
    return m;
  }

  it('keeps the latest record per key with its original offset, never touching the active segment', async () => {
    const log = await open();
    await put(log, null, 'no key');
    for (let round = 0; round < 12; round++) for (let k = 0; k < 5; k++) await put(log, `k${k}`, `v${round}-${k}`);
    expect(log.segments.length).toBeGreaterThan(3);
    const before = await readAll(log);
    const activeBase = log.activeSegment.baseOffset;
    const activeBefore = before.filter((e) => e.offset >= activeBase);
    log.updateHighWatermark(log.logEndOffset);
    const stats = await new LogCleaner().cleanIfNeeded(log);
    expect(stats).not.toBeNull();
    expect(stats!.keylessRemoved).toBe(1);
    const after = await readAll(log);
    // Active segment untouched.
    expect(after.filter((e) => e.offset >= activeBase)).toEqual(activeBefore);
    // Cleaned part: at most one record per key, and it is the latest of the cleaned range or later.
    const cleaned = after.filter((e) => e.offset < stats!.endOffset);
    const keys = cleaned.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain(null);
    // The latest value of every key is unchanged, at the same offset.
    expect(latestByKey(after)).toEqual(latestByKey(before));
    expect(log.size).toBeLessThan(before.length * 100);
    expect(log.logEndOffset).toBe(61);
    // A second pass has nothing dirty.
    expect(await new LogCleaner().cleanIfNeeded(log)).toBeNull();
    // Survives a restart.
    await log.close();
    logs.length = 0;
    const reopened = await open();
    expect(await readAll(reopened)).toEqual(after);
    const names = await fsp.readdir(dir);
    expect(names.filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([]);
  });

  it('removes tombstones only after delete.retention.ms since the cleaner first passed them', async () => {
    const log = await open();
    for (let k = 0; k < 5; k++) await put(log, `k${k}`, `first-${k}`);
    await put(log, 'k1', null); // tombstone
    for (let i = 0; i < 20; i++) await put(log, `filler${i % 3}`, 'x'.repeat(50));
    await log.roll();
    await put(log, 'tail', 'x');
    log.updateHighWatermark(log.logEndOffset);
    const cleaner = new LogCleaner();
    await cleaner.clean(log);
    let all = await readAll(log);
    expect(all.filter((e) => e.key === 'k1')).toEqual([{ offset: 5, key: 'k1', value: null }]);
    expect(log.nextDeleteHorizonMs).toBe(now + 60_000);
    // Not yet due.
    now += 30_000;
    await cleaner.clean(log);
    expect((await readAll(log)).filter((e) => e.key === 'k1').length).toBe(1);
    // Past the horizon: the tombstone goes; cleanIfNeeded triggers on the horizon alone.
    now += 31_000;
    const stats = await cleaner.cleanIfNeeded(log);
    expect(stats?.tombstonesRemoved).toBe(1);
    all = await readAll(log);
    expect(all.filter((e) => e.key === 'k1')).toEqual([]);
    expect(all.find((e) => e.key === 'k0')?.value).toBe('first-0');
    expect(log.nextDeleteHorizonMs).toBeNull();
  });

  it('honours min.compaction.lag.ms and the high watermark', async () => {
    const log = await open({ minCompactionLagMs: 3_600_000 });
    for (let i = 0; i < 40; i++) await put(log, 'same', `v${i}`);
    log.updateHighWatermark(log.logEndOffset);
    expect(await new LogCleaner().cleanIfNeeded(log)).toBeNull(); // too recent
    now += 2 * 3_600_000;
    log.updateHighWatermark(0);
    expect(await new LogCleaner().cleanIfNeeded(log)).toBeNull(); // nothing below the HW
    log.updateHighWatermark(log.logEndOffset);
    expect(await new LogCleaner().cleanIfNeeded(log)).not.toBeNull();
  });

  it('completes a committed swap and discards an uncommitted one after a crash', async () => {
    const log = await open();
    for (let i = 0; i < 40; i++) await put(log, `k${i % 4}`, `v${i}`);
    log.updateHighWatermark(log.logEndOffset);
    const original = await readAll(log);
    await log.close();
    logs.length = 0;
    // Make two copies of the un-compacted log.
    const crashDir = path.join(root, 'crashed-0');
    const uncommittedDir = path.join(root, 'uncommitted-0');
    await fsp.cp(dir, crashDir, { recursive: true });
    await fsp.cp(dir, uncommittedDir, { recursive: true });
    const reference = await open();
    reference.updateHighWatermark(reference.logEndOffset);
    await new LogCleaner().clean(reference);
    const first = reference.segments[0].baseOffset;
    // Only the first group's swap is simulated: expect it compacted, the rest as before.
    const bound = reference.segments[1].baseOffset;
    const expected = [...(await readAll(reference)).filter((e) => e.offset < bound), ...original.filter((e) => e.offset >= bound)];
    const name = String(first).padStart(20, '0');
    // Crash after the commit point: the cleaned segment exists as .swap beside the old ones.
    await fsp.copyFile(path.join(dir, `${name}.log`), path.join(crashDir, `${name}.log.swap`));
    const recovered = await open({}, crashDir);
    expect(recovered.recoveryReport.completedSwaps).toEqual([first]);
    expect(await readAll(recovered)).toEqual(expected);
    // Crash before the commit point: the .cleaned file is dropped, the old data stays.
    await fsp.copyFile(path.join(dir, `${name}.log`), path.join(uncommittedDir, `${name}.log.cleaned`));
    const untouched = await open({}, uncommittedDir);
    expect(untouched.recoveryReport.removedFiles).toContain(`${name}.log.cleaned`);
    expect((await readAll(untouched)).length).toBe(40);
  });
});
