import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getFreePort, startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { DataType } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';

/** The part of a server variable the test drives. */
interface UAVariable {
  setValueFromSource(value: { dataType: DataType; value: number }): void;
}
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readCommittedUntilIdle } from './support/kafka';

/**
 * The OPC UA source against an in-process node-opcua server (its PKI in a temp dir), the
 * broker and a connect worker:
 * 1. 50 variables change every 100 ms for 30 s: the topic holds one record for every
 *    value the server set, per variable, in order;
 * 2. the server restarts (same endpoint, values go on): the subscription comes back by
 *    itself and the new values arrive; a graceful connect restart does not write the
 *    last values again;
 * 3. bad input: an unknown node id and an unreachable endpoint fail the task naming them;
 *    invalid keys answer 400.
 */
const VARS = 50;
const PERIOD_MS = 100;
/** How long the server changes its variables: issue 15's 30 s (OPCUA_IT_RUN_MS to change it). */
const RUN_MS = Number(process.env.OPCUA_IT_RUN_MS ?? 30_000);

interface PlantServer {
  server: OPCUAServer;
  vars: UAVariable[];
}

describe('opcua-source', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let port: number;
  let pki: string;
  let plant: PlantServer | null = null;
  const values = new Array<number>(VARS).fill(0);

  async function startPlant(): Promise<PlantServer> {
    const cm = new OPCUACertificateManager({ rootFolder: path.join(pki, 'server'), automaticallyAcceptUnknownCertificate: true });
    const server = new OPCUAServer({ port, hostname: '127.0.0.1', allowAnonymous: true, serverCertificateManager: cm, userCertificateManager: cm, resourcePath: '/plant' });
    await server.initialize();
    const ns = server.engine.addressSpace!.getOwnNamespace();
    const line = ns.addFolder(server.engine.addressSpace!.rootFolder.objects, { browseName: 'Line1', nodeId: 's=Line1' });
    const vars = values.map((v, i) =>
      ns.addVariable({ componentOf: line, browseName: `Sensor${i}`, nodeId: `s=Line1.Sensor${i}`, dataType: 'Double', minimumSamplingInterval: 10, value: { dataType: DataType.Double, value: v } }),
    );
    await server.start();
    return { server, vars };
  }

  /** Sets every variable to its next value every PERIOD_MS for `ms`. */
  async function run(ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (let i = 0; i < VARS; i++) plant!.vars[i].setValueFromSource({ dataType: DataType.Double, value: ++values[i] });
      await new Promise((r) => setTimeout(r, PERIOD_MS));
    }
  }

  beforeAll(async () => {
    pki = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-opcua-it-'));
    port = await getFreePort('127.0.0.1');
    [broker, plant] = await Promise.all([startBroker({ env: { MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startPlant()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
  }, 120_000);

  afterAll(async () => {
    await connect?.stop();
    await plant?.server.shutdown();
    await broker?.stop();
    fs.rmSync(pki, { recursive: true, force: true });
  });

  const config = (extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'opcua-source',
    'opcua.endpoint.url': `opc.tcp://127.0.0.1:${port}/plant`,
    'opcua.pki.dir': path.join(pki, 'client'),
    'opcua.sampling.interval.ms': '20',
    'opcua.publishing.interval.ms': '200',
    'opcua.queue.size': '50',
    'kafka.topic': 'plant.line1',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  const taskState = async (name: string): Promise<{ state?: string; trace?: string }> => (await rest.status(name).catch(() => undefined))?.tasks[0] ?? {};

  /** Values per node id as they are in the topic, in topic order. */
  async function valuesInTopic(): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    const messages: KafkaMessage[] = await readCommittedUntilIdle(kafka, 'plant.line1', 2_000, 60_000);
    for (const m of messages) {
      const v = JSON.parse(m.value!.toString()) as { node_id: string; value: string; status_code: string; data_type: string };
      expect(m.key?.toString()).toBe(v.node_id);
      expect(v).toMatchObject({ status_code: 'Good', data_type: 'Double' });
      out.set(v.node_id, [...(out.get(v.node_id) ?? []), Number(v.value)]);
    }
    return out;
  }

  const upTo = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  test(`every change of ${VARS} variables over ${RUN_MS / 1000} s, a server restart, a connect restart`, async () => {
    const res = await rest.call('POST', '/connectors', { name: 'line1', config: config({ 'opcua.browse.root': 'ns=1;s=Line1' }) });
    expect(res.status).toBe(201);
    await waitFor('line1 runs', async () => (await taskState('line1')).state === 'RUNNING' || undefined, 60_000);
    await new Promise((r) => setTimeout(r, 1_000)); // the subscription's first publish (the current values)
    await run(RUN_MS);
    let seen = await waitFor('every value of the first run in Kafka', async () => {
      const s = await valuesInTopic();
      return [...s.values()].every((v) => v[v.length - 1] === values[0]) && s.size === VARS ? s : undefined;
    }, 60_000);
    for (let i = 0; i < VARS; i++) expect(seen.get(`ns=1;s=Line1.Sensor${i}`)).toEqual(upTo(0, values[i]));
    const beforeRestart = values[0];

    // The server goes away and comes back on the same endpoint; values go on from where they were.
    await plant!.server.shutdown();
    plant = await startPlant();
    await waitFor('the subscription is back (a new value arrives)', async () => {
      for (let i = 0; i < VARS; i++) plant!.vars[i].setValueFromSource({ dataType: DataType.Double, value: ++values[i] });
      const s = await valuesInTopic();
      return (s.get('ns=1;s=Line1.Sensor0') ?? []).some((v) => v > beforeRestart) || undefined;
    }, 90_000);
    const resumedAt = values[0];
    await run(3_000);
    seen = await waitFor('the values after the restart', async () => {
      const s = await valuesInTopic();
      return (s.get('ns=1;s=Line1.Sensor0') ?? []).includes(values[0]) ? s : undefined;
    }, 60_000);
    for (let i = 0; i < VARS; i++) {
      const after = seen.get(`ns=1;s=Line1.Sensor${i}`)!.filter((v) => v > resumedAt);
      expect(after).toEqual(upTo(resumedAt + 1, values[i]));
    }

    // A graceful connect restart: the current values are sent again by the new subscription and dropped as recorded.
    const before = (await valuesInTopic()).get('ns=1;s=Line1.Sensor7')!;
    await connect.restart();
    await waitFor('line1 runs again', async () => (await taskState('line1')).state === 'RUNNING' || undefined, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    plant!.vars[7].setValueFromSource({ dataType: DataType.Double, value: ++values[7] });
    const after = await waitFor('the next value after the restart', async () => {
      const s = (await valuesInTopic()).get('ns=1;s=Line1.Sensor7')!;
      return s.includes(values[7]) ? s : undefined;
    }, 60_000);
    expect(after).toEqual([...before, values[7]]);
  }, 300_000);

  test('bad input: unknown node id and unreachable endpoint fail the task saying so; bad keys answer 400', async () => {
    const unknown = await rest.call('POST', '/connectors', { name: 'ghost', config: config({ 'opcua.node.ids': 'ns=1;s=Line1.Sensor0,ns=1;s=NoSuchThing', 'kafka.topic': 'ghost' }) });
    expect(unknown.status).toBe(201);
    const trace = await waitFor('ghost fails', async () => ((await taskState('ghost')).state === 'FAILED' ? (await taskState('ghost')).trace : undefined), 60_000);
    expect(trace).toMatch(/unknown node ids: ns=1;s=NoSuchThing \(BadNodeIdUnknown\)/);

    const closed = await getFreePort('127.0.0.1');
    const silent = await rest.call('POST', '/connectors', {
      name: 'silent',
      config: config({ 'opcua.endpoint.url': `opc.tcp://127.0.0.1:${closed}`, 'opcua.node.ids': 'ns=1;i=1', 'opcua.connect.timeout.ms': '3000', 'opcua.username': 'op', 'opcua.password': 'pw-s3cret', 'kafka.topic': 'silent' }),
    });
    expect(silent.status).toBe(201);
    const silentTrace = await waitFor('silent fails', async () => ((await taskState('silent')).state === 'FAILED' ? (await taskState('silent')).trace : undefined), 60_000);
    expect(silentTrace).toMatch(new RegExp(`OPC UA connection \\(opc\\.tcp://127\\.0\\.0\\.1:${closed}\\) failed`));
    expect(silentTrace).not.toContain('pw-s3cret');

    const bad = await rest.call('POST', '/connectors', { name: 'bad', config: config({ 'opcua.node.ids': 'Line1.Sensor0', 'opcua.security.mode': 'Sign' }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/opcua\.node\.ids.*is not a node id/);
    const policy = await rest.call('POST', '/connectors', { name: 'bad', config: config({ 'opcua.node.ids': 'ns=1;i=5', 'opcua.security.mode': 'Sign' }) });
    expect(policy.status).toBe(400);
    expect(JSON.stringify(policy.body)).toMatch(/opcua\.security\.policy/);
  }, 180_000);
});
