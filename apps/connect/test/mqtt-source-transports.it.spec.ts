import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTestCertificates, startBroker, startConnect, startMosquitto, type BrokerProcess, type ConnectProcess, type EphemeralMosquitto, type TestCertificates } from '@millrace/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import mqtt, { type MqttClient } from 'mqtt';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readAll } from './support/kafka';

/**
 * The MQTT source over every transport and login issue 15 names, against one real
 * Mosquitto with four extra listeners (TLS, mutual TLS, websockets, password file; the
 * certificates made by openssl at test time), one broker and one connect worker:
 * 1. one connector each for ssl:// with a CA file, mqtts:// with a client certificate,
 *    ws://, a user name and password, MQTT 3.1.1 and QoS 2: each topic holds every
 *    message published to it exactly once, keyed by its MQTT topic, with the QoS the
 *    subscription granted; MQTT 5 user properties become headers except over 3.1.1,
 *    which has none;
 * 2. the refusals: a wrong password, an untrusted server certificate and a mutual TLS
 *    listener without a client certificate each fail the task saying why, and no trace
 *    holds the password.
 */
const N = 40;
const PASSWORD = 'op-Pa55-w0rd';
const WRONG_PASSWORD = 'wr0ng-Pa55-w0rd';

describe('mqtt-source transports and logins', () => {
  let dir: string;
  let certs: TestCertificates;
  let broker: BrokerProcess;
  let mosquitto: EphemeralMosquitto;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let publisher: MqttClient;
  let ports: { tls: number; mtls: number; ws: number; auth: number };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-mqtt-tls-it-'));
    certs = await makeTestCertificates(dir);
    const server = { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile };
    [broker, mosquitto] = await Promise.all([
      startBroker({ env: { MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }),
      startMosquitto({ listeners: [{ tls: server }, { tls: { ...server, requireClientCertificate: true } }, { protocol: 'websockets' }, { users: { operator: PASSWORD } }] }),
    ]);
    const [tls, mtls, ws, auth] = mosquitto.listenerPorts;
    ports = { tls, mtls, ws, auth };
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
    publisher = await mqtt.connectAsync(mosquitto.url, { clientId: 'it-transport-publisher', protocolVersion: 5, reconnectPeriod: 0 });
  }, 120_000);

  afterAll(async () => {
    await publisher?.endAsync().catch(() => undefined);
    await connect?.stop();
    await Promise.all([broker?.stop(), mosquitto?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const mqttConfig = (name: string, extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'mqtt-source',
    'mqtt.server.uri': `tcp://127.0.0.1:${mosquitto.port}`,
    'mqtt.topics': `${name}/+/data`,
    'kafka.topic': `t.${name}`,
    'mqtt.payload.format': 'string',
    'mqtt.connect.timeout.seconds': '5',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    ...extra,
  });

  const task = async (name: string): Promise<{ state?: string; trace?: string }> => (await rest.status(name).catch(() => undefined))?.tasks[0] ?? {};
  const header = (m: KafkaMessage, key: string): string | undefined => m.headers?.[key]?.toString();

  test('ssl:// with a CA, mqtts:// with a client certificate, ws://, a login, MQTT 3.1.1 and QoS 2: every message once, keyed, with headers', async () => {
    const tls = { 'mqtt.ssl.ca.file': certs.caFile };
    const variants: { name: string; qos: 1 | 2; v5: boolean; extra: Record<string, string> }[] = [
      { name: 'tls', qos: 1, v5: true, extra: { 'mqtt.server.uri': `ssl://127.0.0.1:${ports.tls}`, ...tls } },
      { name: 'mtls', qos: 1, v5: true, extra: { 'mqtt.server.uri': `mqtts://127.0.0.1:${ports.mtls}`, ...tls, 'mqtt.ssl.cert.file': certs.clientCertFile, 'mqtt.ssl.key.file': certs.clientKeyFile } },
      { name: 'ws', qos: 1, v5: true, extra: { 'mqtt.server.uri': `ws://127.0.0.1:${ports.ws}/mqtt` } },
      { name: 'login', qos: 1, v5: true, extra: { 'mqtt.server.uri': `tcp://127.0.0.1:${ports.auth}`, 'mqtt.username': 'operator', 'mqtt.password': PASSWORD } },
      { name: 'v311', qos: 1, v5: false, extra: { 'mqtt.protocol.version': '4' } },
      { name: 'qos2', qos: 2, v5: true, extra: { 'mqtt.qos': '2' } },
    ];
    for (const v of variants) expect((await rest.call('POST', '/connectors', { name: v.name, config: mqttConfig(v.name, v.extra) })).status).toBe(201);
    for (const v of variants) await rest.waitForState(v.name, 'RUNNING', 1, 60_000);

    await Promise.all(
      variants.flatMap((v) =>
        Array.from({ length: N }, (_, i) => publisher.publishAsync(`${v.name}/m-${i % 3}/data`, `${v.name}-${i}`, { qos: v.qos, properties: { userProperties: { plant: 'north' } } })),
      ),
    );

    for (const v of variants) {
      await waitFor(`${N} records in t.${v.name}`, async () => (await readAll(kafka, `t.${v.name}`)).length >= N || undefined, 60_000);
    }
    for (const v of variants) {
      const records = await readAll(kafka, `t.${v.name}`);
      expect({ topic: v.name, count: records.length }).toEqual({ topic: v.name, count: N });
      expect(records.map((m) => m.value!.toString()).sort()).toEqual(Array.from({ length: N }, (_, i) => `${v.name}-${i}`).sort());
      for (const m of records) {
        const i = Number(m.value!.toString().slice(v.name.length + 1));
        expect(m.key?.toString()).toBe(`${v.name}/m-${i % 3}/data`);
        expect(header(m, 'mqtt.topic')).toBe(`${v.name}/m-${i % 3}/data`);
        expect(header(m, 'mqtt.qos')).toBe(String(v.qos));
        expect(header(m, 'mqtt.duplicate')).toBe('false');
        // user properties exist only in MQTT 5: a 3.1.1 session cannot carry them
        expect(header(m, 'plant')).toBe(v.v5 ? 'north' : undefined);
      }
    }
  }, 120_000);

  test('refusals: a wrong password, an untrusted server and a missing client certificate fail the task saying why, without the password', async () => {
    const refused: { name: string; extra: Record<string, string>; why: RegExp }[] = [
      { name: 'wrong-pw', extra: { 'mqtt.server.uri': `tcp://127.0.0.1:${ports.auth}`, 'mqtt.username': 'operator', 'mqtt.password': WRONG_PASSWORD }, why: /MQTT connection to tcp:\/\/127\.0\.0\.1:\d+ as millrace-wrong-pw-0 failed: Connection refused: (Not authorized|Bad User Name or Password)/ },
      { name: 'untrusted', extra: { 'mqtt.server.uri': `ssl://127.0.0.1:${ports.tls}` }, why: /MQTT connection to ssl:\/\/127\.0\.0\.1:\d+ as millrace-untrusted-0 failed: self[- ]signed certificate in certificate chain/ },
      {
        name: 'no-client-cert',
        extra: { 'mqtt.server.uri': `mqtts://127.0.0.1:${ports.mtls}`, 'mqtt.ssl.ca.file': certs.caFile, 'mqtt.username': 'operator', 'mqtt.password': PASSWORD },
        why: /MQTT connection to mqtts:\/\/127\.0\.0\.1:\d+ as millrace-no-client-cert-0 failed: /,
      },
    ];
    for (const r of refused) expect((await rest.call('POST', '/connectors', { name: r.name, config: mqttConfig(r.name, r.extra) })).status).toBe(201);
    for (const r of refused) {
      const trace = await waitFor(`${r.name} fails`, async () => {
        const t = await task(r.name);
        return t.state === 'FAILED' ? (t.trace ?? '') : undefined;
      }, 60_000);
      expect(trace).toMatch(r.why);
      expect(trace).not.toContain(WRONG_PASSWORD);
      expect(trace).not.toContain(PASSWORD);
    }
  }, 90_000);
});
