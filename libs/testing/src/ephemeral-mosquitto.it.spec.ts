import * as fs from 'node:fs';
import mqtt from 'mqtt';
import { startMosquitto, type EphemeralMosquitto } from './ephemeral-mosquitto';
import { canConnect } from './free-port';

jest.setTimeout(30_000);

describe('startMosquitto', () => {
  let broker: EphemeralMosquitto | undefined;

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('a private broker that queues QoS 1 messages for an offline persistent MQTT 5 session', async () => {
    broker = await startMosquitto();
    expect(broker.port).not.toBe(1883);
    const opts = { clientId: 'it-sub', clean: false, protocolVersion: 5 as const, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 0 };
    const sub = await mqtt.connectAsync(broker.url, opts);
    await sub.subscribeAsync('plant/#', { qos: 1 });
    await sub.endAsync();

    const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`plant/line-${i}`, `m${i}`, { qos: 1 });
    await pub.endAsync();

    const again = mqtt.connect(broker.url, { ...opts, manualConnect: true });
    const got: string[] = [];
    again.on('message', (_t, payload) => got.push(payload.toString()));
    const connack = new Promise<boolean>((resolve) => again.once('connect', (p) => resolve(p.sessionPresent)));
    again.connect();
    expect(await connack).toBe(true);
    for (let i = 0; i < 50 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    await again.endAsync();
    expect(got.sort()).toEqual(['m0', 'm1', 'm2']);
  });

  it('persistence saves its database in the directory (whatever account mosquitto runs as)', async () => {
    broker = await startMosquitto({ keepDataDir: true });
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'it-saved', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 0 });
    await sub.subscribeAsync('plant/#', { qos: 1 });
    await sub.endAsync();
    await broker.stop();
    const saved = fs.existsSync(`${broker.dataDir}/mosquitto.db`);
    fs.rmSync(broker.dataDir, { recursive: true, force: true });
    expect(saved).toBe(true);
  });

  it('stop() frees the port and removes the directory', async () => {
    broker = await startMosquitto();
    const { port, dataDir } = broker;
    await broker.stop();
    broker = undefined;
    expect(await canConnect('127.0.0.1', port)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
