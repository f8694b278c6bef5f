import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka } from './support/kafka';

/**
 * Alerts evaluated in-process (libs/alerts) reach a webhook and resolve, against a real
 * broker and connect worker whose rules run every 300 ms with `for` 600 ms and 2 s
 * windows (MILLRACE_ALERT_FOR_MS, MILLRACE_ALERT_WINDOW_MS):
 * - a connector task that fails -> MillraceConnectorTaskFailed firing from connect (also
 *   in GET /alerts), resolved once the connector is deleted;
 * - a consumer group whose lag grows past 1,000 records -> MillraceConsumerLagGrowing
 *   firing from the broker (also in GET /admin/alerts), resolved once it caught up.
 */
interface Hook {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: { summary: string } }>;
}

describe('alerts', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let server: http.Server;
  const hooks: Hook[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body) as Hook);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const alertEnv = { MILLRACE_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, MILLRACE_ALERT_EVALUATION_INTERVAL_MS: '300', MILLRACE_ALERT_FOR_MS: '600', MILLRACE_ALERT_WINDOW_MS: '2000' };
    broker = await startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', ...alertEnv } });
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}`, env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true', ...alertEnv } });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
  }, 120_000);

  afterAll(async () => {
    await connect?.stop();
    await broker?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const hook = (name: string, status: string, extra: (h: Hook['alerts'][0]) => boolean = () => true): Promise<Hook> =>
    waitFor(`${name} ${status} at the webhook`, async () => hooks.find((h) => h.status === status && h.alerts.some((a) => a.labels.alertname === name && extra(a))), 60_000);

  test('a failed task fires MillraceConnectorTaskFailed, deleting the connector resolves it', async () => {
    const res = await rest.call('POST', '/connectors', { name: 'doomed', config: { 'connector.class': 'FakeSource', topic: 'doomed', 'fake.fail.reads': '1000000' } });
    expect(res.status).toBe(201);
    const fired = await hook('MillraceConnectorTaskFailed', 'firing');
    expect(fired.alerts[0]).toMatchObject({ labels: { connector: 'doomed', task: '0', app: 'connect', severity: 'critical' }, annotations: { summary: 'Task doomed-0 failed' } });
    const active = (await (await fetch(`${connect.url}/alerts`)).json()) as Array<{ name: string; state: string }>;
    expect(active).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'MillraceConnectorTaskFailed', state: 'firing' })]));
    expect((await rest.call('DELETE', '/connectors/doomed')).status).toBe(204);
    await hook('MillraceConnectorTaskFailed', 'resolved', (a) => a.labels.connector === 'doomed');
  });

  test('a consumer lag growing past 1,000 records fires MillraceConsumerLagGrowing, catching up resolves it', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
    await admin.setOffsets({ groupId: 'slow-readers', topic: 'orders', partitions: [{ partition: 0, offset: '0' }] });
    const producer = kafka.producer();
    await producer.connect();
    // the lag grows while it is above the floor: three sends a second apart
    for (let i = 0; i < 3; i++) {
      await producer.send({ topic: 'orders', messages: Array.from({ length: 600 }, (_, k) => ({ value: `o-${i}-${k}` })) });
      await new Promise((r) => setTimeout(r, 1000));
    }
    const fired = await hook('MillraceConsumerLagGrowing', 'firing');
    expect(fired.alerts[0].labels).toMatchObject({ group: 'slow-readers', app: 'broker', severity: 'warning' });
    const active = (await (await fetch(`http://${broker.host}:${broker.httpPort}/admin/alerts`)).json()) as Array<{ name: string; labels: { group: string } }>;
    expect(active).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'MillraceConsumerLagGrowing', labels: expect.objectContaining({ group: 'slow-readers' }) })]));
    await admin.setOffsets({ groupId: 'slow-readers', topic: 'orders', partitions: [{ partition: 0, offset: '1800' }] });
    await hook('MillraceConsumerLagGrowing', 'resolved', (a) => a.labels.group === 'slow-readers');
    await producer.disconnect();
    await admin.disconnect();
  });
});
