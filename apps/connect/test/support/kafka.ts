import { PartitionReader } from '@millrace/kafka-log';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

const bootstraps = new WeakMap<Kafka, string>();

export function makeKafka(bootstrap: string): Kafka {
  const kafka = new Kafka({ clientId: 'connect-it', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
  bootstraps.set(kafka, bootstrap);
  return kafka;
}

/** How many committed records a partition holds below its last stable offset (aborted records and transaction markers not counted). */
async function committedRecords(bootstrap: string, topic: string, partition: number): Promise<number> {
  const reader = new PartitionReader({ bootstrap: [bootstrap], topic, partition, maxWaitMs: 50, isolationLevel: 'read_committed', copyRecords: false });
  try {
    const end = await reader.endOffset();
    if (end === 0) return 0;
    let count = 0;
    await new Promise<void>((resolve) => {
      reader.start(0, (records, next) => {
        count += records.length;
        if (next >= end) resolve();
      });
    });
    return count;
  } finally {
    await reader.stop();
  }
}

/**
 * Reads every committed message of a topic up to its last stable offset with a kafkajs
 * consumer (read_committed, its default). The count to wait for comes from the
 * project's PartitionReader, as the log may also hold transaction markers and aborted
 * records (sources run exactly once by default), which a consumer never gets.
 */
export async function readAll(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const bootstrap = bootstraps.get(kafka);
  if (bootstrap === undefined) throw new Error('readAll needs a Kafka client made by makeKafka');
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = (await Promise.all(ends.map((p) => (Number(p.high) > 0 ? committedRecords(bootstrap, topic, p.partition) : 0)))).reduce((n, c) => n + c, 0);
  const out: KafkaMessage[] = [];
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `connect-it-read-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${total} messages of ${topic}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        out.push(message);
        if (out.length >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

/** A JsonConverter value with `schemas.enable=true`: the Connect schema and the payload. */
export function jsonEnvelope(schema: unknown, payload: unknown): string {
  return JSON.stringify({ schema, payload });
}

/** Sum of the high watermarks of a topic's partitions (0 while the topic does not exist). */
export async function topicEndOffset(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } catch (err) {
    if ((err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return 0;
    throw err;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every message a kafkajs consumer (read_committed, its default) gets from the start of
 * `topic` until none arrived for `idleMs`: for topics whose log also holds aborted
 * transactional records and markers, which a count up to the high watermark would
 * wait for forever.
 */
export async function readCommittedUntilIdle(kafka: Kafka, topic: string, idleMs = 3_000, timeoutMs = 120_000): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `connect-it-read-${Date.now()}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 200, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let last = Date.now();
  void consumer.run({
    eachMessage: async ({ message }) => {
      out.push(message);
      last = Date.now();
    },
  });
  const started = Date.now();
  while (out.length === 0 || Date.now() - last < idleMs) {
    if (Date.now() - started > timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await consumer.disconnect();
  return out;
}
