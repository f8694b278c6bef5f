import mqtt, { type MqttClient } from 'mqtt';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, startConnect, startMosquitto, type BrokerProcess, type ConnectProcess, type EphemeralMosquitto } from '@millrace/testing';
import { envInt } from './env-int';
import { processCpuSeconds } from './process-cpu';
import { RssSampler } from './rss-sampler';

/**
 * MQTT source benchmark (issue 15): QoS 1 messages of ~200 B JSON from a Mosquitto into
 * Kafka, against a reference in the same run:
 *
 *   1. reference: a bare mqtt.js subscriber (persistent session, QoS 1, acknowledging at
 *      once) receives the messages: what one MQTT client gets out of this Mosquitto;
 *   2. Millrace: the mqtt-source connector (exactly-once source, JSON payload with an
 *      inferred schema, JSON converter) receives the same number of messages and commits
 *      them to a topic, each acknowledged to Mosquitto only after its commit.
 *
 * Each phase publishes MQTT_BENCH_MESSAGES (default 100,000) messages as fast as a QoS 1
 * publisher with 1,000 in flight can, and ends when the last message is received (1) or
 * committed in Kafka (2, read_committed end offset). Reports messages/s of both, the
 * ratio, connect CPU seconds and peak RSS. Progress goes to stderr, the table to stdout.
 *
 * Run:  npm run build && node -r ./scripts/register-paths.js dist/bench/mqtt-source-bench.js
 */
const N = envInt('MQTT_BENCH_MESSAGES', 100_000);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function payload(i: number): string {
  return JSON.stringify({ seq: i, machine: `press-${i % 16}`, line: `line-${i % 4}`, temp: 20 + (i % 100) / 10, pressure: 1000 + (i % 37), ok: i % 11 !== 0, note: 'x'.repeat(108) });
}

async function publishAll(url: string, topicOf: (i: number) => string): Promise<number> {
  const pub = await mqtt.connectAsync(url, { clientId: `bench-pub-${Date.now()}`, protocolVersion: 5, reconnectPeriod: 0 });
  const started = performance.now();
  const window = 1000;
  for (let i = 0; i < N; i += window) {
    const sends: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(N, i + window); k++) sends.push(pub.publishAsync(topicOf(k), payload(k), { qos: 1 }));
    await Promise.all(sends);
  }
  await pub.endAsync();
  return performance.now() - started;
}

async function reference(mosq: EphemeralMosquitto): Promise<number> {
  const sub: MqttClient = await mqtt.connectAsync(mosq.url, { clientId: 'bench-ref', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 600, receiveMaximum: 1000 }, reconnectPeriod: 0 });
  await sub.subscribeAsync('ref/+/telemetry', { qos: 1 });
  let got = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  let first = 0;
  sub.on('message', () => {
    if (got === 0) first = performance.now();
    if (++got === N) done();
  });
  const t0 = performance.now();
  await publishAll(mosq.url, (i) => `ref/line-${i % 4}/telemetry`);
  await all;
  const seconds = (performance.now() - Math.min(t0, first || t0)) / 1000;
  await sub.endAsync();
  return seconds;
}

async function committed(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

async function throughMillrace(mosq: EphemeralMosquitto, broker: BrokerProcess, connect: ConnectProcess): Promise<{ seconds: number; cpu: number | null }> {
  const res = await fetch(`${connect.url}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench-mqtt',
      config: {
        'connector.class': 'mqtt-source',
        'mqtt.server.uri': `tcp://127.0.0.1:${mosq.port}`,
        'mqtt.topics': 'plant/+/telemetry',
        'kafka.topic': 'bench.telemetry',
        'mqtt.payload.format': 'json',
        'mqtt.key.source': 'json:machine',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
    }),
  });
  if (res.status !== 201) throw new Error(`creating the connector: ${res.status} ${await res.text()}`);
  for (let i = 0; ; i++) {
    const s = (await (await fetch(`${connect.url}/connectors/bench-mqtt/status`)).json()) as { tasks?: Array<{ state: string; trace?: string }> };
    if (s.tasks?.[0]?.state === 'RUNNING') break;
    if (s.tasks?.[0]?.state === 'FAILED' || i > 600) throw new Error(`connector not running: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const cpu0 = connect.pid ? processCpuSeconds(connect.pid) : null;
  const t0 = performance.now();
  await publishAll(mosq.url, (i) => `plant/line-${i % 4}/telemetry`);
  // Transaction markers add to the end offset: wait for at least N, then for it to settle.
  while ((await committed(kafka, 'bench.telemetry')) < N) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = connect.pid ? processCpuSeconds(connect.pid) : null;
  return { seconds, cpu: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null };
}

async function main(): Promise<void> {
  log(`mqtt-source-bench: ${N} QoS 1 messages of ~${payload(0).length} B`);
  const [broker, mosq] = await Promise.all([startBroker({ env: { MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startMosquitto()]);
  let connect: ConnectProcess | undefined;
  try {
    log('reference: bare mqtt.js subscriber...');
    const refSeconds = await reference(mosq);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    const rss = new RssSampler(connect.pid!);
    rss.start();
    log('millrace: mqtt-source -> broker...');
    const m = await throughMillrace(mosq, broker, connect);
    const r = rss.stop();
    const rate = (s: number): string => Math.round(N / s).toLocaleString('en-US');
    process.stdout.write(
      [
        '| path | messages | seconds | messages/s | ratio to reference | connect CPU s | connect peak RSS |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        `| bare mqtt.js subscriber (reference) | ${N} | ${refSeconds.toFixed(2)} | ${rate(refSeconds)} | 1.00 | | |`,
        `| mqtt-source -> Kafka, committed | ${N} | ${m.seconds.toFixed(2)} | ${rate(m.seconds)} | ${(refSeconds / m.seconds).toFixed(2)} | ${m.cpu?.toFixed(1) ?? '?'} | ${r.peakBytes !== null ? `${Math.round(r.peakBytes / 2 ** 20)} MiB` : '?'} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await connect?.stop();
    await Promise.all([broker.stop(), mosq.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`mqtt-source-bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
