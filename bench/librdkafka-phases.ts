import * as path from 'node:path';
import { z } from 'zod';
import { runCommand, SYSTEM_PYTHON } from '@millrace/testing';
import type { Acks } from './bench-config';

/**
 * Typed access to bench/librdkafka_bench.py: each method runs one phase of it with
 * /usr/bin/python3 (python3-confluent-kafka on librdkafka 2.0.2) and validates the JSON
 * object the script prints on its last stdout line.
 *
 * Contract: a method resolves with the phase's result, `ok` false and `error` set when
 * the phase failed (the partial measurements it printed are kept); it rejects only when
 * the script printed no parseable result at all (crash, kill by timeout), quoting the
 * tail of its stderr. The script bounds itself by `timeoutMs`; the process is killed
 * `KILL_GRACE_MS` later if it has not exited by then.
 *
 * Every result also carries `clientLog`: the error-level lines (syslog level <= 3)
 * librdkafka wrote to stderr during the phase, grouped with digits masked. A conforming
 * broker makes librdkafka log none; PROTOERR lines mean the broker sent bytes the client
 * could not parse (and librdkafka then discards the whole response and backs off).
 */

const KILL_GRACE_MS = 30_000;
const STDERR_TAIL_CHARS = 2_000;
const LOG_GROUPS_KEPT = 5;
/** librdkafka's default log line: %<level>|<unix time>|<facility>|<client name>| <message> */
const LIBRDKAFKA_LOG_LINE = /^%(\d)\|[\d.]+\|([A-Z0-9_]+)\|[^|]*\| (.*)$/;

/** librdkafka error-level log lines of one phase. */
export interface ClientLogSummary {
  readonly errorLines: number;
  /** The most frequent groups, e.g. "PROTOERR ...: invalid MessageSetSize -N". */
  readonly top: readonly { readonly message: string; readonly count: number }[];
}

const base = {
  ok: z.boolean(),
  phase: z.string(),
  librdkafka: z.string(),
  error: z.string().optional(),
};
const errorTally = {
  errors: z.number().int().default(0),
  errorSamples: z.array(z.string()).default([]),
};
const seconds = z.number().nonnegative();
/** Broker CPU seconds over the measured interval, read by the script (null: no pid given). */
const brokerCpu = z.object({ all: z.number(), main: z.number() }).nullable().default(null);

const createTopicResult = z.object({ ...base, seconds: seconds.optional() });
const deleteTopicResult = z.object({ ...base });
const produceResult = z.object({
  ...base,
  ...errorTally,
  records: z.number().int().default(0),
  queued: z.number().int().default(0),
  unflushed: z.number().int().default(0),
  bytes: z.number().default(0),
  seconds: seconds.default(0),
  enqueueSeconds: seconds.default(0),
  clientCpuSeconds: seconds.nullable().default(null),
  brokerCpu,
  rounds: z.number().int().default(1),
  timedOut: z.boolean().default(false),
});
const consumeResult = z.object({
  ...base,
  ...errorTally,
  records: z.number().int().default(0),
  bytes: z.number().default(0),
  seconds: seconds.default(0),
  firstRecordSeconds: seconds.nullable().default(null),
  clientCpuSeconds: seconds.nullable().default(null),
  positionSum: z.number().int().default(0),
  brokerCpu,
  passes: z.number().int().default(1),
  timedOut: z.boolean().default(false),
});
const latencyResult = z.object({
  ...base,
  ...errorTally,
  sent: z.number().int().default(0),
  samples: z.number().int().default(0),
  targetRate: z.number().default(0),
  achievedRate: z.number().nullable().default(null),
  p50Ms: z.number().nullable().default(null),
  p99Ms: z.number().nullable().default(null),
  maxMs: z.number().nullable().default(null),
  meanMs: z.number().nullable().default(null),
  seconds: seconds.default(0),
  brokerCpu,
  clientCpuSeconds: seconds.nullable().default(null),
  timedOut: z.boolean().default(false),
});

type WithLog<T> = T & { readonly clientLog: ClientLogSummary };
export type CreateTopicResult = WithLog<z.infer<typeof createTopicResult>>;
export type DeleteTopicResult = WithLog<z.infer<typeof deleteTopicResult>>;
export type ProduceResult = WithLog<z.infer<typeof produceResult>>;
export type ConsumeResult = WithLog<z.infer<typeof consumeResult>>;
export type LatencyResult = WithLog<z.infer<typeof latencyResult>>;
export type BrokerCpu = z.infer<typeof brokerCpu>;

export class LibrdkafkaPhases {
  /**
   * @param scriptPath absolute path of librdkafka_bench.py
   * @param bootstrap loopback host:port of the broker
   */
  constructor(
    private readonly scriptPath: string,
    private readonly bootstrap: string,
  ) {}

  /** The script next to the bench sources, found from the repository root. */
  static scriptIn(repoRoot: string): string {
    return path.join(repoRoot, 'bench', 'librdkafka_bench.py');
  }

  /** `configs`: topic configs (e.g. retention.bytes) set at creation; `replicationFactor` 1 unless given. */
  createTopic(topic: string, partitions: number, timeoutMs: number, configs: Readonly<Record<string, string>> = {}, replicationFactor = 1): Promise<CreateTopicResult> {
    const configArgs = Object.entries(configs).flatMap(([k, v]) => ['--config', `${k}=${v}`]);
    return this.run(createTopicResult, 'create-topic', ['--topic', topic, '--partitions', String(partitions), '--replication-factor', String(replicationFactor), ...configArgs], timeoutMs);
  }

  deleteTopic(topic: string, timeoutMs: number): Promise<DeleteTopicResult> {
    return this.run(deleteTopicResult, 'delete-topic', ['--topic', topic], timeoutMs);
  }

  produce(p: { topic: string; count: number; size: number; acks: Acks; lingerMs: number; minSeconds: number; brokerPid?: number }, timeoutMs: number): Promise<ProduceResult> {
    const args = ['--topic', p.topic, '--count', String(p.count), '--size', String(p.size), '--acks', p.acks, '--linger-ms', String(p.lingerMs)];
    return this.run(produceResult, 'produce', [...args, ...windowArgs(p)], timeoutMs);
  }

  consume(p: { topic: string; partitions: number; expect: number; minSeconds: number; brokerPid?: number }, timeoutMs: number): Promise<ConsumeResult> {
    const args = ['--topic', p.topic, '--partitions', String(p.partitions), '--expect', String(p.expect)];
    return this.run(consumeResult, 'consume', [...args, ...windowArgs(p)], timeoutMs);
  }

  /** One record per Produce request, paced by sleeping, with the consumer long-polling (phase "small"). */
  small(p: { topic: string; count: number; rate: number; size: number; warmupSeconds: number; brokerPid?: number }, timeoutMs: number): Promise<LatencyResult> {
    const args = ['--topic', p.topic, '--partitions', '1', '--count', String(p.count), '--rate', String(p.rate), '--size', String(p.size), '--acks', '1', '--warmup-seconds', String(p.warmupSeconds)];
    return this.run(latencyResult, 'small', [...args, ...windowArgs({ minSeconds: 0, brokerPid: p.brokerPid })], timeoutMs);
  }

  /** The small-request pattern against bench/echo-floor-server.ts (this instance's bootstrap is the server's address). */
  echoFloor(p: { count: number; rate: number; size: number; serverPid: number }, timeoutMs: number): Promise<LatencyResult> {
    const args = ['--topic', '-', '--count', String(p.count), '--rate', String(p.rate), '--size', String(p.size), '--broker-pid', String(p.serverPid)];
    return this.run(latencyResult, 'echo-floor', args, timeoutMs);
  }

  latency(p: { topic: string; partitions: number; count: number; rate: number; size: number; acks: Acks }, timeoutMs: number): Promise<LatencyResult> {
    const args = ['--topic', p.topic, '--partitions', String(p.partitions), '--count', String(p.count), '--rate', String(p.rate), '--size', String(p.size), '--acks', p.acks];
    return this.run(latencyResult, 'latency', args, timeoutMs);
  }

  private async run<S extends z.ZodType>(schema: S, phase: string, args: readonly string[], timeoutMs: number): Promise<WithLog<z.infer<S>>> {
    const argv = [this.scriptPath, phase, '--bootstrap', this.bootstrap, '--timeout', String(timeoutMs / 1000), ...args];
    const result = await runCommand(SYSTEM_PYTHON, argv, {
      timeoutMs: timeoutMs + KILL_GRACE_MS,
      env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const lines = result.stdout.toString('utf8').trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(last);
    } catch {
      const how = result.timedOut ? `killed after ${timeoutMs + KILL_GRACE_MS} ms` : `exit code ${result.code}, signal ${result.signal}`;
      throw new Error(`${phase} phase printed no result (${how}):\n${result.stderr.slice(-STDERR_TAIL_CHARS)}${last.slice(0, 500)}`);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw new Error(`${phase} phase printed an unexpected result ${last.slice(0, 500)}: ${checked.error.message}`);
    return Object.assign({}, checked.data, { clientLog: summarizeClientLog(result.stderr) });
  }
}

function windowArgs(p: { minSeconds: number; brokerPid?: number }): string[] {
  return ['--min-seconds', String(p.minSeconds), ...(p.brokerPid === undefined ? [] : ['--broker-pid', String(p.brokerPid)])];
}

/** Groups librdkafka's error-level stderr lines by facility and digit-masked message. */
export function summarizeClientLog(stderr: string): ClientLogSummary {
  const groups = new Map<string, number>();
  let errorLines = 0;
  for (const line of stderr.split('\n')) {
    const match = LIBRDKAFKA_LOG_LINE.exec(line);
    if (match === null || Number(match[1]) > 3) continue;
    errorLines++;
    const key = `${match[2]} ${match[3].replace(/\d+/g, 'N')}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const top = [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, LOG_GROUPS_KEPT)
    .map(([message, count]) => ({ message, count }));
  return { errorLines, top };
}
