import { BlockCoverage } from './block-coverage';
import { FuzzFinding, mutate, prng } from './mutation-fuzz';

/**
 * A coverage-guided mutation fuzzer on V8's block coverage (block-coverage.ts), in the
 * manner of libFuzzer: inputs are mutated from a corpus, and an input that reaches a
 * block no earlier input reached joins the corpus. Jazzer.js was the first choice; its
 * native part does not load or build on this platform (see libs/protocol/fuzz/README.md).
 *
 * Loop: every seed runs and joins the corpus. Then mutated inputs run in batches
 * of `batch`, one coverage take per batch (a take costs ~40-100x a decode, so per-input
 * takes would cap the rate near 1,000/s); when a batch reached a new block, it is run
 * again in halves, each half that still reaches one is halved again, and the single
 * inputs that do join the corpus (about 2 log2(batch) takes per discovery instead of
 * `batch`). Feedback is block coverage only (no hit-count buckets).
 *
 * The target throws only on a finding (decoders.fuzz.ts swallows the decoders' defined
 * errors); findings are collected, one per distinct message (first 80 characters), at
 * most 20. Hangs and runaway memory are caught around this loop by fuzz-run.ts (a
 * worker with a watchdog and a heap limit), which `beforeEach` serves.
 */
export interface CoverageFuzzOptions {
  target: (data: Buffer) => void;
  seeds: readonly Buffer[];
  /** Which scripts count for coverage (e.g. the decoders' files). */
  include: (url: string) => boolean;
  timeMs: number;
  /** PRNG seed: the same seed, corpus and code replay the same inputs. */
  seed: number;
  maxExecutions?: number;
  /** Inputs per coverage take (default 32). */
  batch?: number;
  /** Mutants longer than this are cut (default 64 KiB). */
  maxInputBytes?: number;
  /** Stop once this many distinct findings were made (default: run the whole time box). */
  stopAfterFindings?: number;
  /** False: never grow the corpus (a plain mutation fuzzer, to compare against). Default true. */
  guided?: boolean;
  /** Called before each execution (fuzz-run.ts records the in-flight input for its watchdog). */
  beforeEach?: (input: Buffer) => void;
}

export interface CoverageFuzzResult {
  executions: number;
  seconds: number;
  execsPerSecond: number;
  /** Seeds first, then the inputs that reached new blocks. */
  corpus: Buffer[];
  seedCount: number;
  /** Blocks reached by the seeds alone, and by the whole run. */
  seedCoveredBlocks: number;
  coveredBlocks: number;
  /** Blocks V8 reported in the functions that ran (covered or not). */
  knownBlocks: number;
  findings: FuzzFinding[];
}

const MAX_CORPUS = 20_000;

export function runCoverageFuzz(opts: CoverageFuzzOptions): CoverageFuzzResult {
  const rnd = prng(opts.seed);
  const batchSize = opts.batch ?? 32;
  const maxBytes = opts.maxInputBytes ?? 64 * 1024;
  const guided = opts.guided ?? true;
  const coverage = new BlockCoverage(opts.include);
  const covered = new Set<string>();
  const corpus: Buffer[] = [];
  const findings: FuzzFinding[] = [];
  const seenKinds = new Set<string>();
  const started = Date.now();
  const deadline = started + opts.timeMs;
  const max = opts.maxExecutions ?? Number.MAX_SAFE_INTEGER;
  const enough = opts.stopAfterFindings ?? Number.MAX_SAFE_INTEGER;
  let executions = 0;

  const exec = (input: Buffer): void => {
    opts.beforeEach?.(input);
    executions++;
    try {
      opts.target(input);
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const kind = error.slice(0, 80);
      if (!seenKinds.has(kind) && findings.length < 20) findings.push({ input: input.toString('hex'), error });
      seenKinds.add(kind);
    }
  };
  /** Adds the blocks of the last take; true when one was new. */
  const merge = (blocks: Set<string>): boolean => {
    let grew = false;
    for (const b of blocks) {
      if (!covered.has(b)) {
        covered.add(b);
        grew = true;
      }
    }
    return grew;
  };

  const hasNew = (blocks: Set<string>): boolean => {
    for (const b of blocks) if (!covered.has(b)) return true;
    return false;
  };
  /** Runs `inputs` again and, if together they reach a new block, halves them until the inputs that do are found. */
  const sift = (inputs: Buffer[]): void => {
    if (inputs.length === 0) return;
    for (const input of inputs) exec(input);
    const blocks = coverage.take();
    if (!hasNew(blocks)) return;
    if (inputs.length === 1) {
      merge(blocks);
      if (corpus.length < MAX_CORPUS) corpus.push(inputs[0]);
      return;
    }
    const half = inputs.length >> 1;
    sift(inputs.slice(0, half));
    sift(inputs.slice(half));
  };

  try {
    // Every seed joins the corpus, so one take covers them all.
    for (const s of opts.seeds) {
      exec(s);
      corpus.push(s);
    }
    merge(coverage.take());
    const seedCoveredBlocks = covered.size;
    const batch: Buffer[] = [];
    while (executions < max && findings.length < enough && Date.now() < deadline) {
      batch.length = 0;
      for (let i = 0; i < batchSize && executions < max; i++) {
        const m = mutate(corpus, rnd);
        const input = m.length > maxBytes ? m.subarray(0, maxBytes) : m;
        batch.push(input);
        exec(input);
      }
      if (!guided || !hasNew(coverage.take())) continue;
      const half = batch.length >> 1;
      sift(batch.slice(0, half));
      sift(batch.slice(half));
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      executions,
      seconds,
      execsPerSecond: Math.round(executions / Math.max(seconds, 0.001)),
      corpus,
      seedCount: opts.seeds.length,
      seedCoveredBlocks,
      coveredBlocks: covered.size,
      knownBlocks: coverage.knownBlocks,
      findings,
    };
  } finally {
    coverage.stop();
  }
}
