import type { BenchCase, BenchConfig } from './bench-config';
import type { ClientLogSummary, ConsumeResult, LatencyResult, LibrdkafkaPhases, ProduceResult } from './librdkafka-phases';
import { measureCpu } from './process-cpu';

/**
 * One row of the matrix, run against a live broker in this order:
 *
 * 1. create topic `<prefix>` with the case's partition count (CreateTopics, RF 1) and wait
 *    until every partition has a leader;
 * 2. produce `records` records of `recordBytes` as fast as librdkafka goes (linger.ms from
 *    the config, large batches, no compression, the case's acks), timed from the first
 *    produce() to the end of flush();
 * 3. consume them all back from offset 0 with an assigned consumer, timed from assign()
 *    to the last record (skipped when nothing was produced);
 * 4. on a second fresh topic `<prefix>-lat` (same partitions), the paced end-to-end
 *    latency phase (see librdkafka_bench.py phase_latency);
 * 5. delete both topics unless kept (a failed delete is noted, not fatal).
 *
 * The broker's CPU seconds during the produce and consume phases are recorded when its
 * pid is known, next to the client's own CPU seconds, to tell which side bounded the
 * rate. They are read by the client script at the edges of the timed interval (see
 * librdkafka_bench.py); the CPU over the whole client process (start-up, metadata,
 * warm-up included, process-cpu.ts) is kept beside them in the JSON for comparison.
 * Both throughput phases run at least `minPhaseSeconds`. Error lines librdkafka logged in any phase count as problems:
 * they mean the broker answered something the client rejected.
 *
 * Contract: never throws for a failing phase; each failure is recorded in `problems` and
 * the later phases that do not depend on it still run. It rejects only when a phase could
 * not be run at all (the client script crashed), which the caller treats as fatal for
 * this case.
 */
export interface CaseOutcome {
  readonly case: BenchCase;
  readonly topic: string;
  readonly produce: ProduceResult | null;
  readonly consume: ConsumeResult | null;
  readonly latency: LatencyResult | null;
  /** Broker CPU seconds (all threads) over each phase's timed interval (null: pid unknown or unreadable). */
  readonly brokerCpuSeconds: { readonly produce: number | null; readonly consume: number | null };
  /** Broker CPU seconds while each phase's client process ran, start-up and warm-up included. */
  readonly brokerProcessCpuSeconds: { readonly produce: number | null; readonly consume: number | null };
  readonly problems: readonly string[];
  readonly seconds: number;
}

/** Runs one matrix row; see the contract above. */
export async function runCase(
  client: LibrdkafkaPhases,
  c: BenchCase,
  config: BenchConfig,
  topicPrefix: string,
  brokerPid: number | undefined,
  log: (line: string) => void,
): Promise<CaseOutcome> {
  const started = Date.now();
  const problems: string[] = [];
  const timeout = config.phaseTimeoutMs;
  const topic = topicPrefix;
  const latencyTopic = `${topicPrefix}-lat`;
  let produce: ProduceResult | null = null;
  let consume: ConsumeResult | null = null;
  let latency: LatencyResult | null = null;
  const brokerCpuSeconds: { produce: number | null; consume: number | null } = { produce: null, consume: null };
  const brokerProcessCpuSeconds: { produce: number | null; consume: number | null } = { produce: null, consume: null };
  const noteLog = (phase: string, r: { clientLog: ClientLogSummary }): void => {
    if (r.clientLog.errorLines === 0) return;
    const top = r.clientLog.top.map((g) => `${g.count} x ${g.message}`).join('; ');
    problems.push(`librdkafka logged ${r.clientLog.errorLines} error line(s) during ${phase}: ${top}`);
  };

  const created = await client.createTopic(topic, c.partitions, timeout);
  noteLog('create-topic', created);
  if (!created.ok) {
    problems.push(`create ${topic}: ${created.error ?? 'failed'}`);
  } else {
    log(`  produce ${c.records} x ${c.recordBytes} B, acks=${c.acks}`);
    const window = { minSeconds: config.minPhaseSeconds, brokerPid };
    const produced = await measureCpu(brokerPid, () => client.produce({ topic, count: c.records, size: c.recordBytes, acks: c.acks, lingerMs: config.lingerMs, ...window }, timeout));
    produce = produced.result;
    brokerCpuSeconds.produce = produce.brokerCpu?.all ?? null;
    brokerProcessCpuSeconds.produce = produced.cpuSeconds;
    noteLog('produce', produce);
    if (!produce.ok) problems.push(`produce: ${produce.error ?? 'failed'}${samples(produce.errorSamples)}`);
    if (produce.records > 0) {
      log(`  consume ${produce.records}`);
      const expect = produce.records;
      const consumed = await measureCpu(brokerPid, () => client.consume({ topic, partitions: c.partitions, expect, ...window }, timeout));
      consume = consumed.result;
      brokerCpuSeconds.consume = consume.brokerCpu?.all ?? null;
      brokerProcessCpuSeconds.consume = consumed.cpuSeconds;
      noteLog('consume', consume);
      if (!consume.ok) problems.push(`consume: ${consume.error ?? 'failed'}${samples(consume.errorSamples)}`);
      else if (consume.positionSum !== produce.records) problems.push(`consume: end positions sum to ${consume.positionSum}, expected ${produce.records}`);
    }
  }

  const latencyCreated = await client.createTopic(latencyTopic, c.partitions, timeout);
  noteLog('create-topic', latencyCreated);
  if (!latencyCreated.ok) {
    problems.push(`create ${latencyTopic}: ${latencyCreated.error ?? 'failed'}`);
  } else {
    log(`  latency ${config.latencyRecords} records at ${config.latencyRate}/s`);
    latency = await client.latency({ topic: latencyTopic, partitions: c.partitions, count: config.latencyRecords, rate: config.latencyRate, size: c.recordBytes, acks: c.acks }, timeout);
    noteLog('latency', latency);
    if (!latency.ok) problems.push(`latency: ${latency.error ?? 'failed'}${samples(latency.errorSamples)}`);
  }

  if (!config.keepTopics) {
    for (const [name, wasCreated] of [[topic, created.ok], [latencyTopic, latencyCreated.ok]] as const) {
      if (!wasCreated) continue;
      const deleted = await client.deleteTopic(name, Math.min(timeout, 60_000));
      if (!deleted.ok) problems.push(`delete ${name}: ${deleted.error ?? 'failed'}`);
      noteLog('delete-topic', deleted);
    }
  }

  return { case: c, topic, produce, consume, latency, brokerCpuSeconds, brokerProcessCpuSeconds, problems, seconds: (Date.now() - started) / 1000 };
}

function samples(list: readonly string[]): string {
  return list.length === 0 ? '' : ` [${list.join('; ')}]`;
}
