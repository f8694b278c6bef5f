import * as fs from 'node:fs';
import * as os from 'node:os';
import { canConnect, findRepoRoot, isProcessAlive, runCommand, startBroker, SYSTEM_PYTHON, type BrokerProcess } from '@millrace/testing';
import { BenchConfigError, parseBenchConfig, USAGE, wantsHelp, type BenchCase, type BenchConfig } from './bench-config';
import { runCase, type CaseOutcome } from './case-runner';
import { LibrdkafkaPhases } from './librdkafka-phases';
import { formatCpuTable, formatTable, toRow, writeReport, type BenchReport } from './report';
import { RssSampler, type RssReport } from './rss-sampler';
import { formatSoak, runSoak, type SoakOutcome } from './rss-soak';
import { formatSmallRequest, runSmallRequestCase, type SmallRequestOutcome } from './small-request-case';

/**
 * `npm run bench`: broker throughput and latency measured with librdkafka (never kafkajs,
 * which would measure itself: DESIGN.md section 8).
 *
 * Starts a broker from dist/ through @millrace/testing (127.0.0.1, free ports, temporary
 * data directory removed afterwards) unless --bootstrap names a running one, samples its
 * RSS for the whole run, runs every case of the matrix (record size x partitions x acks,
 * see case-runner.ts) one after the other, then prints a markdown table to stdout and
 * writes the full results to bench/results/latest.json. Progress goes to stderr.
 *
 * Note: clients and broker share the machine's cores, so figures are those of the broker
 * under a competing client load, a lower bound of what it does alone.
 *
 * Exit code: 0 when every case ran without a problem, 1 when something failed (the table
 * and JSON are still written), 2 for a usage error.
 */

const BROKER_START_TIMEOUT_MS = 60_000;
const BROKER_LOG_TAIL_CHARS = 4_000;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function gitCommit(repoRoot: string): Promise<string | null> {
  try {
    const r = await runCommand('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, timeoutMs: 5_000 });
    return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
  } catch {
    return null;
  }
}

function topicPrefix(runId: string, c: BenchCase): string {
  return `bench-${runId}-${c.recordBytes}b-p${c.partitions}-acks${c.acks}`;
}

function caseLabel(c: BenchCase): string {
  return `${c.recordBytes} B x ${c.partitions} partition(s), acks=${c.acks}`;
}

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: BenchConfig;
  try {
    config = parseBenchConfig(argv, process.env, repoRoot);
  } catch (err) {
    if (!(err instanceof BenchConfigError)) throw err;
    log(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!fs.existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} is missing: install python3-confluent-kafka (apt)`);

  const startedAt = new Date();
  const runDeadline = Date.now() + config.runTimeoutMs;
  const problems: string[] = [];
  const outcomes: CaseOutcome[] = [];
  const skipped: BenchCase[] = [];

  let broker: BrokerProcess | undefined;
  let bootstrap: string;
  let pid: number | undefined;
  if (config.bootstrap === undefined) {
    log('starting broker (dist/apps/broker/src/main.js) ...');
    // The soak keeps its topic to a bounded size: retention must run often enough for that.
    const env = config.soak.minutes > 0 ? { MILLRACE_LOG_RETENTION_CHECK_INTERVAL_MS: '5000' } : undefined;
    broker = await startBroker({ startTimeoutMs: BROKER_START_TIMEOUT_MS, env });
    bootstrap = broker.bootstrap;
    pid = broker.pid;
    log(`broker pid ${pid} on ${bootstrap}, data in ${broker.dataDir}`);
  } else {
    bootstrap = config.bootstrap;
    pid = config.brokerPid;
    const first = bootstrap.split(',')[0];
    const host = first.slice(0, first.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
    if (!(await canConnect(host, Number(first.slice(first.lastIndexOf(':') + 1))))) {
      log(`nothing accepts connections on ${first}`);
      return 1;
    }
    log(`using running broker at ${bootstrap}${pid === undefined ? '' : ` (pid ${pid})`}`);
  }

  const sampler = pid === undefined ? undefined : new RssSampler(pid);
  sampler?.start();
  let rss: RssReport | null = null;
  let small: SmallRequestOutcome | null = null;
  let soak: SoakOutcome | null = null;
  try {
    const client = new LibrdkafkaPhases(LibrdkafkaPhases.scriptIn(repoRoot), bootstrap);
    const runId = Date.now().toString(36);
    for (const [index, c] of config.cases.entries()) {
      if (pid !== undefined && !isProcessAlive(pid)) {
        problems.push(`broker (pid ${pid}) died before case ${caseLabel(c)}`);
        if (broker !== undefined) problems.push(`broker output tail:\n${broker.logs().slice(-BROKER_LOG_TAIL_CHARS)}`);
        skipped.push(...config.cases.slice(index));
        break;
      }
      if (Date.now() > runDeadline) {
        problems.push(`run time limit of ${config.runTimeoutMs / 1000} s reached; ${config.cases.length - index} case(s) skipped`);
        skipped.push(...config.cases.slice(index));
        break;
      }
      log(`[${index + 1}/${config.cases.length}] ${caseLabel(c)}`);
      try {
        const outcome = await runCase(client, c, config, topicPrefix(runId, c), pid, log);
        outcomes.push(outcome);
        for (const p of outcome.problems) log(`  problem: ${p}`);
        log(`  done in ${outcome.seconds.toFixed(1)} s`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        problems.push(`case ${caseLabel(c)}: ${message}`);
        log(`  aborted: ${message}`);
      }
    }
    if (config.small.seconds > 0 && (pid === undefined || isProcessAlive(pid))) {
      log(`[small] one record per request at ${config.small.rate}/s for ${config.small.seconds} s`);
      try {
        small = await runSmallRequestCase(client, config, `bench-${runId}-small`, pid, outcomes, repoRoot, log);
        for (const p of small.problems) log(`  problem: ${p}`);
      } catch (err) {
        problems.push(`small-request case: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (config.soak.minutes > 0 && pid !== undefined && isProcessAlive(pid)) {
      log(`[soak] full-speed produce for ${config.soak.minutes} min, broker RSS every ${config.soak.sampleSeconds} s`);
      try {
        soak = await runSoak(client, config, `bench-${runId}-soak`, pid, log);
        for (const p of soak.problems) log(`  problem: ${p}`);
      } catch (err) {
        problems.push(`soak: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else if (config.soak.minutes > 0) {
      problems.push('soak skipped: it needs the broker pid (start the broker from the bench, or pass --broker-pid)');
    }
  } finally {
    rss = sampler?.stop() ?? null;
    if (broker !== undefined) {
      log('stopping broker ...');
      await broker.stop();
    }
  }

  const rows = outcomes.map(toRow);
  const librdkafka = outcomes.map((o) => o.produce?.librdkafka ?? o.latency?.librdkafka).find((v) => v !== undefined) ?? small?.result?.librdkafka ?? soak?.produce?.librdkafka ?? null;
  const report: BenchReport = {
    schemaVersion: 2,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      librdkafka,
      gitCommit: await gitCommit(repoRoot),
    },
    config,
    broker: { bootstrap, startedByBench: broker !== undefined, rss },
    cases: rows,
    smallRequests: small,
    soak,
    skipped,
    problems,
  };
  const file = writeReport(config.outFile, report);

  process.stdout.write(`\n${formatTable(rows, rss)}\n`);
  process.stdout.write(`\nthroughput phases, wall vs CPU seconds (client CPU near wall = client-bound):\n${formatCpuTable(rows)}\n\n`);
  if (small !== null) {
    process.stdout.write(
      `small requests (one record per Produce request; x floor = broker CPU per request / echo floor's per record, x batched = / broker CPU per record batched):\n${formatSmallRequest(small, config)}\n\n`,
    );
  }
  if (soak !== null) process.stdout.write(`RSS soak (${config.soak.recordBytes} B records, full speed, ${config.soak.minutes} min):\n${formatSoak(soak)}\n\n`);
  process.stdout.write(`client: librdkafka ${librdkafka ?? '?'} (python confluent_kafka), ${os.cpus().length} CPUs shared by broker and clients\n`);
  process.stdout.write(`results: ${file}\n`);
  const caseProblems = [
    ...outcomes.flatMap((o) => o.problems.map((p) => `${caseLabel(o.case)}: ${p}`)),
    ...(small?.problems ?? []).map((p) => `small requests: ${p}`),
    ...(soak?.problems ?? []).map((p) => `soak: ${p}`),
  ];
  if (!config.skipTransactions) {
    // transactional vs idempotent produce, same run (its own broker; its table on stdout)
    process.stdout.write('\ntransactional produce (transactions-bench.ts):\n');
    const r = await runCommand(process.execPath, ['-r', `${repoRoot}/scripts/register-paths.js`, `${__dirname}/transactions-bench.js`], { cwd: repoRoot, timeoutMs: 15 * 60_000 });
    process.stdout.write(r.stdout.toString('utf8'));
    if (r.code !== 0) caseProblems.push(`transactions bench exited ${r.code}: ${r.stderr.slice(-2_000)}`);
  }
  if (!config.skipCdc) {
    // Postgres CDC: snapshot vs direct COPY, steady-state rows/s and latency (its own servers; its table on stdout)
    process.stdout.write('\npostgres-cdc (postgres-cdc-bench.ts):\n');
    const r = await runCommand(process.execPath, ['-r', `${repoRoot}/scripts/register-paths.js`, `${__dirname}/postgres-cdc-bench.js`], { cwd: repoRoot, timeoutMs: 30 * 60_000 });
    process.stdout.write(r.stdout.toString('utf8'));
    if (r.code !== 0) caseProblems.push(`postgres-cdc bench exited ${r.code}: ${r.stderr.slice(-2_000)}`);
  }
  const allProblems = [...problems, ...caseProblems];
  if (allProblems.length > 0) process.stdout.write(`\nproblems:\n${allProblems.map((p) => `- ${p}`).join('\n')}\n`);
  return allProblems.length === 0 && skipped.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
