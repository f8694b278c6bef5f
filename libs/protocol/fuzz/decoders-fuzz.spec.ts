import * as path from 'node:path';
import { fuzz, MODE_BATCHES, MODE_REQUEST } from './decoders.fuzz';
import { captureSeeds, runMutationFuzz } from './mutation-fuzz';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Time-boxed decoder fuzzing in `npm test` (the long run is part of `npm run soak`). */
describe('protocol decoders under mutated client frames', () => {
  const seeds = captureSeeds(repoRoot);

  it('is seeded with every captured client frame and the batches in their Produce requests', () => {
    expect(seeds.filter((s) => s[0] === MODE_REQUEST).length).toBeGreaterThanOrEqual(8);
    expect(seeds.filter((s) => s[0] === MODE_BATCHES).length).toBeGreaterThanOrEqual(2);
    for (const s of seeds) expect(() => fuzz(s)).not.toThrow();
  });

  it('a frame cut mid-field is refused with a documented decoder error, not a crash', () => {
    // The target swallows only ProtocolDecodeError / UnsupportedVersionError / RecordDecodeError.
    for (let len = 1; len < seeds[0].length; len += 3) expect(() => fuzz(seeds[0].subarray(0, len))).not.toThrow();
  });

  it('finds no crash in its time box', () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const run = runMutationFuzz({ seeds, timeMs: Number(process.env.FUZZ_TIME_MS ?? 5000), seed });
    process.stdout.write(`[fuzz] seed ${seed}: ${run.executions} inputs, ${run.findings.length} findings\n`);
    expect(run.findings).toEqual([]);
    expect(run.executions).toBeGreaterThan(10_000);
  });
});
