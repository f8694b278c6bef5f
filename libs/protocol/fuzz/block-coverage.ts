import { Session } from 'node:inspector';

/**
 * Block coverage of the running thread from V8's precise coverage, as the feedback of a
 * coverage-guided fuzzer (coverage-fuzz.ts). Uses the inspector protocol in-process:
 * `Profiler.startPreciseCoverage({ callCount: true, detailed: true })` once, then
 * `Profiler.takePreciseCoverage()` after the code under test ran; with callCount the
 * counters restart at every take, so each take describes what ran since the previous
 * one. A same-thread inspector session answers synchronously (the callback runs inside
 * `post`), which keeps this API synchronous.
 *
 * V8 reports per function a tree of ranges, the first being the function itself, each
 * with an execution count; a nested block whose count equals its parent's is left out,
 * consecutive siblings with equal counts are reported as one range, and blocks that
 * never ran appear with count 0. A range's extent therefore depends on the counts, its
 * start offset does not: a block is known here by the start offset it was once
 * reported with, and is covered in a take when the innermost range reported around that
 * offset has a count > 0 (its own range, or the one it was merged into). A feature is
 * one known block, keyed "<url>:<start offset>".
 *
 * Only scripts whose URL passes `include` are looked at (the decoders, not the fuzzer).
 */
interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface FunctionCoverage {
  ranges: CoverageRange[];
}

interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

export class BlockCoverage {
  private readonly session = new Session();
  /** Known block start offsets per function ("<url>:<functionStart>"). */
  private readonly known = new Map<string, Set<number>>();
  private knownCount = 0;

  constructor(private readonly include: (url: string) => boolean) {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.take();
  }

  /** Blocks seen so far (covered at least once or reported as not run) in functions that ran. */
  get knownBlocks(): number {
    return this.knownCount;
  }

  /** The blocks covered since the previous call. */
  take(): Set<string> {
    const covered = new Set<string>();
    const result = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    for (const script of result.result) {
      if (!script.url || !this.include(script.url)) continue;
      for (const fn of script.functions) {
        const ranges = fn.ranges;
        if (ranges.length === 0 || ranges[0].count === 0) continue;
        const key = `${script.url}:${ranges[0].startOffset}`;
        let starts = this.known.get(key);
        if (!starts) {
          starts = new Set([ranges[0].startOffset]);
          this.known.set(key, starts);
          this.knownCount++;
        }
        for (let i = 1; i < ranges.length; i++) {
          if (!starts.has(ranges[i].startOffset)) {
            starts.add(ranges[i].startOffset);
            this.knownCount++;
          }
        }
        for (const start of starts) if (innermostCount(ranges, start) > 0) covered.add(`${script.url}:${start}`);
      }
    }
    return covered;
  }

  /** Stops the coverage and disconnects the session. */
  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.post('Profiler.disable');
    this.session.disconnect();
  }

  private post(method: string, params?: object): unknown {
    let out: unknown;
    let failure: Error | null = null;
    this.session.post(method, params, (err, res) => {
      failure = err;
      out = res;
    });
    if (failure) throw failure;
    return out;
  }
}

/** Count of the smallest reported range holding offset `at` (ranges are nested; the first is the function). */
function innermostCount(ranges: readonly CoverageRange[], at: number): number {
  let best = ranges[0];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.startOffset <= at && at < r.endOffset && r.endOffset - r.startOffset <= best.endOffset - best.startOffset) best = r;
  }
  return best.count;
}
