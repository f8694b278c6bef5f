import * as path from 'node:path';
import { runDecoderFuzz } from './fuzz-run';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const plantedHang = path.join(repoRoot, 'dist', 'libs', 'protocol', 'fuzz', 'test-support', 'planted-hang.fuzz.js');

/**
 * Time-boxed coverage-guided fuzzing of every decoder in `npm test` (FUZZ_TIME_MS, default
 * 5 s; FUZZ_SEED replays a run). Runs the compiled worker: `npm run build` first. The
 * long run is `npm run soak`.
 */
describe('protocol decoders under coverage-guided fuzzing', () => {
  it('finds no crash, hang or runaway allocation in its time box, and reaches blocks the seeds do not', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const run = await runDecoderFuzz({ repoRoot, timeMs: Number(process.env.FUZZ_TIME_MS ?? 5000), seed });
    process.stdout.write(
      `[fuzz] seed ${seed}: ${run.executions} inputs in ${run.seconds} s (${run.execsPerSecond}/s), corpus ${run.seedCount} -> ${run.corpusSize}, ` +
        `blocks covered ${run.seedCoveredBlocks} by the seeds -> ${run.coveredBlocks} of ${run.knownBlocks} known, ${run.findings.length} findings\n`,
    );
    expect(run.findings).toEqual([]);
    // The rate swings with machine load (150-12,500/s seen on 2 shared cores); the time box is what is fixed.
    expect(run.executions).toBeGreaterThan(run.seedCount + 100);
    expect(run.coveredBlocks).toBeGreaterThan(run.seedCoveredBlocks);
  });

  it('reports an input that hangs a decoder, and the worker is stopped', async () => {
    const input = Buffer.from([0, 0x42, 0, 0, 0]);
    const run = await runDecoderFuzz({ repoRoot, seeds: [input], targetModule: plantedHang, timeMs: 10_000, seed: 1, hangMs: 500 });
    expect(run.findings).toEqual([{ input: input.toString('hex'), error: expect.stringContaining('hang') }]);
  });

  it('reports an input whose decoding allocates without bound (heap cap), not a dead test process', async () => {
    const input = Buffer.from([0, 0x43, 7, 0, 0]);
    const run = await runDecoderFuzz({ repoRoot, seeds: [input], targetModule: plantedHang, timeMs: 10_000, seed: 1, maxHeapMb: 64, hangMs: 20_000 });
    expect(run.findings).toEqual([{ input: input.toString('hex'), error: expect.stringContaining('ERR_WORKER_OUT_OF_MEMORY') }]);
  });
});
