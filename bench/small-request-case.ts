import type { BenchConfig } from './bench-config';
import type { CaseOutcome } from './case-runner';
import { runEchoFloor, type EchoFloorOutcome } from './echo-floor';
import type { LatencyResult, LibrdkafkaPhases } from './librdkafka-phases';

/**
 * The small-request case of `npm run bench`: `rate` records per second for `seconds`,
 * each record its own Produce request (linger.ms 0, batch.num.messages 1, acks 1), on a
 * fresh one-partition topic whose consumer long-polls for every record. The client
 * paces itself by sleeping, never by spinning, so it leaves the cores to the broker.
 * `warmupSeconds` of records at the same rate go first, unmeasured: a broker that has
 * not yet compiled this request pattern costs several times more per request (measured:
 * 1,650 us per request at 100 requests/s on a fresh broker, mostly V8 compiling).
 *
 * Reported: broker CPU microseconds per request (all threads, and the main thread
 * alone) over the paced interval, i.e. one small produce plus the fetch work it wakes;
 * end-to-end p50/p99; and, against the batched throughput case of the same record size
 * (1 partition, acks 1) of the same run, the ratio of broker CPU per record, where the
 * batched figure is (produce + consume broker CPU) / records. Then the echo floor
 * (echo-floor.ts) with the same pacing, record size and count: the broker's CPU per
 * request divided by the floor's CPU per record is `ratioToFloor`.
 *
 * Contract: never throws for a failing phase (the failure is in `problems`); rejects only
 * when the client script could not run at all.
 */
export interface SmallRequestOutcome {
  readonly topic: string;
  readonly result: LatencyResult | null;
  /** Broker CPU per request, microseconds (null: no pid or the phase failed). */
  readonly brokerCpuUsPerRequest: number | null;
  readonly brokerMainThreadUsPerRequest: number | null;
  /** Broker CPU per record of the batched case it is compared with (null: none ran). */
  readonly batchedBrokerCpuUsPerRecord: number | null;
  /** brokerCpuUsPerRequest / batchedBrokerCpuUsPerRecord. */
  readonly ratioToBatched: number | null;
  /** The echo floor of the same run (null: it did not run). */
  readonly floor: EchoFloorOutcome | null;
  /** brokerCpuUsPerRequest / floor.cpuUsPerRecord. */
  readonly ratioToFloor: number | null;
  readonly problems: readonly string[];
}

export async function runSmallRequestCase(
  client: LibrdkafkaPhases,
  config: BenchConfig,
  topic: string,
  brokerPid: number | undefined,
  batched: readonly CaseOutcome[],
  repoRoot: string,
  log: (line: string) => void,
): Promise<SmallRequestOutcome> {
  const { rate, seconds, recordBytes } = config.small;
  const problems: string[] = [];
  const created = await client.createTopic(topic, 1, config.phaseTimeoutMs);
  if (!created.ok) {
    return { topic, result: null, brokerCpuUsPerRequest: null, brokerMainThreadUsPerRequest: null, batchedBrokerCpuUsPerRecord: null, ratioToBatched: null, floor: null, ratioToFloor: null, problems: [`create ${topic}: ${created.error ?? 'failed'}`] };
  }
  const count = Math.max(1, Math.round(rate * seconds));
  log(`  small requests: ${count} x ${recordBytes} B, one per Produce request, at ${rate}/s`);
  const result = await client.small({ topic, count, rate, size: recordBytes, warmupSeconds: config.small.warmupSeconds, brokerPid }, config.phaseTimeoutMs);
  if (!result.ok) problems.push(`small requests: ${result.error ?? 'failed'}`);
  if (result.clientLog.errorLines > 0) problems.push(`librdkafka logged ${result.clientLog.errorLines} error line(s) during the small-request case`);
  if (!config.keepTopics) {
    const deleted = await client.deleteTopic(topic, Math.min(config.phaseTimeoutMs, 60_000));
    if (!deleted.ok) problems.push(`delete ${topic}: ${deleted.error ?? 'failed'}`);
  }
  const perRequest = (s: number | undefined): number | null => (result.ok && s !== undefined && result.sent > 0 ? (s / result.sent) * 1e6 : null);
  const brokerCpuUsPerRequest = perRequest(result.brokerCpu?.all);
  const batchedBrokerCpuUsPerRecord = batchedCost(batched, recordBytes);
  log(`  echo floor: the same ${count} records against a bare Node TCP server`);
  let floor: EchoFloorOutcome | null = null;
  try {
    floor = await runEchoFloor(repoRoot, { count, rate, size: recordBytes, timeoutMs: config.phaseTimeoutMs });
    if (!floor.result.ok) problems.push(`echo floor: ${floor.result.error ?? 'failed'}`);
  } catch (err) {
    problems.push(`echo floor: ${err instanceof Error ? err.message : String(err)}`);
  }
  const floorUs = floor?.cpuUsPerRecord ?? null;
  return {
    topic,
    result,
    brokerCpuUsPerRequest,
    brokerMainThreadUsPerRequest: perRequest(result.brokerCpu?.main),
    batchedBrokerCpuUsPerRecord,
    ratioToBatched: brokerCpuUsPerRequest !== null && batchedBrokerCpuUsPerRecord !== null && batchedBrokerCpuUsPerRecord > 0 ? brokerCpuUsPerRequest / batchedBrokerCpuUsPerRecord : null,
    floor,
    ratioToFloor: brokerCpuUsPerRequest !== null && floorUs !== null && floorUs > 0 ? brokerCpuUsPerRequest / floorUs : null,
    problems,
  };
}

/** Broker CPU per record (produce + consume) of the 1-partition acks=1 case of this record size. */
function batchedCost(outcomes: readonly CaseOutcome[], recordBytes: number): number | null {
  const o = outcomes.find((x) => x.case.recordBytes === recordBytes && x.case.partitions === 1 && x.case.acks === '1');
  if (o === undefined || o.produce?.ok !== true || o.consume?.ok !== true) return null;
  const { produce, consume } = o.brokerCpuSeconds;
  if (produce === null || consume === null || o.produce.records === 0) return null;
  // The consume phase may read the topic several times (passes): cost per record read.
  return ((produce / o.produce.records + consume / o.consume.records) * 1e6);
}

/** The small-request table (markdown). */
export function formatSmallRequest(s: SmallRequestOutcome, config: BenchConfig): string {
  const r = s.result;
  const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
  const f = s.floor?.result;
  const header =
    '| records/s (target) | records | broker CPU us/request | main thread us/request | echo floor us/record | x floor | batched us/record | x batched | e2e p50 ms | e2e p99 ms | floor p50/p99 ms | client CPU s / wall s |';
  const rule =
    '| -----------------: | ------: | --------------------: | ---------------------: | -------------------: | ------: | ----------------: | --------: | ---------: | ---------: | ---------------: | --------------------: |';
  const row =
    `| ${num(r?.achievedRate, 0)} (${config.small.rate}) | ${r?.sent ?? '-'} | ${num(s.brokerCpuUsPerRequest, 1)} | ${num(s.brokerMainThreadUsPerRequest, 1)} | ` +
    `${num(s.floor?.cpuUsPerRecord, 1)} | ${num(s.ratioToFloor, 2)} | ${num(s.batchedBrokerCpuUsPerRecord, 2)} | ${num(s.ratioToBatched, 1)} | ` +
    `${num(r?.p50Ms, 2)} | ${num(r?.p99Ms, 2)} | ${num(f?.p50Ms, 2)} / ${num(f?.p99Ms, 2)} | ${num(r?.clientCpuSeconds, 2)} / ${num(r?.seconds, 2)} |`;
  return [header, rule, row].join('\n');
}
