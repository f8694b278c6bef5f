import { createServer, type Server, type Socket } from 'node:net';
import { startBroker, startConnect, startMariaDb, type BrokerProcess, type ConnectProcess, type EphemeralMariaDb } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { createConnection } from 'mysql2/promise';
import { ConnectRest, waitFor, type RestResponse } from './support/connect-rest';
import { PLAIN_CONVERTERS } from './support/connect-worker';
import { makeKafka, topicEndOffset } from './support/kafka';

/**
 * A herder that never blocks: with one connector whose database accepts TCP but never
 * answers and one with a wrong password (both retrying), creating, pausing and resuming
 * other connectors answer within a second, a paused source produces nothing after its
 * pause returned, and after a worker restart the healthy connectors run long before the
 * broken ones gave up.
 */
describe('herder isolation from broken connectors', () => {
  let broker: BrokerProcess;
  let maria: EphemeralMariaDb;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [broker, maria] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startMariaDb()]);
    const admin = await createConnection({ host: maria.host, port: maria.port, user: maria.user, password: maria.password });
    await admin.query(`CREATE USER 'app'@'%' IDENTIFIED BY 'right-password'`);
    await admin.query(`GRANT ALL ON *.* TO 'app'@'%'`);
    await admin.end();
    // accepts connections, never says a word
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    connect = await startConnect({ bootstrap: broker.bootstrap, env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true' } });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
  });
  afterAll(async () => {
    await connect?.stop();
    for (const s of sockets) s.destroy();
    silent?.close();
    await Promise.all([broker?.stop(), maria?.stop()]);
  });

  /** A REST call that must answer within a second. */
  const quick = async (method: string, path: string, body?: unknown): Promise<RestResponse> => {
    const started = Date.now();
    const r = await rest.call(method, path, body);
    const took = Date.now() - started;
    if (took >= 1_000) throw new Error(`${method} ${path} took ${took} ms`);
    return r;
  };

  const topicEnd = (topic: string): Promise<number> => topicEndOffset(kafka, topic);

  const fake = (topic: string) => ({ 'connector.class': 'FakeSource', topic, 'tasks.max': '1', 'fake.records.per.read': '5', 'fake.poll.interval.ms': '50', ...PLAIN_CONVERTERS });

  test('creating, pausing and resuming answer within 1 s while two connectors retry dead databases', async () => {
    const silentPort = (silent.address() as { port: number }).port;
    const jdbc = { 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', mode: 'bulk', 'topic.prefix': 'broken-', 'connection.attempts': '1000', 'connection.backoff.ms': '500' };
    expect((await quick('POST', '/connectors', { name: 'silent-db', config: { ...jdbc, 'connection.url': `jdbc:postgresql://127.0.0.1:${silentPort}/nothing?user=x` } })).status).toBe(201);
    expect(
      (
        await quick('POST', '/connectors', {
          name: 'wrong-password',
          config: { ...jdbc, 'connection.url': `jdbc:mysql://${maria.host}:${maria.port}/${maria.database}`, 'connection.user': 'app', 'connection.password': 'wrong-password' },
        })
      ).status,
    ).toBe(201);
    // the broken ones are busy retrying
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect((await quick('POST', '/connectors', { name: 'healthy', config: fake('healthy-topic') })).status).toBe(201);
    await rest.waitForState('healthy', 'RUNNING', 1, 10_000);
    await waitFor('healthy produces', async () => (await topicEnd('healthy-topic')) > 0);

    expect((await quick('PUT', '/connectors/healthy/pause')).status).toBe(202);
    const endAtPause = await topicEnd('healthy-topic');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await topicEnd('healthy-topic')).toBe(endAtPause);
    expect((await quick('GET', '/connectors/healthy/status')).body).toMatchObject({ connector: { state: 'PAUSED' }, tasks: [{ state: 'PAUSED' }] });

    expect((await quick('PUT', '/connectors/healthy/resume')).status).toBe(202);
    await waitFor('healthy produces again after resume', async () => (await topicEnd('healthy-topic')) > endAtPause, 10_000);

    expect((await quick('POST', '/connectors', { name: 'healthy-2', config: fake('healthy-2-topic') })).status).toBe(201);
    expect((await quick('PUT', '/connectors/healthy-2/pause')).status).toBe(202);
    expect((await quick('PUT', '/connectors/healthy-2/resume')).status).toBe(202);
    await rest.waitForState('healthy-2', 'RUNNING', 1, 10_000);
    for (const name of ['silent-db', 'wrong-password', 'healthy', 'healthy-2']) expect((await quick('GET', `/connectors/${name}/status`)).status).toBe(200);
    expect((await rest.status('silent-db')).connector.state).not.toBe('RUNNING');
  }, 90_000);

  test('after a restart the healthy connectors run while the broken ones still retry', async () => {
    await connect.restart();
    const restartedAt = Date.now();
    await rest.waitForState('healthy', 'RUNNING', 1, 20_000);
    await rest.waitForState('healthy-2', 'RUNNING', 1, 20_000);
    // 1000 attempts 500 ms apart: the broken ones retry for minutes; the healthy ones did not wait for them
    expect(Date.now() - restartedAt).toBeLessThan(20_000);
    expect((await quick('POST', '/connectors', { name: 'healthy-3', config: fake('healthy-3-topic') })).status).toBe(201);
    await rest.waitForState('healthy-3', 'RUNNING', 1, 10_000);
  }, 90_000);
});
