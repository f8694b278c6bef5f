import * as fs from 'node:fs';
import * as path from 'node:path';
import { findRepoRoot, startBrokerCluster } from '@millrace/testing';
import { LibrdkafkaPhases } from './librdkafka-phases';
import { NatsCluster, type NatsPhaseResult } from './nats-cluster';

/**
 * The replicated-cluster benchmark (issue 14), one of `npm run bench`'s parts (its own
 * processes; --skip-cluster leaves it out): three local Millrace brokers (etcd, cluster
 * mode) with a topic of 6 partitions, RF=3, produced with acks=all by librdkafka, against
 * NATS JetStream R3 on three local nats-servers driven by the Go client (nats-cluster.ts),
 * in the same run, for 100 B and 1 KiB records:
 *   produce  records/s and MB/s, acknowledged by every replica (acks=all / R3 pub acks),
 *            rounds of N until ≥ 5 s passed;
 *   consume  the stream read from the start (librdkafka assigned consumer / ordered push
 *            consumer);
 *   e2e      2,000 records at 1,000/s, send-to-receive p50/p99.
 * The ratio column is Millrace / NATS produce throughput (the issue's goal: ≥ 1.5×).
 * NATS keeps one stream (one Raft group), its usual unit; Millrace spreads 6 partitions
 * over the three brokers. Everything shares the machine's cores. JSON:
 * .tmp/bench-cluster.json.
 */
const SIZES = [100, 1024];
const PARTITIONS = 6;
const MIN_SECONDS = Number(process.env.BENCH_CLUSTER_MIN_SECONDS ?? 5);
const PHASE_TIMEOUT_MS = 180_000;

interface Row {
  system: string;
  size: number;
  produce: { recordsPerSec: number; mbPerSec: number } | null;
  consume: { recordsPerSec: number; mbPerSec: number } | null;
  e2e: { p50Ms: number | null; p99Ms: number | null } | null;
  error?: string;
}

const rate = (records: number, bytes: number, seconds: number) => ({ recordsPerSec: Math.round(records / seconds), mbPerSec: Math.round((bytes / seconds / 1e6) * 10) / 10 });
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function millraceRows(repoRoot: string, runId: string): Promise<Row[]> {
  log('cluster bench: starting etcd and three brokers ...');
  const cluster = await startBrokerCluster({ brokers: 3, clusterId: `bench-${runId}`, perBroker: () => ({ startTimeoutMs: 120_000 }) });
  const rows: Row[] = [];
  try {
    const phases = new LibrdkafkaPhases(LibrdkafkaPhases.scriptIn(repoRoot), cluster.bootstrap);
    for (const size of SIZES) {
      const topic = `cluster-bench-${runId}-${size}`;
      const row: Row = { system: 'Millrace 3 brokers, RF=3, acks=all', size, produce: null, consume: null, e2e: null };
      rows.push(row);
      const created = await phases.createTopic(topic, PARTITIONS, PHASE_TIMEOUT_MS, { 'min.insync.replicas': '2' }, 3);
      if (!created.ok) {
        row.error = `create topic: ${created.error}`;
        continue;
      }
      log(`cluster bench: Millrace ${size} B produce ...`);
      const p = await phases.produce({ topic, count: size < 1000 ? 200_000 : 100_000, size, acks: 'all', lingerMs: 5, minSeconds: MIN_SECONDS }, PHASE_TIMEOUT_MS);
      if (!p.ok) row.error = `produce: ${p.error}`;
      row.produce = p.records > 0 ? rate(p.records, p.bytes, p.seconds) : null;
      const c = await phases.consume({ topic, partitions: PARTITIONS, expect: p.records, minSeconds: MIN_SECONDS }, PHASE_TIMEOUT_MS);
      if (!c.ok) row.error = `consume: ${c.error}`;
      row.consume = c.records > 0 ? rate(c.records, c.bytes, c.seconds) : null;
      const latencyTopic = await phases.createTopic(`${topic}-lat`, PARTITIONS, PHASE_TIMEOUT_MS, { 'min.insync.replicas': '2' }, 3);
      if (!latencyTopic.ok) {
        row.error = `create latency topic: ${latencyTopic.error}`;
        continue;
      }
      const l = await phases.latency({ topic: `${topic}-lat`, partitions: PARTITIONS, count: 2000, rate: 1000, size, acks: 'all' }, PHASE_TIMEOUT_MS);
      row.e2e = l.ok ? { p50Ms: l.p50Ms, p99Ms: l.p99Ms } : null;
      if (!l.ok) row.error = `latency: ${l.error}`;
    }
  } finally {
    await cluster.stop();
  }
  return rows;
}

async function natsRows(repoRoot: string): Promise<Row[] | string> {
  log('cluster bench: starting three nats-servers (JetStream) ...');
  const nats = await NatsCluster.start(repoRoot);
  if (typeof nats === 'string') return nats;
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      const stream = `BENCH${size}`;
      const row: Row = { system: 'NATS JetStream 3 servers, R3', size, produce: null, consume: null, e2e: null };
      rows.push(row);
      log(`cluster bench: NATS ${size} B produce ...`);
      const p: NatsPhaseResult = await nats.phase('produce', { stream, replicas: 3, count: size < 1000 ? 200_000 : 100_000, size, 'min-seconds': MIN_SECONDS }, PHASE_TIMEOUT_MS);
      if (!p.ok) row.error = `produce: ${p.error}`;
      row.produce = p.records > 0 ? rate(p.records, p.bytes, p.seconds) : null;
      const c = await nats.phase('consume', { stream, expect: p.records, 'min-seconds': MIN_SECONDS }, PHASE_TIMEOUT_MS);
      if (!c.ok) row.error = `consume: ${c.error}`;
      row.consume = c.records > 0 ? rate(c.records, c.bytes, c.seconds) : null;
      const l = await nats.phase('latency', { stream, count: 2000, rate: 1000, size }, PHASE_TIMEOUT_MS);
      row.e2e = l.ok ? { p50Ms: l.p50Ms ?? null, p99Ms: l.p99Ms ?? null } : null;
      if (!l.ok) row.error = `latency: ${l.error}`;
    }
  } finally {
    await nats.stop();
  }
  return rows;
}

function table(rows: readonly Row[], peer: readonly Row[]): string {
  const fmt = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits }));
  const lines = ['| system | record | produce rec/s | produce MB/s | consume rec/s | consume MB/s | e2e p50 / p99 ms | produce vs NATS |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of [...rows, ...peer]) {
    const nats = peer.find((n) => n.size === r.size);
    const ratio = r.system.startsWith('Millrace') && nats?.produce && r.produce ? `${(r.produce.recordsPerSec / nats.produce.recordsPerSec).toFixed(2)}×` : '';
    lines.push(`| ${r.system} | ${r.size} B | ${fmt(r.produce?.recordsPerSec)} | ${fmt(r.produce?.mbPerSec, 1)} | ${fmt(r.consume?.recordsPerSec)} | ${fmt(r.consume?.mbPerSec, 1)} | ${fmt(r.e2e?.p50Ms, 2)} / ${fmt(r.e2e?.p99Ms, 2)} | ${ratio} |${r.error ? ` ${r.error}` : ''}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const repoRoot = findRepoRoot(__dirname);
  const runId = Date.now().toString(36);
  const millrace = await millraceRows(repoRoot, runId);
  const nats = await natsRows(repoRoot);
  const peer = typeof nats === 'string' ? [] : nats;
  process.stdout.write(`${table(millrace, peer)}\n`);
  if (typeof nats === 'string') process.stdout.write(`NATS side not run: ${nats}\n`);
  const out = path.join(repoRoot, '.tmp', 'bench-cluster.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), millrace, nats }, null, 2));
  process.stdout.write(`results: ${out}\n`);
  return [...millrace, ...peer].some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
