import { startBroker, startConnect, startMosquitto, type BrokerProcess, type ConnectProcess, type EphemeralMosquitto } from '@millrace/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import mqtt, { type MqttClient } from 'mqtt';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readCommittedUntilIdle, topicEndOffset } from './support/kafka';
import { prng, seedFrom } from './support/seeded-random';

/**
 * The MQTT source against a real Mosquitto (persistence on), the broker and a connect
 * worker running sources exactly once:
 * 1. 20,000 QoS 1 JSON messages published (to two connectors) while connect is killed
 *    -9 three times at seeded moments: each topic holds every message; at least once, a
 *    message appears twice only when the MQTT broker redelivered it (header
 *    mqtt.duplicate=true on a copy), and how many is printed; with
 *    exactly.once.support=required none appears twice; keys, JSON fields and headers as
 *    configured. Acks are delayed after each commit (MILLRACE_MQTT_TEST_ACK_DELAY_MS) so
 *    that each kill leaves committed messages unacknowledged: redeliveries are certain,
 *    at-least-once duplicates > 0 and the exactly-once task drops > 0 redeliveries;
 * 2. bad input: invalid topic filters and option combinations answer 400 naming the key;
 *    an MQTT broker that does not answer fails the task saying so.
 */
/** Acknowledgements wait this long after each commit (fault injection), so every kill lands while committed messages are unacknowledged. */
const ACK_DELAY_MS = 1000;

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
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_MQTT_TEST_ACK_DELAY_MS: String(ACK_DELAY_MS) } });
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

  /** Every copy in Kafka by `seq`, after waiting until each of the N is there. */
  async function copiesIn(topic: string, n: number): Promise<Map<number, KafkaMessage[]>> {
    let messages: KafkaMessage[] = [];
    await waitFor(`every message in ${topic}`, async () => {
      messages = await readCommittedUntilIdle(kafka, topic, 3_000, 60_000);
      return new Set(messages.map(seqOf)).size >= n || undefined;
    }, 120_000);
    const copies = new Map<number, KafkaMessage[]>();
    for (const m of messages) copies.set(seqOf(m), [...(copies.get(seqOf(m)) ?? []), m]);
    return copies;
  }
  const seqOf = (m: KafkaMessage): number => (JSON.parse(m.value!.toString()) as { seq: number }).seq;

  test('20,000 QoS 1 messages with connect killed -9 three times: all in Kafka; duplicates only where MQTT redelivered, none with exactly.once.support=required', async () => {
    const random = prng(seedFrom('MILLRACE_MQTT_SEED', 'mqtt-source: kill moments'));
    const N = 20_000;
    const CHUNK = 500;
    const chunks = N / CHUNK;
    const kills = new Set<number>();
    while (kills.size < 3) kills.add(2 + Math.floor(random() * (chunks - 6)));

    // the same stream into two connectors: "plant" exactly once (redeliveries deduped), "plant-alo" at least once
    const variants = [
      { name: 'plant', prefix: 'plant', topic: 'mes.telemetry', extra: { 'exactly.once.support': 'required' } },
      { name: 'plant-alo', prefix: 'alo', topic: 'mes.telemetry.alo', extra: {} as Record<string, string> },
    ];
    const t0 = Date.now();
    for (const v of variants) {
      const res = await rest.call('POST', '/connectors', {
        name: v.name,
        config: mqttConfig({
          'mqtt.topics': `${v.prefix}/+/telemetry`,
          'mqtt.qos': '1',
          'kafka.topic': v.topic,
          'mqtt.key.source': 'json:machine',
          'mqtt.payload.format': 'json',
          ...v.extra,
        }),
      });
      expect(res.status).toBe(201);
    }
    const allRunning = (): Promise<unknown> => Promise.all(variants.map((v) => waitTaskRunning(v.name)));
    await allRunning();

    const killedAt: number[] = [];
    let restarting: Promise<void> | null = null;
    const ends = (): Promise<number[]> => Promise.all(variants.map((v) => topicEndOffset(kafka, v.topic)));
    for (let c = 0; c < chunks; c++) {
      const killNow = kills.has(c);
      let before: number[] = [];
      if (killNow) {
        // each kill hits running tasks (the previous restart finished)
        await restarting;
        await allRunning();
        before = await ends();
      }
      const sends: Promise<unknown>[] = [];
      for (let i = c * CHUNK; i < (c + 1) * CHUNK; i++) {
        const line = i % 4;
        const payload = JSON.stringify({ seq: i, machine: `m-${line}`, temp: 20 + (i % 100) / 10, ok: i % 7 !== 0 });
        for (const v of variants) sends.push(publisher.publishAsync(`${v.prefix}/line-${line}/telemetry`, payload, { qos: 1 }));
      }
      if (killNow) {
        // mid-stream: once both tasks wrote part of this chunk (their acks still held back), kill -9
        await waitFor('both tasks writing', async () => (await ends()).every((e, i) => e > before[i]) || undefined, 60_000);
        await new Promise((r) => setTimeout(r, ACK_DELAY_MS / 2)); // their transactions commit; the acks wait ACK_DELAY_MS
        await connect.kill();
        killedAt.push(c * CHUNK);
        // publishing goes on while connect is down: the persistent sessions queue it
        restarting = connect.restart();
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, 50));
    }
    await restarting;
    await allRunning();

    const published = Date.now();
    const [exact, atLeastOnce] = await Promise.all(variants.map((v) => copiesIn(v.topic, N)));
    for (const copies of [exact, atLeastOnce]) {
      expect(copies.size).toBe(N);
      for (let i = 0; i < N; i++) expect(copies.has(i)).toBe(true);
    }
    // at least once: a second copy exists only because the MQTT broker delivered the message again
    const doubled = [...atLeastOnce.entries()].filter(([, ms]) => ms.length > 1);
    for (const [seq, ms] of doubled) {
      if (!ms.some((m) => header(m, 'mqtt.duplicate') === 'true')) throw new Error(`seq ${seq} is in Kafka ${ms.length} times without a redelivery`);
    }
    // exactly once: the committed offsets named the redelivered messages, none was written twice
    const exactDoubled = [...exact.entries()].filter(([, ms]) => ms.length > 1).map(([seq]) => seq);
    const note = (await rest.status('plant')).tasks[0].trace ?? '';
    process.stdout.write(`mqtt-source: ${N} messages, killed at ${killedAt.join(', ')}; at least once: ${doubled.length} redelivered duplicates; exactly once: ${exactDoubled.length} duplicates (${note}); publishing with kills ${published - t0} ms, draining ${Date.now() - published} ms\n`);
    expect(exactDoubled).toEqual([]);
    expect(doubled.length).toBeGreaterThan(0);
    const dropped = Number(/(\d+) redeliveries of messages already in Kafka/.exec(note)?.[1] ?? 0);
    expect(dropped).toBeGreaterThan(0);

    const sample = exact.get(4242)![0];
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
