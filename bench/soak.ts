import * as fs from 'node:fs';
import * as path from 'node:path';
import { findRepoRoot, runCommand, startBroker, type BrokerProcess } from '@millrace/testing';
import { renderSoakChart } from './soak-chart';
import { judge, starvedLagNotes, type Sample } from './soak-judge';
import { SoakClient } from './soak-clients';
import { ConnectSoak } from './soak-connect';

/**
 * `npm run soak` (not part of CI): long runs that `npm test` only samples.
 *
 * 1. Fuzz (unless --skip-fuzz): the protocol decoders under the coverage-guided fuzzer
 *    for --fuzz-seconds (libs/protocol/fuzz/fuzz-run.ts; its corpus is kept in
 *    bench/results/fuzz-corpus and grows from run to run; figures in
 *    bench/results/fuzz-latest.json), then the network fuzz loop of
 *    apps/broker/test/bad-input.it.spec.ts raised to --net-fuzz-frames mutated frames
 *    (default 1,000,000) against a real broker: no crash, RSS within 2x of its start.
 * 2. Load (unless --skip-load): a broker from dist/ (retention checked every 10 s), a
 *    topic of --partitions partitions with 64 MiB segments and retention.bytes 512 MiB
 *    per partition, so disk use and open segment files level off as in a real
 *    deployment instead of growing with the hour's tens of GB;
 *    the broker's produce throughput is measured first (librdkafka, 1 KiB records, acks
 *    all, 15 s flat out), then for --minutes a producer runs at half that rate with a
 *    consumer group reading along. Every --sample-seconds: broker RSS and open file
 *    descriptors (/proc), event-loop lag (max since the previous scrape, /metrics) and
 *    the group's lag (/metrics millrace_group_lag). Unless --skip-connect, the ERP ->
 *    warehouse pipeline (soak-connect.ts) runs on the same broker and each sample also
 *    measures its end-to-end lag. Printed as a table and written to
 *    bench/results/soak-latest.{md,json}, with a chart of the five series in
 *    bench/results/soak-latest.png (soak-chart.ts).
 *
 * Flat or it fails: after a warm-up (the first 10% of samples, at least one minute), the
 * mean of the last third against the first third: RSS within +25% (+32 MiB slack), open
 * FDs within +16, event-loop lag max below 1 s (a sample in which the broker's main
 * thread waited for a CPU more than half the interval is listed as a note instead: the
 * machine was overloaded, the broker did not block; the table's "CPU wait ms" column
 * shows it for every sample), group lag never above 30 s worth of
 * records and its last-third mean below 10 s worth, connect lag never above 30 s. Exit 1
 * on any failure.
 *
 *   npm run soak -- --minutes=60 --sample-seconds=10 --fuzz-seconds=600 --net-fuzz-frames=1000000
 */
interface SoakConfig {
  minutes: number;
  sampleSeconds: number;
  fuzzSeconds: number;
  netFuzzFrames: number;
  partitions: number;
  fuzz: boolean;
  load: boolean;
  connect: boolean;
}


function parseConfig(argv: string[]): SoakConfig {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    flags.set(m[1], m[2] ?? 'true');
  }
  const num = (name: string, fallback: number): number => {
    const v = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
    return v;
  };
  const known = ['minutes', 'sample-seconds', 'fuzz-seconds', 'net-fuzz-frames', 'partitions', 'skip-fuzz', 'skip-load', 'skip-connect'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown flag --${k} (known: ${known.join(', ')})`);
  return {
    minutes: num('minutes', 60),
    sampleSeconds: Math.max(1, num('sample-seconds', 10)),
    fuzzSeconds: num('fuzz-seconds', 600),
    netFuzzFrames: num('net-fuzz-frames', 1_000_000),
    partitions: Math.max(1, num('partitions', 3)),
    fuzz: !flags.has('skip-fuzz'),
    load: !flags.has('skip-load'),
    connect: !flags.has('skip-connect'),
  };
}

const log = (line: string): void => void process.stderr.write(`[soak] ${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runJest(repoRoot: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ ok: boolean; summary: string }> {
  const r = await runCommand(process.execPath, [path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), ...args, `--testTimeout=${timeoutMs}`], {
    cwd: repoRoot,
    env,
    timeoutMs: timeoutMs + 120_000,
  });
  const text = r.stdout.toString('utf8') + String(r.stderr);
  const summary = text.split('\n').filter((l) => /\[(fuzz|bad-input fuzz)\]|Tests:|✕/.test(l)).join('\n');
  return { ok: r.code === 0, summary };
}

async function fuzzPhase(repoRoot: string, c: SoakConfig): Promise<string[]> {
  const failures: string[] = [];
  log(`coverage-guided decoder fuzz for ${c.fuzzSeconds} s`);
  const results = path.join(repoRoot, 'bench', 'results');
  const dec = await runCommand(
    process.execPath,
    [path.join(repoRoot, 'dist', 'libs', 'protocol', 'fuzz', 'fuzz-run.js'), `--seconds=${c.fuzzSeconds}`, `--corpus=${path.join(results, 'fuzz-corpus')}`],
    { cwd: repoRoot, timeoutMs: c.fuzzSeconds * 1000 + 120_000 },
  );
  const lines = dec.stdout.toString('utf8').trim().split('\n');
  process.stdout.write(`[fuzz] ${lines.join('\n[fuzz] ')}\n`);
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, 'fuzz-latest.json'), `${lines[lines.length - 1]}\n`);
  if (dec.code !== 0) failures.push(`decoder fuzz found a crash or failed (exit ${dec.code}; see above) ${String(dec.stderr).slice(0, 500)}`);
  log(`network fuzz: ${c.netFuzzFrames} mutated frames`);
  const net = await runJest(repoRoot, ['apps/broker/test/bad-input.it.spec.ts', '-t', 'mutated frames'], { MILLRACE_FUZZ_FRAMES: String(c.netFuzzFrames) }, 4 * 3600_000);
  process.stdout.write(`${net.summary}\n`);
  if (!net.ok) failures.push('network fuzz failed (see above)');
  return failures;
}

function metricSum(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (labelFilter && !line.includes(labelFilter))) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** Cumulative [on-CPU, run-queue wait] ms of a process's main thread. */
function schedstat(pid: number): [number, number] {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return [run / 1e6, wait / 1e6];
  } catch {
    return [0, 0];
  }
}

async function sample(
  broker: BrokerProcess,
  t: number,
  group: string,
  producer: SoakClient,
  consumer: SoakClient,
  connectLagMs: number,
  since: { at: number; wait: number },
): Promise<Sample> {
  const pid = broker.pid!;
  const wait = schedstat(pid)[1];
  const at = Date.now();
  const cpuWaitMs = Math.round(wait - since.wait);
  const intervalMs = at - since.at;
  since.at = at;
  since.wait = wait;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  const metrics = await (await fetch(`http://${broker.host}:${broker.httpPort}/metrics`)).text();
  return {
    t,
    rssMiB: Math.round(rssKb / 1024),
    fds,
    loopLagMaxMs: Math.round(metricSum(metrics, 'millrace_nodejs_eventloop_lag_max_seconds') * 1000),
    groupLag: metricSum(metrics, 'millrace_group_lag', `group="${group}"`),
    acked: producer.stats.acked ?? 0,
    consumed: consumer.stats.consumed ?? 0,
    connectLagMs,
    cpuWaitMs,
    intervalMs,
  };
}

function table(samples: Sample[]): string {
  const rows = samples.map(
    (s) => `| ${s.t} | ${s.rssMiB} | ${s.fds} | ${s.loopLagMaxMs} | ${s.cpuWaitMs} | ${s.groupLag} | ${s.acked} | ${s.consumed} | ${s.connectLagMs < 0 ? '-' : s.connectLagMs} |`,
  );
  return [
    '| t s | RSS MiB | open FDs | loop lag max ms | CPU wait ms | group lag | acked | consumed | connect lag ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

async function loadPhase(repoRoot: string, c: SoakConfig): Promise<string[]> {
  if (c.connect) log('starting the ERP -> warehouse pipeline (MariaDB, Postgres, connect; 10k rows)');
  const brokerEnv = { MILLRACE_LOG_RETENTION_CHECK_INTERVAL_MS: '10000' };
  const pipeline = c.connect ? await ConnectSoak.start(10_000, brokerEnv) : null;
  const broker = pipeline ? pipeline.broker : await startBroker({ repoRoot, env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', ...brokerEnv }, startTimeoutMs: 60_000 });
  const clients: SoakClient[] = [];
  try {
    const topic = `soak-${Date.now()}`;
    const group = `${topic}-g`;
    const created = await fetch(`http://${broker.host}:${broker.httpPort}/admin/topics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: topic, partitions: c.partitions, configs: { 'segment.bytes': String(64 << 20), 'retention.bytes': String(512 << 20) } }),
    });
    if (created.status >= 300) throw new Error(`creating ${topic}: HTTP ${created.status} ${await created.text()}`);
    log('measuring produce throughput (15 s flat out)');
    const probe = SoakClient.producer(broker.bootstrap, `${topic}-probe`, 0, 15);
    clients.push(probe);
    await probe.exited;
    const measured = (probe.stats.acked ?? 0) / Math.max(1, probe.stats.elapsed ?? 15);
    const rate = Math.max(100, Math.floor(measured / 2));
    log(`measured ${measured.toFixed(0)} records/s; soaking ${c.minutes} min at ${rate}/s`);
    const consumer = SoakClient.consumer(broker.bootstrap, topic, group);
    const producer = SoakClient.producer(broker.bootstrap, topic, rate, c.minutes * 60);
    clients.push(consumer, producer);
    const samples: Sample[] = [];
    const started = Date.now();
    const since = { at: started, wait: schedstat(broker.pid!)[1] };
    while (Date.now() - started < c.minutes * 60_000) {
      const tickStart = Date.now();
      const connectLagMs = pipeline ? await pipeline.tick() : -1;
      await sleep(Math.max(0, c.sampleSeconds * 1000 - (Date.now() - tickStart)));
      const s = await sample(broker, Math.round((Date.now() - started) / 1000), group, producer, consumer, connectLagMs, since);
      samples.push(s);
      log(`t=${s.t}s rss=${s.rssMiB}MiB fds=${s.fds} loopLagMax=${s.loopLagMaxMs}ms cpuWait=${s.cpuWaitMs}ms groupLag=${s.groupLag} acked=${s.acked} consumed=${s.consumed} connectLag=${s.connectLagMs}ms`);
    }
    const verdicts = judge(samples, rate, c.sampleSeconds);
    const notes = starvedLagNotes(samples);
    if ((producer.stats.errors ?? 0) > 0) verdicts.push(`${producer.stats.errors} produce errors`);
    const report = `# soak ${new Date().toISOString()}\n\n![soak chart](soak-latest.png)\n\n${c.minutes} min at ${rate} records/s (half of ${measured.toFixed(0)}), 1 KiB, ${c.partitions} partitions, acks all, one consumer group${pipeline ? ', ERP -> warehouse pipeline running' : ''}\n\n${table(samples)}\n\n${notes.map((n) => `Note: ${n}\n`).join('')}${verdicts.length === 0 ? 'FLAT' : `NOT FLAT:\n- ${verdicts.join('\n- ')}`}\n`;
    const dir = path.join(repoRoot, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'soak-latest.md'), report);
    fs.writeFileSync(path.join(dir, 'soak-latest.json'), JSON.stringify({ config: c, rate, measured, samples, verdicts, notes }, null, 2));
    const chartTitle = `soak ${c.minutes} min at ${rate} records/s: ${verdicts.length === 0 ? 'FLAT' : 'NOT FLAT'}`;
    fs.writeFileSync(path.join(dir, 'soak-latest.png'), renderSoakChart(samples, chartTitle));
    process.stdout.write(report);
    return verdicts;
  } finally {
    for (const cl of clients) cl.stop();
    if (pipeline) await pipeline.stop();
    else await broker.stop();
  }
}

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  const c = parseConfig(process.argv.slice(2));
  const failures: string[] = [];
  if (c.fuzz) failures.push(...(await fuzzPhase(repoRoot, c)));
  if (c.load) failures.push(...(await loadPhase(repoRoot, c)));
  process.stdout.write(failures.length === 0 ? 'soak: PASS\n' : `soak: FAIL\n- ${failures.join('\n- ')}\n`);
  return failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
