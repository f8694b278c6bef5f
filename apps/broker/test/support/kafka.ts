import { Kafka, logLevel, type Admin, type ConsumerConfig, type IHeaders, type KafkaConfig } from 'kafkajs';
import { uniqueName } from './data';
import { waitFor } from './wait-for';

/** A kafkajs client for `bootstrap` with logging off and short retries. */
export function makeKafka(bootstrap: string, clientId = 'millrace-it', extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    ...extra,
  });
}

export interface Consumed {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => x.toString()).join(',') : v.toString();
  }
  return out;
}

export interface ConsumeOptions {
  topic: string;
  /** Stop once this many messages arrived. */
  count: number;
  groupId?: string;
  timeoutMs?: number;
  consumerConfig?: Partial<ConsumerConfig>;
  autoCommit?: boolean;
}

/**
 * Consumes `topic` from the beginning (a fresh group unless `groupId` is given) until
 * `count` messages arrived; returns them in arrival order. Fails on timeout, quoting
 * how many arrived.
 */
export async function consumeN(kafka: Kafka, opts: ConsumeOptions): Promise<Consumed[]> {
  const consumer = kafka.consumer({
    groupId: opts.groupId ?? uniqueName('reader'),
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    ...opts.consumerConfig,
  });
  const got: Consumed[] = [];
  let crash: unknown;
  consumer.on(consumer.events.CRASH, (e) => {
    crash = e.payload.error;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: opts.autoCommit ?? true,
      eachMessage: async ({ topic, partition, message }) => {
        got.push({
          topic,
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString(),
          value: message.value === null ? null : message.value.toString(),
          timestamp: Number(message.timestamp),
          headers: headersToStrings(message.headers),
        });
      },
    });
    await waitFor(`${opts.count} messages from ${opts.topic}`, () => got.length >= opts.count, {
      timeoutMs: opts.timeoutMs ?? 60_000,
      describe: () => `${got.length} arrived${crash === undefined ? '' : `, consumer crashed: ${String(crash)}`}`,
    });
    return got.slice();
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/** Per partition: [low, high) as numbers. */
export async function topicOffsets(admin: Admin, topic: string): Promise<Map<number, { low: number; high: number }>> {
  const rows = await admin.fetchTopicOffsets(topic);
  return new Map(rows.map((r) => [r.partition, { low: Number(r.low), high: Number(r.high) }]));
}

/** Sum of high watermarks over all partitions. */
export async function totalHigh(admin: Admin, topic: string): Promise<number> {
  let sum = 0;
  for (const { high } of (await topicOffsets(admin, topic)).values()) sum += high;
  return sum;
}

export async function createTopic(admin: Admin, topic: string, numPartitions = 1, config: Record<string, string> = {}): Promise<void> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) }],
  });
  if (!created) throw new Error(`topic ${topic} already existed`);
}
