import { BatchProducer, PartitionReader } from '@millrace/kafka-log';
import { findRepoRoot, startBroker } from '@millrace/testing';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { envInt } from './env-int';
import { LibrdkafkaPhases } from './librdkafka-phases';
import { processCpuSeconds } from './process-cpu';

/**
 * Kafka client benchmark (not part of npm test nor npm run bench):
 *
 *   npm run build && node -r ./scripts/register-paths.js dist/bench/kafka-client-bench.js
 *
 * Starts a broker and, in the same run, measures the client side of the connect hot path
 * on records shaped like the PG -> PG pipeline's (8-byte Avro-framed key, ~140-byte
 * value, ~150 B together):
 *   - produce: KCB_RECORDS records (default 500,000) over KCB_PARTITIONS partitions
 *     (default 4), in sends of KCB_BATCH records (default 1,000, the records of one task
 *     poll spread over the partitions), at most KCB_WINDOW sends outstanding (default 4);
 *     acks=all, idempotent, no compression. kafkajs 2.2.4 producer.sendBatch vs
 *     BatchProducer (libs/kafka-log, built on libs/protocol).
 *   - consume: the records kafkajs produced, read back in full. kafkajs consumer (group,
 *     eachBatch; timed from its first batch, so the group join is not counted) vs one
 *     PartitionReader per partition (group-less fetch loop on libs/protocol), handing
 *     over views into the fetch response (copyRecords false), then again copying them.
 * For each phase: records/s and the CPU of this (the client) process per record
 * (process.cpuUsage, user + system, GC included), and the broker's CPU per record.
 * A warm-up of 20,000 records per client runs first, on its own topic.
 * Unless KCB_LIBRDKAFKA=0, the same counts also go through librdkafka 2.0.2 (the Python
 * harness of `npm run bench`, librdkafka_bench.py): 150-byte values, null key, acks=all,
 * linger 5 ms, NOT idempotent (the harness does not enable it), then an assigned consumer;
 * its client CPU is the Python process's (getrusage), interpreter included.
 */
const RECORDS = envInt('KCB_RECORDS', 1_000_000);
const WITH_LIBRDKAFKA = process.env.KCB_LIBRDKAFKA !== '0';
const PARTITIONS = envInt('KCB_PARTITIONS', 4);
const BATCH = envInt('KCB_BATCH', 1000);
const WINDOW = envInt('KCB_WINDOW', 4);
const WARMUP = 20_000;

interface PhaseResult {
  name: string;
  records: number;
  seconds: number;
  clientCpuUs: number;
  brokerCpuS: number | null;
}

/** A pool of distinct pipeline-like records, reused round-robin (generation is not measured). */
function recordPool(): { key: Buffer; value: Buffer }[] {
  return Array.from({ length: 10_000 }, (_, i) => {
    const key = Buffer.alloc(8);
    key.writeUInt8(0, 0);
    key.writeUInt32BE(1, 1);
    key.writeUInt8((i * 2) & 0x7f, 5);
    key.writeUInt16BE(i & 0xffff, 6);
    const value = Buffer.alloc(142);
    for (let j = 0; j < value.length; j++) value[j] = (i * 31 + j * 7) & 0xff;
    return { key, value };
  });
}

/** Runs `sendOne(batchIndex)` for every batch, keeping at most WINDOW of them outstanding. */
async function windowed(records: number, sendOne: (first: number, count: number) => Promise<unknown>): Promise<void> {
  const outstanding: Promise<unknown>[] = [];
  for (let first = 0; first < records; first += BATCH) {
    if (outstanding.length >= WINDOW) await outstanding.shift();
    outstanding.push(sendOne(first, Math.min(BATCH, records - first)));
  }
  await Promise.all(outstanding);
}

async function measure(name: string, records: number, brokerPid: number | undefined, work: () => Promise<void>): Promise<PhaseResult> {
  const brokerBefore = brokerPid === undefined ? null : processCpuSeconds(brokerPid);
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(cpu);
  const brokerAfter = brokerPid === undefined ? null : processCpuSeconds(brokerPid);
  return { name, records, seconds, clientCpuUs: used.user + used.system, brokerCpuS: brokerBefore === null || brokerAfter === null ? null : brokerAfter - brokerBefore };
}

async function kafkajsProduce(kafka: Kafka, topic: string, records: number, pool: { key: Buffer; value: Buffer }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await windowed(records, (first, count) => {
    const messages: Message[] = new Array<Message>(count);
    for (let i = 0; i < count; i++) {
      const r = pool[(first + i) % pool.length];
      messages[i] = { key: r.key, value: r.value, partition: (first + i) % PARTITIONS };
    }
    return producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: [{ topic, messages }] });
  });
  await producer.disconnect();
}

async function ownProduce(bootstrap: string, topic: string, records: number, pool: { key: Buffer; value: Buffer }[]): Promise<void> {
  const producer = new BatchProducer({ bootstrap: [bootstrap], clientId: 'kcb' });
  await windowed(records, async (first, count) => {
    const perPartition: { key: Buffer; value: Buffer }[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < count; i++) perPartition[(first + i) % PARTITIONS].push(pool[(first + i) % pool.length]);
    const deliveries = await Promise.all(perPartition.map((recs, p) => producer.append(topic, p, recs)));
    await Promise.all(deliveries.map((d) => d.delivered));
  });
  await producer.close();
}

/** Consumes `records` with a kafkajs group consumer; resolves with the phase measured from the first batch. */
async function kafkajsConsume(kafka: Kafka, topic: string, records: number, brokerPid: number | undefined): Promise<PhaseResult> {
  const consumer = kafka.consumer({ groupId: `kcb-${topic}-${Date.now()}`, maxBytes: 8 << 20, maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let started: { cpu: NodeJS.CpuUsage; t0: bigint; broker: number | null } | null = null;
  const result = await new Promise<PhaseResult>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        started ??= { cpu: process.cpuUsage(), t0: process.hrtime.bigint(), broker: brokerPid === undefined ? null : processCpuSeconds(brokerPid) };
        let bytes = 0;
        for (const m of batch.messages) bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
        if (bytes < 0) throw new Error('unreachable');
        seen += batch.messages.length;
        if (seen >= records) {
          const used = process.cpuUsage(started.cpu);
          const brokerAfter = brokerPid === undefined ? null : processCpuSeconds(brokerPid);
          resolve({
            name: 'consume kafkajs',
            records: seen,
            seconds: Number(process.hrtime.bigint() - started.t0) / 1e9,
            clientCpuUs: used.user + used.system,
            brokerCpuS: started.broker === null || brokerAfter === null ? null : brokerAfter - started.broker,
          });
        }
      },
    });
  });
  await consumer.disconnect();
  return result;
}

async function ownConsume(bootstrap: string, topic: string, records: number, copyRecords: boolean): Promise<void> {
  const readers = Array.from({ length: PARTITIONS }, (_, p) => new PartitionReader({ bootstrap: [bootstrap], topic, partition: p, clientId: 'kcb', maxWaitMs: 100, copyRecords }));
  let seen = 0;
  await new Promise<void>((resolve) => {
    for (const reader of readers) {
      reader.start(0, (batch) => {
        let bytes = 0;
        for (const r of batch) bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
        if (bytes < 0) throw new Error('unreachable');
        seen += batch.length;
        if (seen >= records) resolve();
      });
    }
  });
  await Promise.all(readers.map((r) => r.stop()));
}

/** Produce and consume through the Python/librdkafka harness; failures are reported and skipped. */
async function librdkafkaPhases(bootstrap: string, brokerPid: number | undefined): Promise<PhaseResult[]> {
  process.stderr.write('librdkafka (python harness)\n');
  const phases = new LibrdkafkaPhases(LibrdkafkaPhases.scriptIn(findRepoRoot()), bootstrap);
  const out: PhaseResult[] = [];
  try {
    const produced = await phases.produce({ topic: 'librdkafka', count: RECORDS, size: 150, acks: 'all', lingerMs: 5, minSeconds: 0, brokerPid }, 300_000);
    if (produced.ok === false || produced.errors > 0) throw new Error(`produce failed: ${produced.error ?? produced.errorSamples.join('; ')}`);
    out.push({ name: 'produce librdkafka*', records: produced.records, seconds: produced.seconds, clientCpuUs: (produced.clientCpuSeconds ?? NaN) * 1e6, brokerCpuS: produced.brokerCpu?.all ?? null });
    const consumed = await phases.consume({ topic: 'librdkafka', partitions: PARTITIONS, expect: RECORDS, minSeconds: 0, brokerPid }, 300_000);
    if (consumed.ok === false || consumed.errors > 0) throw new Error(`consume failed: ${consumed.error ?? consumed.errorSamples.join('; ')}`);
    out.push({ name: 'consume librdkafka', records: consumed.records, seconds: consumed.seconds, clientCpuUs: (consumed.clientCpuSeconds ?? NaN) * 1e6, brokerCpuS: consumed.brokerCpu?.all ?? null });
  } catch (err) {
    process.stderr.write(`librdkafka phases skipped: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  return out;
}

function row(r: PhaseResult): string {
  const perRecord = r.clientCpuUs / r.records;
  const broker = r.brokerCpuS === null ? 'n/a' : ((r.brokerCpuS * 1e6) / r.records).toFixed(2);
  return `${r.name.padEnd(22)} ${String(r.records).padStart(9)} ${(r.records / r.seconds).toFixed(0).padStart(10)} ${r.seconds.toFixed(2).padStart(7)} ${perRecord.toFixed(2).padStart(12)} ${broker.padStart(12)}`;
}

async function main(): Promise<void> {
  const broker = await startBroker({ env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '1' } });
  try {
    const kafka = new Kafka({ clientId: 'kcb', brokers: [broker.bootstrap], logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();
    const topics = ['warm-kafkajs', 'warm-own', 'kafkajs', 'own', 'librdkafka'];
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })) });
    await admin.disconnect();
    const pool = recordPool();
    process.stderr.write(`warming up (${WARMUP} records per client)\n`);
    await kafkajsProduce(kafka, 'warm-kafkajs', WARMUP, pool);
    await ownProduce(broker.bootstrap, 'warm-own', WARMUP, pool);
    await kafkajsConsume(kafka, 'warm-kafkajs', WARMUP, undefined);
    await ownConsume(broker.bootstrap, 'warm-own', WARMUP, false);
    await ownConsume(broker.bootstrap, 'warm-own', WARMUP, true);

    const results: PhaseResult[] = [];
    process.stderr.write(`produce: ${RECORDS} records, ${PARTITIONS} partitions, sends of ${BATCH}, window ${WINDOW}\n`);
    results.push(await measure('produce kafkajs', RECORDS, broker.pid, () => kafkajsProduce(kafka, 'kafkajs', RECORDS, pool)));
    results.push(await measure('produce BatchProducer', RECORDS, broker.pid, () => ownProduce(broker.bootstrap, 'own', RECORDS, pool)));
    process.stderr.write('consume\n');
    results.push(await kafkajsConsume(kafka, 'kafkajs', RECORDS, broker.pid));
    results.push(await measure('consume PartitionReader', RECORDS, broker.pid, () => ownConsume(broker.bootstrap, 'kafkajs', RECORDS, false)));
    results.push(await measure('consume PR, copies', RECORDS, broker.pid, () => ownConsume(broker.bootstrap, 'kafkajs', RECORDS, true)));

    if (WITH_LIBRDKAFKA) results.push(...(await librdkafkaPhases(broker.bootstrap, broker.pid)));

    const out = [`${'phase'.padEnd(22)} ${'records'.padStart(9)} ${'records/s'.padStart(10)} ${'wall s'.padStart(7)} ${'client µs/rec'.padStart(12)} ${'broker µs/rec'.padStart(12)}`, ...results.map(row)];
    const ratio = (a: PhaseResult, b: PhaseResult): string =>
      `${(b.records / b.seconds / (a.records / a.seconds)).toFixed(2)}× records/s, ${(a.clientCpuUs / a.records / (b.clientCpuUs / b.records)).toFixed(2)}× less client CPU per record`;
    out.push('', `produce: BatchProducer vs kafkajs ${ratio(results[0], results[1])}`, `consume: PartitionReader vs kafkajs ${ratio(results[2], results[3])}`, `consume: PartitionReader copying vs kafkajs ${ratio(results[2], results[4])}`);
    if (results.length > 5) out.push('* librdkafka produce is not idempotent and has null keys (the harness is the broker bench\'s)');
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
