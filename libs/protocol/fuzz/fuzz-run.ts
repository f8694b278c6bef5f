import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CoverageFuzzResult } from './coverage-fuzz';
import type { WorkerInput } from './coverage-fuzz-worker';
import { captureSeeds, encodedSeeds, type FuzzFinding } from './mutation-fuzz';

/**
 * Runs the coverage-guided decoder fuzzer (coverage-fuzz.ts over decoders.fuzz.ts) in a
 * worker thread, so that what cannot be caught inside it is still a finding:
 *
 *   - a hang: no new input started for `hangMs` (default 10 s: a loaded machine can
 *     stall a thread for seconds, see bench/README.md) once the first one did
 *     -> the worker is terminated and the in-flight input reported;
 *   - unbounded allocation: the worker's heap is capped (`maxHeapMb`, default 256 MiB);
 *     running out of it ends the worker, reported with the in-flight input;
 *   - any other worker death.
 *
 * The worker is the compiled dist/libs/protocol/fuzz/coverage-fuzz-worker.js (run
 * `npm run build` first). Seeds: mutation-fuzz.ts's captureSeeds and encodedSeeds plus the `.hex` inputs
 * in `corpusDir` when given (written back there at the end: a long run's corpus seeds the
 * next). Also a CLI, for `npm run soak`:
 *
 *   node dist/libs/protocol/fuzz/fuzz-run.js --seconds=600 [--seed=N] [--corpus=DIR]
 *
 * prints the result as JSON on its last line and exits 1 on any finding.
 */
export interface FuzzRunOptions {
  repoRoot: string;
  /** Inputs to start from (default: captureSeeds + encodedSeeds + corpusDir). */
  seeds?: Buffer[];
  /** Compiled target module and the directory whose scripts count for coverage (default: the decoders). */
  targetModule?: string;
  coverageDir?: string;
  timeMs: number;
  seed: number;
  maxExecutions?: number;
  corpusDir?: string;
  hangMs?: number;
  maxHeapMb?: number;
}

export type FuzzRunResult = Omit<CoverageFuzzResult, 'corpus'> & { corpusSize: number };

const MAX_INPUT = 64 * 1024;
const STARTUP_MS = 60_000;

/** The compiled file of `libs/protocol/<rel>` (the worker runs compiled code, also under jest). */
function compiled(repoRoot: string, rel: string): string {
  const file = path.join(repoRoot, 'dist', 'libs', 'protocol', rel);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return file;
}

function loadCorpus(dir: string | undefined): Buffer[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.hex'))
    .sort()
    .map((n) => Buffer.from(fs.readFileSync(path.join(dir, n), 'utf8').trim(), 'hex'));
}

export function runDecoderFuzz(opts: FuzzRunOptions): Promise<FuzzRunResult> {
  const captured = opts.seeds ?? [...captureSeeds(opts.repoRoot), ...encodedSeeds()];
  const seeds = [...captured, ...loadCorpus(opts.corpusDir)];
  const shared = new SharedArrayBuffer(8 + MAX_INPUT);
  const header = new Int32Array(shared, 0, 2);
  const inFlight = (): string => Buffer.from(new Uint8Array(shared, 8, Atomics.load(header, 1))).toString('hex');
  const data: WorkerInput = {
    seedsHex: seeds.map((s) => s.toString('hex')),
    timeMs: opts.timeMs,
    seed: opts.seed,
    maxExecutions: opts.maxExecutions,
    targetModule: opts.targetModule ?? compiled(opts.repoRoot, 'fuzz/decoders.fuzz.js'),
    coverageDir: opts.coverageDir ?? path.join(opts.repoRoot, 'dist', 'libs', 'protocol', 'src'),
    shared,
  };
  const worker = new Worker(compiled(opts.repoRoot, 'fuzz/coverage-fuzz-worker.js'), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 256 } });
  const hangMs = opts.hangMs ?? 10_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let lastCount = -1;
    let lastMove = Date.now();
    let settled = false;
    const dead = (error: string): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      const seconds = (Date.now() - started) / 1000;
      const executions = Atomics.load(header, 0);
      const finding: FuzzFinding = { input: inFlight(), error };
      const result = { executions, seconds, execsPerSecond: Math.round(executions / seconds), corpusSize: 0, seedCount: seeds.length, seedCoveredBlocks: 0, coveredBlocks: 0, knownBlocks: 0, findings: [finding] };
      // Answer once the thread is gone (a hung one is still running here).
      void worker.terminate().finally(() => resolve(result));
    };
    const watchdog = setInterval(() => {
      const count = Atomics.load(header, 0);
      if (count !== lastCount) {
        lastCount = count;
        lastMove = Date.now();
      } else if (count > 0 && Date.now() - lastMove > hangMs) {
        // Armed from the first input on: loading the worker is not a hang.
        dead(`hang: no progress for ${hangMs} ms on one input`);
      } else if (count === 0 && Date.now() - started > STARTUP_MS) {
        dead(`the fuzz worker did not start within ${STARTUP_MS} ms`);
      }
    }, 100);
    worker.on('message', (msg: CoverageFuzzResult & { corpus: string[] }) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      if (opts.corpusDir) {
        fs.mkdirSync(opts.corpusDir, { recursive: true });
        for (const hex of msg.corpus.slice(captured.length)) {
          const name = createHash('sha1').update(hex).digest('hex').slice(0, 16);
          fs.writeFileSync(path.join(opts.corpusDir, `${name}.hex`), hex + '\n');
        }
      }
      const { corpus, ...rest } = msg;
      resolve({ ...rest, corpusSize: corpus.length });
    });
    worker.on('error', (err) => dead(`worker died: ${err.message}${(err as NodeJS.ErrnoException).code ? ` (${(err as NodeJS.ErrnoException).code})` : ''}`));
    worker.on('exit', (code) => {
      if (!settled) dead(`worker exited with code ${code} before reporting`);
    });
    worker.on('messageerror', reject);
  });
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

if (require.main === module) {
  const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
  runDecoderFuzz({
    repoRoot,
    timeMs: Number(arg('seconds') ?? 60) * 1000,
    seed: Number(arg('seed') ?? Date.now() % 2 ** 31),
    corpusDir: arg('corpus'),
  }).then(
    (r) => {
      for (const f of r.findings) process.stdout.write(`[fuzz] FINDING ${f.error}\n  input ${f.input.slice(0, 400)}\n`);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(r.findings.length > 0 ? 1 : 0);
    },
    (err) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(2);
    },
  );
}
