import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getFreePort, startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import { DataType, MessageSecurityMode, SecurityPolicy } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { ConnectRest, waitFor } from './support/connect-rest';
import { makeKafka, readAll } from './support/kafka';

/** The part of a server variable the test drives. */
interface UAVariable {
  setValueFromSource(value: { dataType: DataType; value: number }): void;
}

/** A session the server activated, as the server saw it. */
interface SeenSession {
  user: string | undefined;
  mode: string;
  policy: string;
}

/**
 * The OPC UA source against an in-process node-opcua server that offers only signed
 * channels (Sign and SignAndEncrypt with Basic256Sha256) and only user/password logins,
 * the broker and a connect worker:
 * 1. a connector with Sign and one with SignAndEncrypt, each logging in as its own user:
 *    the server saw each session with that mode, policy and user, and each topic holds
 *    every value of the variable, keyed by node id;
 * 2. an absolute deadband of 1.0: the changes within 1.0 of the last reported value are
 *    not recorded, the larger ones are; a connector without deadband on the same
 *    variable records every change (so the filtering is the deadband's);
 * 3. a wrong password fails the task naming the rejected identity, without the password.
 */
const PASSWORD = 'Opc-Pa55-w0rd';
const WRONG_PASSWORD = 'Wr0ng-Opc-Pa55';
const USERS = new Set(['sign-op', 'encrypt-op', 'deadband-op']);
/** Level's values after its initial 0: steps within the deadband of 1.0 from the last reported value, and larger ones. */
const LEVEL_STEPS = [0.3, 0.6, 0.9, 5, 5.4, 5.8, 10, 10.5, 20];
const LEVEL_REPORTED = [0, 5, 10, 20];
const COUNTER_LAST = 10;

describe('opcua-source security, login and deadband', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let rest: ConnectRest;
  let kafka: Kafka;
  let port: number;
  let pki: string;
  let server: OPCUAServer;
  let counter: UAVariable;
  let level: UAVariable;
  const sessions: SeenSession[] = [];

  async function startServer(): Promise<void> {
    const cm = new OPCUACertificateManager({ rootFolder: path.join(pki, 'server'), automaticallyAcceptUnknownCertificate: true });
    server = new OPCUAServer({
      port,
      hostname: '127.0.0.1',
      resourcePath: '/secure',
      serverCertificateManager: cm,
      userCertificateManager: cm,
      securityModes: [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      securityPolicies: [SecurityPolicy.Basic256Sha256],
      allowAnonymous: false,
      userManager: { isValidUser: (user: string, password: string) => USERS.has(user) && password === PASSWORD },
    });
    await server.initialize();
    const ns = server.engine.addressSpace!.getOwnNamespace();
    const objects = server.engine.addressSpace!.rootFolder.objects;
    const variable = (name: string): UAVariable =>
      ns.addVariable({ organizedBy: objects, browseName: name, nodeId: `s=${name}`, dataType: 'Double', minimumSamplingInterval: 10, value: { dataType: DataType.Double, value: 0 } });
    counter = variable('Counter');
    level = variable('Level');
    server.on('session_activated', (session) => {
      const token = session.userIdentityToken as { userName?: string } | undefined;
      sessions.push({ user: token?.userName, mode: MessageSecurityMode[session.channel?.securityMode ?? MessageSecurityMode.Invalid], policy: String(session.channel?.securityPolicy) });
    });
    await server.start();
  }

  beforeAll(async () => {
    pki = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-opcua-sec-it-'));
    port = await getFreePort('127.0.0.1');
    [broker] = await Promise.all([startBroker({ env: { MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }), startServer()]);
    connect = await startConnect({ bootstrap: broker.bootstrap, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    rest = new ConnectRest(connect.url);
    kafka = makeKafka(broker.bootstrap);
  }, 120_000);

  afterAll(async () => {
    await connect?.stop();
    await server?.shutdown();
    await broker?.stop();
    fs.rmSync(pki, { recursive: true, force: true });
  });

  const config = (name: string, extra: Record<string, string>): Record<string, string> => ({
    'connector.class': 'opcua-source',
    'opcua.endpoint.url': `opc.tcp://127.0.0.1:${port}/secure`,
    'opcua.pki.dir': path.join(pki, `client-${name}`),
    'opcua.security.mode': 'SignAndEncrypt',
    'opcua.security.policy': 'Basic256Sha256',
    'opcua.password': PASSWORD,
    'opcua.sampling.interval.ms': '20',
    'opcua.publishing.interval.ms': '100',
    'opcua.connect.timeout.ms': '20000',
    'kafka.topic': `opc.${name}`,
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  const task = async (name: string): Promise<{ state?: string; trace?: string }> => (await rest.status(name).catch(() => undefined))?.tasks[0] ?? {};

  /** The values in a topic, in order, after checking each record's key and status. */
  async function valuesOf(topic: string, nodeId: string): Promise<number[]> {
    return (await readAll(kafka, topic)).map((m) => {
      const v = JSON.parse(m.value!.toString()) as { node_id: string; value: string; status_code: string };
      expect(m.key?.toString()).toBe(nodeId);
      expect(v).toMatchObject({ node_id: nodeId, status_code: 'Good' });
      return Number(v.value);
    });
  }

  test('Sign and SignAndEncrypt with Basic256Sha256 and a user login; an absolute deadband filters the small changes only', async () => {
    const connectors: Record<string, Record<string, string>> = {
      sign: { 'opcua.security.mode': 'Sign', 'opcua.username': 'sign-op', 'opcua.node.ids': 'ns=1;s=Counter' },
      encrypt: { 'opcua.username': 'encrypt-op', 'opcua.node.ids': 'ns=1;s=Counter' },
      deadband: { 'opcua.username': 'deadband-op', 'opcua.node.ids': 'ns=1;s=Level', 'opcua.deadband.type': 'Absolute', 'opcua.deadband.value': '1.0' },
      level: { 'opcua.username': 'deadband-op', 'opcua.node.ids': 'ns=1;s=Level' },
    };
    for (const [name, extra] of Object.entries(connectors)) expect((await rest.call('POST', '/connectors', { name, config: config(name, extra) })).status).toBe(201);
    for (const name of Object.keys(connectors)) await rest.waitForState(name, 'RUNNING', 1, 60_000);
    // the subscriptions' first publish (the current values) before anything changes
    await waitFor('the initial values', async () => {
      const counts = await Promise.all(Object.keys(connectors).map(async (n) => (await readAll(kafka, `opc.${n}`).catch(() => [])).length));
      if (counts.some((c) => c === 0)) throw new Error(`records per topic: ${counts.join(', ')}; tasks: ${JSON.stringify(await Promise.all(Object.keys(connectors).map(task)))}`);
      return true;
    }, 30_000);

    for (let i = 0; i < Math.max(COUNTER_LAST, LEVEL_STEPS.length); i++) {
      if (i < COUNTER_LAST) counter.setValueFromSource({ dataType: DataType.Double, value: i + 1 });
      if (i < LEVEL_STEPS.length) level.setValueFromSource({ dataType: DataType.Double, value: LEVEL_STEPS[i] });
      await new Promise((r) => setTimeout(r, 300));
    }

    const all = Array.from({ length: COUNTER_LAST + 1 }, (_, i) => i);
    for (const name of ['sign', 'encrypt']) {
      await waitFor(`every Counter value in opc.${name}`, async () => (await valuesOf(`opc.${name}`, 'ns=1;s=Counter')).includes(COUNTER_LAST) || undefined, 30_000);
      expect(await valuesOf(`opc.${name}`, 'ns=1;s=Counter')).toEqual(all);
    }
    await waitFor('the last Level value', async () => (await valuesOf('opc.level', 'ns=1;s=Level')).includes(20) && (await valuesOf('opc.deadband', 'ns=1;s=Level')).includes(20) || undefined, 30_000);
    expect(await valuesOf('opc.level', 'ns=1;s=Level')).toEqual([0, ...LEVEL_STEPS]);
    expect(await valuesOf('opc.deadband', 'ns=1;s=Level')).toEqual(LEVEL_REPORTED);

    // the server's view: each connector's session ran with its security mode and user
    const seen = (user: string): SeenSession[] => sessions.filter((s) => s.user === user);
    expect(seen('sign-op').length).toBeGreaterThan(0);
    for (const s of seen('sign-op')) expect(s).toEqual({ user: 'sign-op', mode: 'Sign', policy: SecurityPolicy.Basic256Sha256 });
    expect(seen('encrypt-op').length).toBeGreaterThan(0);
    for (const s of [...seen('encrypt-op'), ...seen('deadband-op')]) expect(s).toMatchObject({ mode: 'SignAndEncrypt', policy: SecurityPolicy.Basic256Sha256 });
  }, 90_000);

  test('a wrong password fails the task naming the rejected identity, without the password', async () => {
    expect((await rest.call('POST', '/connectors', { name: 'wrong-pw', config: config('wrong-pw', { 'opcua.username': 'sign-op', 'opcua.password': WRONG_PASSWORD, 'opcua.node.ids': 'ns=1;s=Counter' }) })).status).toBe(201);
    const trace = await waitFor('wrong-pw fails', async () => {
      const t = await task('wrong-pw');
      return t.state === 'FAILED' ? (t.trace ?? '') : undefined;
    }, 60_000);
    expect(trace).toMatch(/OPC UA session \(opc\.tcp:\/\/127\.0\.0\.1:\d+\/secure\) failed: .*(BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid)/s);
    expect(trace).not.toContain(WRONG_PASSWORD);
    expect(trace).not.toContain(PASSWORD);
    // the server activated no session for it (wrong-pw logs in as sign-op over SignAndEncrypt; the "sign" connector uses Sign)
    expect(sessions.filter((s) => s.user === 'sign-op' && s.mode !== 'Sign')).toEqual([]);
  }, 60_000);
});
