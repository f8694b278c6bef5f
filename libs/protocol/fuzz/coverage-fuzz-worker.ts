import { parentPort, workerData } from 'node:worker_threads';
import { runCoverageFuzz } from './coverage-fuzz';

/**
 * Worker-thread side of fuzz-run.ts: runs the coverage-guided fuzzer over a target module
 * (one exporting `fuzz(data: Buffer): void`, by default the decoders' decoders.fuzz.ts)
 * and posts the result. Coverage counts the scripts under `coverageDir`. Before each
 * input it copies the input into
 * the shared buffer and bumps the execution counter there, so the parent's watchdog can
 * name the input that hung or exhausted the heap.
 */
export interface WorkerInput {
  seedsHex: string[];
  timeMs: number;
  seed: number;
  maxExecutions?: number;
  /** Compiled module exporting the target `fuzz`. */
  targetModule: string;
  /** Scripts under this directory count for coverage. */
  coverageDir: string;
  /** Int32 [0] = executions started, [1] = in-flight input length; the input bytes follow at byte 8. */
  shared: SharedArrayBuffer;
}

const input = workerData as WorkerInput;
const header = new Int32Array(input.shared, 0, 2);
const bytes = new Uint8Array(input.shared, 8);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const target = (require(input.targetModule) as { fuzz: (data: Buffer) => void }).fuzz;

const result = runCoverageFuzz({
  target,
  seeds: input.seedsHex.map((h) => Buffer.from(h, 'hex')),
  include: (url) => url.includes(input.coverageDir),
  timeMs: input.timeMs,
  seed: input.seed,
  maxExecutions: input.maxExecutions,
  maxInputBytes: bytes.length,
  beforeEach: (data) => {
    // A seed may be longer than the shared buffer; the watchdog then reports its head.
    const n = Math.min(data.length, bytes.length);
    bytes.set(data.subarray(0, n));
    Atomics.store(header, 1, n);
    Atomics.add(header, 0, 1);
  },
});
parentPort?.postMessage({ ...result, corpus: result.corpus.map((b) => b.toString('hex')) });
