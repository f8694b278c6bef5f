import { runCoverageFuzz } from './coverage-fuzz';
import { fuzz } from './test-support/planted-bug.fuzz';

/** The coverage guidance itself, in-process, on a target with a planted four-branch bug. */
describe('coverage-guided fuzzer', () => {
  const seeds = [Buffer.from([0, 1, 2, 3, 4, 5, 6, 7])];
  const base = { target: fuzz, seeds, include: (url: string) => url.includes('planted-bug.fuzz'), timeMs: 20_000, seed: 7, maxExecutions: 40_000 };

  it('reaches a bug behind four byte comparisons by keeping inputs that reach new blocks', () => {
    const run = runCoverageFuzz({ ...base, stopAfterFindings: 1 });
    process.stdout.write(`[coverage-fuzz] planted bug: ${run.executions} inputs, ${run.seconds} s, corpus ${run.corpus.length}\n`);
    expect(run.findings.map((f) => f.error)).toEqual(['Error: planted bug reached']);
    expect(run.coveredBlocks).toBeGreaterThan(run.seedCoveredBlocks);
    expect(run.corpus.length).toBeGreaterThan(seeds.length);
    const input = Buffer.from(run.findings[0].input, 'hex');
    expect([...input.subarray(1, 5)]).toEqual([0x80, 0xff, 0x7f, 0x80]);
  });

  it('the same budget without guidance does not reach it (the guidance is what finds it)', () => {
    const run = runCoverageFuzz({ ...base, guided: false });
    expect(run.executions).toBe(40_000);
    expect(run.findings).toEqual([]);
  });
});
