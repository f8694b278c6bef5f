import * as path from 'node:path';

/**
 * What `npm run bench` runs, from command-line flags (`npm run bench -- --scale=0.1`)
 * and BENCH_* environment variables; a flag wins over its variable. Every value is
 * validated; a bad one stops the bench with the usage text.
 *
 * Sizes: each case writes about 300 MB of record values and at most 1,000,000 records
 * (100 B -> 1,000,000 records, 1 KiB -> 300,000), times the scale factor, at least 1,000.
 */

export type Acks = '1' | 'all';

/** One row of the matrix: record size x partition count x acks. */
export interface BenchCase {
  readonly recordBytes: number;
  readonly partitions: number;
  readonly acks: Acks;
  /** Records produced (and consumed back) in the throughput phases. */
  readonly records: number;
}

export interface BenchConfig {
  readonly scale: number;
  readonly cases: readonly BenchCase[];
  /** Records in each case's paced end-to-end latency phase. */
  readonly latencyRecords: number;
  /** Records per second in the latency phase. */
  readonly latencyRate: number;
  /** Producer linger.ms in the throughput phase. */
  readonly lingerMs: number;
  /** Each client phase is given this long before it is reported as timed out. */
  readonly phaseTimeoutMs: number;
  /** No new case starts after this long; the remaining cases are reported as skipped. */
  readonly runTimeoutMs: number;
  /** JSON results file (absolute). */
  readonly outFile: string;
  /** Drive this already running broker (loopback only) instead of starting one. */
  readonly bootstrap: string | undefined;
  /** With `bootstrap`: the broker's pid, for RSS sampling. */
  readonly brokerPid: number | undefined;
  /** Leave the benchmark topics in place instead of deleting each after its case. */
  readonly keepTopics: boolean;
  /** Throughput phases run at least this long (further rounds / passes). */
  readonly minPhaseSeconds: number;
  /**
   * The small-request case: one record per Produce request at `rate`/s for `seconds` (0:
   * skipped) after `warmupSeconds` of unmeasured records at that rate; the echo floor
   * (echo-floor.ts) runs right after it with the same pacing.
   */
  readonly small: { readonly rate: number; readonly seconds: number; readonly recordBytes: number; readonly warmupSeconds: number };
  /** Run no matrix case (only the small-request case and/or the soak). */
  readonly skipMatrix: boolean;
  /** Skip the transactional produce rows (transactions-bench.ts, run after the rest with its own broker). */
  readonly skipTransactions: boolean;
  readonly skipCdc: boolean;
  /**
   * The RSS soak (rss-soak.ts): full-speed produce of `recordBytes` records for `minutes`
   * (0: skipped), the broker's RSS sampled every `sampleSeconds`.
   */
  readonly soak: { readonly minutes: number; readonly recordBytes: number; readonly sampleSeconds: number };
}

export const USAGE = `npm run bench -- [flags]          (flags override BENCH_* variables)
  --scale=F            BENCH_SCALE             record-count factor (default 1: 1,000,000 x 100 B, 300,000 x 1 KiB)
  --sizes=B,...        BENCH_SIZES             record sizes in bytes (default 100,1024)
  --partitions=N,...   BENCH_PARTITIONS        partition counts (default 1,6)
  --acks=A,...         BENCH_ACKS              1 and/or all (default 1,all)
  --latency-records=N  BENCH_LATENCY_RECORDS   records per latency phase (default 2000)
  --latency-rate=R     BENCH_LATENCY_RATE      records/s in the latency phase (default 1000)
  --linger-ms=N        BENCH_LINGER_MS         producer linger.ms for throughput (default 5)
  --phase-timeout=S    BENCH_PHASE_TIMEOUT_S   seconds per client phase (default 240)
  --run-timeout=S      BENCH_RUN_TIMEOUT_S     no case starts after this (default 1800)
  --out=FILE           BENCH_OUT               results JSON (default bench/results/latest.json)
  --bootstrap=H:P      BENCH_BOOTSTRAP         use a running broker on a loopback address
  --broker-pid=N       BENCH_BROKER_PID        its pid, for RSS sampling
  --keep-topics        BENCH_KEEP_TOPICS=1     do not delete topics after each case
  --min-phase-seconds=S BENCH_MIN_PHASE_S      throughput phases run at least this long (default 5)
  --small-rate=R       BENCH_SMALL_RATE        small-request case: records (= requests)/s (default 5000)
  --small-seconds=S    BENCH_SMALL_SECONDS     small-request case duration, 0 skips it (default 10)
  --small-size=B       BENCH_SMALL_SIZE        small-request case record size (default 1024)
  --small-warmup=S     BENCH_SMALL_WARMUP_S    small-request case: unmeasured seconds at the same rate first (default 3)
  --skip-matrix        BENCH_SKIP_MATRIX=1     run none of the size x partitions x acks cases
  --skip-transactions  BENCH_SKIP_TRANSACTIONS=1  skip the transactional produce rows (transactions-bench.ts)
  --skip-cdc           BENCH_SKIP_CDC=1           skip the Postgres CDC figures (postgres-cdc-bench.ts; CDC_BENCH_* settings)
  --soak-minutes=M     BENCH_SOAK_MINUTES      RSS soak: full-speed produce this long, RSS curve (default 0: skipped)
  --soak-size=B        BENCH_SOAK_SIZE         RSS soak record size (default 1024)
  --soak-sample=S      BENCH_SOAK_SAMPLE_S     RSS soak: seconds between curve points (default 10)`;

/** Bytes of record values one case aims for, before scaling. */
const CASE_BYTES = 307_200_000;
const MAX_CASE_RECORDS = 1_000_000;
const MIN_CASE_RECORDS = 1_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Records one case produces for a record size at a scale factor. */
export function recordsFor(recordBytes: number, scale: number): number {
  const base = Math.min(MAX_CASE_RECORDS, Math.round(CASE_BYTES / recordBytes));
  return Math.max(MIN_CASE_RECORDS, Math.round(base * scale));
}

export class BenchConfigError extends Error {}

/** Parses `--name=value` / `--flag` arguments and BENCH_* variables into a config. */
export function parseBenchConfig(argv: readonly string[], env: NodeJS.ProcessEnv, repoRoot: string): BenchConfig {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new BenchConfigError(`unexpected argument ${JSON.stringify(arg)}`);
    flags.set(match[1], match[2] ?? 'true');
  }
  const known = new Set(['scale', 'sizes', 'partitions', 'acks', 'latency-records', 'latency-rate', 'linger-ms', 'phase-timeout', 'run-timeout', 'out', 'bootstrap', 'broker-pid', 'keep-topics', 'min-phase-seconds', 'small-rate', 'small-seconds', 'small-size', 'small-warmup', 'skip-matrix', 'skip-transactions', 'skip-cdc', 'soak-minutes', 'soak-size', 'soak-sample', 'help']);
  for (const name of flags.keys()) if (!known.has(name)) throw new BenchConfigError(`unknown flag --${name}`);

  const raw = (flag: string, variable: string): string | undefined => flags.get(flag) ?? (env[variable] === '' ? undefined : env[variable]);
  const number = (flag: string, variable: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const text = raw(flag, variable);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new BenchConfigError(`--${flag} / ${variable} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const intList = (flag: string, variable: string, fallback: readonly number[], min: number, max: number): number[] => {
    const text = raw(flag, variable);
    if (text === undefined) return [...fallback];
    const values = text.split(',').map((part) => Number(part.trim()));
    if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
      throw new BenchConfigError(`--${flag} / ${variable} must be a comma-separated list of integers in [${min}, ${max}], got ${JSON.stringify(text)}`);
    }
    return values;
  };

  const scale = number('scale', 'BENCH_SCALE', 1, 0.0001, 100, false);
  const sizes = intList('sizes', 'BENCH_SIZES', [100, 1024], 16, 1_000_000);
  const partitionCounts = intList('partitions', 'BENCH_PARTITIONS', [1, 6], 1, 1000);
  const acksText = raw('acks', 'BENCH_ACKS') ?? '1,all';
  const acksList = acksText.split(',').map((a) => a.trim());
  for (const a of acksList) if (a !== '1' && a !== 'all') throw new BenchConfigError(`--acks / BENCH_ACKS takes 1 and/or all, got ${JSON.stringify(acksText)}`);

  const cases: BenchCase[] = [];
  for (const recordBytes of flags.has('skip-matrix') || env.BENCH_SKIP_MATRIX === '1' ? [] : sizes) {
    for (const partitions of partitionCounts) {
      for (const acks of acksList as Acks[]) cases.push({ recordBytes, partitions, acks, records: recordsFor(recordBytes, scale) });
    }
  }

  const bootstrap = raw('bootstrap', 'BENCH_BOOTSTRAP');
  if (bootstrap !== undefined) {
    for (const server of bootstrap.split(',')) {
      const host = server.slice(0, server.lastIndexOf(':'));
      if (!LOOPBACK.has(host)) throw new BenchConfigError(`--bootstrap / BENCH_BOOTSTRAP must name loopback addresses only, got ${JSON.stringify(server)}`);
    }
  }
  const brokerPidText = raw('broker-pid', 'BENCH_BROKER_PID');
  const brokerPid = brokerPidText === undefined ? undefined : number('broker-pid', 'BENCH_BROKER_PID', 0, 1, 2 ** 22, true);
  if (brokerPid !== undefined && bootstrap === undefined) throw new BenchConfigError('--broker-pid only makes sense with --bootstrap');
  const out = raw('out', 'BENCH_OUT') ?? path.join('bench', 'results', 'latest.json');

  return {
    scale,
    cases,
    latencyRecords: number('latency-records', 'BENCH_LATENCY_RECORDS', 2000, 10, 1_000_000, true),
    latencyRate: number('latency-rate', 'BENCH_LATENCY_RATE', 1000, 1, 100_000, false),
    lingerMs: number('linger-ms', 'BENCH_LINGER_MS', 5, 0, 1000, false),
    phaseTimeoutMs: number('phase-timeout', 'BENCH_PHASE_TIMEOUT_S', 240, 5, 3600, false) * 1000,
    runTimeoutMs: number('run-timeout', 'BENCH_RUN_TIMEOUT_S', 1800, 10, 86_400, false) * 1000,
    outFile: path.resolve(repoRoot, out),
    bootstrap,
    brokerPid,
    keepTopics: flags.has('keep-topics') || env.BENCH_KEEP_TOPICS === '1',
    minPhaseSeconds: number('min-phase-seconds', 'BENCH_MIN_PHASE_S', 5, 0, 600, false),
    small: {
      rate: number('small-rate', 'BENCH_SMALL_RATE', 5000, 1, 100_000, false),
      seconds: number('small-seconds', 'BENCH_SMALL_SECONDS', 10, 0, 3600, false),
      recordBytes: number('small-size', 'BENCH_SMALL_SIZE', 1024, 16, 1_000_000, true),
      warmupSeconds: number('small-warmup', 'BENCH_SMALL_WARMUP_S', 3, 0, 600, false),
    },
    skipMatrix: flags.has('skip-matrix') || env.BENCH_SKIP_MATRIX === '1',
    skipTransactions: flags.has('skip-transactions') || env.BENCH_SKIP_TRANSACTIONS === '1',
    skipCdc: flags.has('skip-cdc') || env.BENCH_SKIP_CDC === '1',
    soak: {
      minutes: number('soak-minutes', 'BENCH_SOAK_MINUTES', 0, 0, 1440, false),
      recordBytes: number('soak-size', 'BENCH_SOAK_SIZE', 1024, 16, 1_000_000, true),
      sampleSeconds: number('soak-sample', 'BENCH_SOAK_SAMPLE_S', 10, 1, 600, false),
    },
  };
}

/** True when usage was asked for (`--help`). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
