import { startBroker, startConnect, startMosquitto, type BrokerProcess, type ConnectProcess, type EphemeralMosquitto } from '@millrace/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import mqtt, { type MqttClient } from 'mqtt';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readCommittedUntilIdle } from './support/kafka';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The MQTT source against a real Mosquitto (persistence on), the broker and a connect
 * worker running sources exactly once:
 * 1. 20,000 QoS 1 JSON messages published while connect is killed -9 three times at
 *    seeded moments: the topic holds every message; a message appears twice only when
 *    the MQTT broker redelivered it (header mqtt.duplicate=true on a copy), and how many
 *    is printed; keys, JSON fields and headers as configured;
 * 2. bad input: invalid topic filters and option combinations answer 400 naming the key;
 *    an MQTT broker that does not answer fails the task saying so.
 */
describe('mqtt-source', () => {
  let broker: BrokerProcess;
  let mosquitto: EphemeralMosquitto;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let publisher: MqttClient;

  beforeAll(async () => {
    [broker, mosquitto] = await Promise.all([
      startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }),
      startMosquitto(),
    ]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled' } });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
    publisher = await mqtt.connectAsync(mosquitto.url, { clientId: 'it-publisher', protocolVersion: 5, reconnectPeriod: 0 });
  }, 120_000);

  afterAll(async () => {
    await publisher?.endAsync().catch(() => undefined);
    await connect?.stop();
    await Promise.all([broker?.stop(), mosquitto?.stop()]);
  });

  const mqttConfig = (extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'mqtt-source',
    'mqtt.server.uri': `tcp://127.0.0.1:${mosquitto.port}`,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  async function waitTaskRunning(name: string): Promise<void> {
    await waitFor(`${name} runs`, async () => {
      const s = await rest.status(name).catch(() => undefined);
      if (s?.tasks[0]?.state === 'FAILED') throw new Error(`${name} failed: ${s.tasks[0].trace}`);
      return s?.tasks[0]?.state === 'RUNNING';
    }, 60_000);
  }

  const header = (m: KafkaMessage, key: string): string | undefined => m.headers?.[key]?.toString();

  test('20,000 QoS 1 messages with connect killed -9 three times: all in Kafka, duplicates only where MQTT redelivered', async () => {
    const random = prng(seedFrom('MILLRACE_MQTT_SEED', 'mqtt-source: kill moments'));
    const N = 20_000;
    const CHUNK = 500;
    const chunks = N / CHUNK;
    const kills = new Set<number>();
    while (kills.size < 3) kills.add(2 + Math.floor(random() * (chunks - 6)));

    const res = await rest.call('POST', '/connectors', {
      name: 'plant',
      config: mqttConfig({
        'mqtt.topics': 'plant/+/telemetry',
        'mqtt.qos': '1',
        'kafka.topic': 'mes.telemetry',
        'mqtt.key.source': 'json:machine',
        'mqtt.payload.format': 'json',
        'exactly.once.support': 'required',
      }),
    });
    expect(res.status).toBe(201);
    await waitTaskRunning('plant');

    const killedAt: number[] = [];
    let restarting: Promise<void> | null = null;
    for (let c = 0; c < chunks; c++) {
      if (kills.has(c)) {
        // each kill hits a running task (the previous restart finished)
        await restarting;
        await waitTaskRunning('plant');
        await connect.kill();
        killedAt.push(c * CHUNK);
        // publishing goes on while connect is down: the persistent session queues it
        restarting = connect.restart();
      }
      const sends: Promise<unknown>[] = [];
      for (let i = c * CHUNK; i < (c + 1) * CHUNK; i++) {
        const line = i % 4;
        sends.push(publisher.publishAsync(`plant/line-${line}/telemetry`, JSON.stringify({ seq: i, machine: `m-${line}`, temp: 20 + (i % 100) / 10, ok: i % 7 !== 0 }), { qos: 1 }));
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, 50));
    }
    await restarting;
    await waitTaskRunning('plant');

    let messages: KafkaMessage[] = [];
    await waitFor('every message in Kafka', async () => {
      messages = await readCommittedUntilIdle(kafka, 'mes.telemetry', 3_000, 60_000);
      return new Set(messages.map((m) => (JSON.parse(m.value!.toString()) as { seq: number }).seq)).size >= N || undefined;
    }, 120_000);

    const copies = new Map<number, KafkaMessage[]>();
    for (const m of messages) {
      const seq = (JSON.parse(m.value!.toString()) as { seq: number }).seq;
      copies.set(seq, [...(copies.get(seq) ?? []), m]);
    }
    expect(copies.size).toBe(N);
    for (let i = 0; i < N; i++) expect(copies.has(i)).toBe(true);
    const doubled = [...copies.entries()].filter(([, ms]) => ms.length > 1);
    // a second copy exists only because the MQTT broker delivered the message again
    for (const [seq, ms] of doubled) {
      if (!ms.some((m) => header(m, 'mqtt.duplicate') === 'true')) throw new Error(`seq ${seq} is in Kafka ${ms.length} times without a redelivery`);
    }
    process.stdout.write(`mqtt-source: ${N} messages, killed at ${killedAt.join(', ')}; ${messages.length} records, ${doubled.length} redelivered duplicates\n`);

    const sample = messages.find((m) => (JSON.parse(m.value!.toString()) as { seq: number }).seq === 4242)!;
    expect(sample.key?.toString()).toBe('m-2');
    expect(JSON.parse(sample.value!.toString())).toEqual({ machine: 'm-2', ok: false, seq: 4242, temp: 24.2 });
    expect(header(sample, 'mqtt.topic')).toBe('plant/line-2/telemetry');
    expect(header(sample, 'mqtt.qos')).toBe('1');
  }, 300_000);

  test('bad input: 400 naming the key; an MQTT broker that does not answer fails the task saying so', async () => {
    const bad = async (extra: Record<string, string>): Promise<{ status: number; text: string }> => {
      const r = await rest.call('POST', '/connectors', { name: 'bad-mqtt', config: mqttConfig({ 'kafka.topic': 'x', ...extra }) });
      return { status: r.status, text: JSON.stringify(r.body) };
    };
    const filter = await bad({ 'mqtt.topics': 'plant/#/x' });
    expect(filter.status).toBe(400);
    expect(filter.text).toMatch(/mqtt\.topics.*plant\/#\/x.*# only as the whole last level/);
    const qos2 = await bad({ 'mqtt.topics': 'a', 'mqtt.qos': '2', 'mqtt.protocol.version': '4' });
    expect(qos2.status).toBe(400);
    expect(qos2.text).toMatch(/mqtt\.qos.*protocol\.version=5/);
    const uri = await bad({ 'mqtt.topics': 'a', 'mqtt.server.uri': 'http://x' });
    expect(uri.status).toBe(400);
    expect(uri.text).toMatch(/mqtt\.server\.uri/);
    const keyJson = await bad({ 'mqtt.topics': 'a', 'mqtt.key.source': 'json:id' });
    expect(keyJson.status).toBe(400);
    expect(keyJson.text).toMatch(/mqtt\.key\.source.*payload\.format=json/);

    const silent = await rest.call('POST', '/connectors', {
      name: 'silent-mqtt',
      config: mqttConfig({ 'mqtt.topics': 'a', 'kafka.topic': 'x', 'mqtt.server.uri': 'tcp://127.0.0.1:1', 'mqtt.connect.timeout.seconds': '2', 'mqtt.password': 's3cret-pw', 'mqtt.username': 'u' }),
    });
    expect(silent.status).toBe(201);
    const failed = await waitFor('the task fails', async () => {
      const s = await rest.status('silent-mqtt').catch(() => undefined);
      return s?.tasks[0]?.state === 'FAILED' ? s.tasks[0].trace : undefined;
    }, 60_000);
    expect(failed).toMatch(/MQTT connection to tcp:\/\/127\.0\.0\.1:1 as millrace-silent-mqtt-0 failed: connect ECONNREFUSED/);
    expect(failed).not.toContain('s3cret-pw');
  }, 120_000);
});
