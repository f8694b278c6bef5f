import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch } from '@millrace/protocol';
import { logConfig, UnifiedLog } from '@millrace/storage';

/**
 * What CRC-32C verification costs the fetch path's storage read (issue 10), in-process
 * and deterministic: one partition log of 1 KiB records in 16-record batches (~16 KiB),
 * read end to end with 1 MiB fetches, three ways in alternating rounds:
 *   none     the verified prefix covers everything: no CRC (the broker's steady state:
 *            appended batches were checked by the produce validation, stored ones once
 *            per open by the scrubber or the first read);
 *   every    every read re-verifies every batch it returns (verification per fetch);
 *   once     the prefix reset before the pass, i.e. the first read of a freshly opened log.
 * Reported: CPU microseconds (user+system of this process) per MB read, and the ratio to
 * `none`. This is the storage read alone; the broker's whole fetch CPU per MB (read +
 * response encoding + socket write) is in `npm run bench`'s consume columns.
 *
 *   node -r ./scripts/register-paths.js dist/bench/fetch-verify-bench.js [MB=200] [rounds=5]
 */
async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 5);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'millrace-fetch-verify-'));
  const log = await UnifiedLog.open({ dir: path.join(dir, 'bench-0'), config: logConfig({ segmentBytes: 64 << 20 }) });
  try {
    const value = Buffer.alloc(1024, 7);
    const batch = (): Buffer => buildBatch({ baseOffset: 0, records: Array.from({ length: 16 }, () => ({ key: null, value, timestamp: Date.now() })) });
    while (log.size < mb * 1e6) await log.append(batch());
    log.updateHighWatermark(log.logEndOffset);
    const pass = async (mode: 'none' | 'every' | 'once'): Promise<{ us: number; bytes: number }> => {
      if (mode === 'once') for (const s of log.segments) s.verifiedUpTo = 0;
      let next = 0;
      let bytes = 0;
      const t0 = process.cpuUsage();
      while (next < log.logEndOffset) {
        if (mode === 'every') for (const s of log.segments) s.verifiedUpTo = 0;
        else if (mode === 'none') for (const s of log.segments) s.verifiedUpTo = s.size;
        const r = await log.read(next, 1 << 20);
        bytes += r.records.length;
        next = r.lastOffset + 1;
      }
      const d = process.cpuUsage(t0);
      return { us: d.user + d.system, bytes };
    };
    await pass('none'); // warm-up: page cache, JIT
    const totals = { none: { us: 0, bytes: 0 }, every: { us: 0, bytes: 0 }, once: { us: 0, bytes: 0 } };
    for (let r = 0; r < rounds; r++) {
      for (const mode of r % 2 === 0 ? (['none', 'every', 'once'] as const) : (['once', 'every', 'none'] as const)) {
        const p = await pass(mode);
        totals[mode].us += p.us;
        totals[mode].bytes += p.bytes;
      }
    }
    const perMb = (m: keyof typeof totals): number => totals[m].us / (totals[m].bytes / 1e6);
    process.stdout.write(`storage read of ${Math.round(log.size / 1e6)} MB, ${rounds} rounds, 1 MiB fetches of ~16 KiB batches\n`);
    process.stdout.write(`| verification | CPU us/MB | ratio to none |\n| --- | ---: | ---: |\n`);
    for (const m of ['none', 'once', 'every'] as const) process.stdout.write(`| ${m} | ${perMb(m).toFixed(0)} | ${(perMb(m) / perMb('none')).toFixed(2)} |\n`);
  } finally {
    await log.close();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

void main();
