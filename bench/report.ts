import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchCase, BenchConfig } from './bench-config';
import type { CaseOutcome } from './case-runner';
import type { RssReport } from './rss-sampler';
import type { SoakOutcome } from './rss-soak';
import type { SmallRequestOutcome } from './small-request-case';

/**
 * Presentation of a bench run: the markdown table printed to stdout and the JSON file.
 *
 * Units: rec/s are records per second; MB/s are 10^6 bytes of record values (keys,
 * headers and protocol framing not counted) per second; latencies are milliseconds.
 * A cell is "fail" when its phase ran and failed, "-" when it did not run.
 *
 * A second table shows each throughput phase's wall seconds next to the CPU seconds the
 * broker and the client used meanwhile: on a machine whose cores both share, a phase
 * whose client CPU is close to its wall time was bounded by the client, not the broker.
 */
export interface BenchReport {
  readonly schemaVersion: 2;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly librdkafka: string | null;
    readonly gitCommit: string | null;
  };
  readonly config: BenchConfig;
  readonly broker: {
    readonly bootstrap: string;
    readonly startedByBench: boolean;
    readonly rss: RssReport | null;
  };
  readonly cases: readonly CaseRow[];
  /** The small-request case (null: skipped or not run). */
  readonly smallRequests: SmallRequestOutcome | null;
  /** The RSS soak (null: skipped). */
  readonly soak: SoakOutcome | null;
  /** Cases not started because the run time limit was reached or the broker died. */
  readonly skipped: readonly BenchCase[];
  readonly problems: readonly string[];
}

/** One table row, flattened for the JSON file; raw phase results are kept too. */
export interface CaseRow {
  readonly recordBytes: number;
  readonly partitions: number;
  readonly acks: string;
  readonly records: number;
  readonly produceRecordsPerSec: number | null;
  readonly produceMBPerSec: number | null;
  readonly consumeRecordsPerSec: number | null;
  readonly consumeMBPerSec: number | null;
  readonly e2eP50Ms: number | null;
  readonly e2eP99Ms: number | null;
  readonly produceSeconds: number | null;
  readonly produceBrokerCpuSeconds: number | null;
  readonly produceClientCpuSeconds: number | null;
  readonly consumeSeconds: number | null;
  readonly consumeBrokerCpuSeconds: number | null;
  readonly consumeClientCpuSeconds: number | null;
  readonly outcome: CaseOutcome;
}

export function toRow(o: CaseOutcome): CaseRow {
  const rate = (ok: boolean | undefined, amount: number | undefined, seconds: number | undefined): number | null =>
    ok === true && amount !== undefined && seconds !== undefined && seconds > 0 ? amount / seconds : null;
  return {
    recordBytes: o.case.recordBytes,
    partitions: o.case.partitions,
    acks: o.case.acks,
    records: o.produce !== null && o.produce.records > 0 ? o.produce.records : o.case.records,
    produceRecordsPerSec: rate(o.produce?.ok, o.produce?.records, o.produce?.seconds),
    produceMBPerSec: mega(rate(o.produce?.ok, o.produce?.bytes, o.produce?.seconds)),
    consumeRecordsPerSec: rate(o.consume?.ok, o.consume?.records, o.consume?.seconds),
    consumeMBPerSec: mega(rate(o.consume?.ok, o.consume?.bytes, o.consume?.seconds)),
    e2eP50Ms: o.latency?.ok === true ? o.latency.p50Ms : null,
    e2eP99Ms: o.latency?.ok === true ? o.latency.p99Ms : null,
    produceSeconds: o.produce?.seconds ?? null,
    produceBrokerCpuSeconds: o.brokerCpuSeconds.produce,
    produceClientCpuSeconds: o.produce?.clientCpuSeconds ?? null,
    consumeSeconds: o.consume?.seconds ?? null,
    consumeBrokerCpuSeconds: o.brokerCpuSeconds.consume,
    consumeClientCpuSeconds: o.consume?.clientCpuSeconds ?? null,
    outcome: o,
  };
}

/** The markdown table, one row per case, followed by the broker's peak RSS. */
export function formatTable(rows: readonly CaseRow[], rss: RssReport | null): string {
  const header = ['size', 'partitions', 'acks', 'records', 'produce rec/s', 'produce MB/s', 'consume rec/s', 'consume MB/s', 'e2e p50 ms', 'e2e p99 ms'];
  const body = rows.map((r) => {
    const o = r.outcome;
    return [
      formatSize(r.recordBytes),
      String(r.partitions),
      r.acks,
      r.records.toLocaleString('en-US'),
      cell(o.produce, r.produceRecordsPerSec, 0),
      cell(o.produce, r.produceMBPerSec, 1),
      cell(o.consume, r.consumeRecordsPerSec, 0),
      cell(o.consume, r.consumeMBPerSec, 1),
      cell(o.latency, r.e2eP50Ms, 2),
      cell(o.latency, r.e2eP99Ms, 2),
    ];
  });
  return `${renderTable(header, body, 3)}\n\nbroker peak RSS: ${formatRss(rss)}`;
}

/** Wall and CPU seconds (broker, client) of each throughput phase. */
export function formatCpuTable(rows: readonly CaseRow[]): string {
  const header = ['size', 'partitions', 'acks', 'produce s', 'broker CPU s', 'client CPU s', 'consume s', 'broker CPU s', 'client CPU s'];
  const seconds = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
  const body = rows.map((r) => [
    formatSize(r.recordBytes),
    String(r.partitions),
    r.acks,
    seconds(r.produceSeconds),
    seconds(r.produceBrokerCpuSeconds),
    seconds(r.produceClientCpuSeconds),
    seconds(r.consumeSeconds),
    seconds(r.consumeBrokerCpuSeconds),
    seconds(r.consumeClientCpuSeconds),
  ]);
  return renderTable(header, body, 3);
}

/** A markdown table; the first `leftColumns` columns are left-aligned, the rest right. */
function renderTable(header: readonly string[], body: readonly (readonly string[])[], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < leftColumns ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Writes the report as pretty JSON, creating the directory; returns the path. */
export function writeReport(file: string, report: BenchReport): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

function formatRss(rss: RssReport | null): string {
  if (rss === null) return 'not sampled (pass --broker-pid with --bootstrap)';
  if (rss.peakBytes === null) return `unavailable (${rss.failedReads} failed reads of /proc/${rss.pid}/status)`;
  return `${(rss.peakBytes / 1024 / 1024).toFixed(1)} MiB (max of ${rss.samples} VmRSS samples every 100 ms and VmHWM)`;
}

function formatSize(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

function cell(phase: { ok: boolean } | null, value: number | null, digits: number): string {
  if (phase === null) return '-';
  if (value === null) return 'fail';
  return digits === 0 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits);
}

function mega(bytesPerSec: number | null): number | null {
  return bytesPerSec === null ? null : bytesPerSec / 1e6;
}
