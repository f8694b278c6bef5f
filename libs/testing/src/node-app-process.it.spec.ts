import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BROKER_ENTRY, startBroker, type BrokerProcess } from './broker-process';
import { CONNECT_ENTRY, startConnect } from './connect-process';
import { canConnect } from './free-port';
import { httpGetStatus } from './http-probe';
import { isProcessAlive } from './process-alive';

jest.setTimeout(60_000);

/*
 * The real apps are not necessarily built, so these tests run startBroker/startConnect
 * against a throw-away "repository" whose dist/ holds small stand-in apps honouring the
 * same environment contract. They prove the process handling, not the apps.
 */
const FAKE_BROKER = `
const fs = require('fs'), net = require('net'), http = require('http'), path = require('path');
const e = process.env;
const starts = path.join(e.MILLRACE_DATA_DIR, 'starts');
fs.appendFileSync(starts, 'x');
if (e.FAKE_FAIL) { console.error('fake broker: refusing to start'); process.exit(3); }
const kafka = net.createServer((s) => s.end()).listen(Number(e.MILLRACE_KAFKA_PORT), e.MILLRACE_HOST);
const web = http.createServer((req, res) => { res.statusCode = req.url === '/health' ? 200 : 404; res.end(); });
setTimeout(() => web.listen(Number(e.MILLRACE_HTTP_PORT), e.MILLRACE_HOST, () =>
  console.log('fake broker node ' + e.MILLRACE_NODE_ID + ' up, start #' + fs.readFileSync(starts, 'utf8').length)), 200);
process.on('SIGTERM', () => { console.log('fake broker: SIGTERM'); kafka.close(); web.close(); process.exit(0); });
`;
const FAKE_CONNECT = `
const http = require('http'), e = process.env;
http.createServer((req, res) => res.end(JSON.stringify({ bootstrap: e.MILLRACE_BOOTSTRAP, registry: e.MILLRACE_REGISTRY_URL })))
  .listen(Number(e.MILLRACE_CONNECT_PORT), '127.0.0.1', () => console.log('fake connect up'));
process.on('SIGTERM', () => process.exit(0));
`;

describe('startBroker / startConnect (against stand-in apps)', () => {
  let repoRoot: string;
  let broker: BrokerProcess | undefined;

  beforeAll(() => {
    repoRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-fakerepo-'));
    fs.mkdirSync(path.join(repoRoot, 'scripts'));
    fs.writeFileSync(path.join(repoRoot, 'scripts', 'register-paths.js'), '');
    for (const [entry, source] of [[BROKER_ENTRY, FAKE_BROKER], [CONNECT_ENTRY, FAKE_CONNECT]]) {
      fs.mkdirSync(path.dirname(path.join(repoRoot, entry)), { recursive: true });
      fs.writeFileSync(path.join(repoRoot, entry), source);
    }
  });

  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  afterAll(() => fs.rmSync(repoRoot, { recursive: true, force: true }));

  it('waits for both ports, captures output, and stop() removes the temp data dir', async () => {
    const logFile = path.join(repoRoot, 'broker.log');
    broker = await startBroker({ repoRoot, nodeId: 4, logFile });
    expect(broker.bootstrap).toBe(`127.0.0.1:${broker.kafkaPort}`);
    expect(broker.kafkaPort).not.toBe(broker.httpPort);
    expect(await httpGetStatus(`http://127.0.0.1:${broker.httpPort}/health`)).toBe(200);
    expect(broker.logs()).toContain('fake broker node 4 up, start #1');
    const { dataDir } = broker;
    await broker.stop();
    expect(broker.logs()).toContain('fake broker: SIGTERM');
    expect(fs.readFileSync(logFile, 'utf8')).toContain('fake broker: SIGTERM');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('kill() really ends the process; restart() comes back on the same ports and data dir', async () => {
    broker = await startBroker({ repoRoot });
    const first = { pid: broker.pid as number, kafkaPort: broker.kafkaPort, httpPort: broker.httpPort, dataDir: broker.dataDir };
    await broker.kill();
    expect(isProcessAlive(first.pid)).toBe(false);
    expect(await canConnect('127.0.0.1', first.kafkaPort)).toBe(false);
    expect(await canConnect('127.0.0.1', first.httpPort)).toBe(false);
    expect(fs.existsSync(first.dataDir)).toBe(true);

    await broker.restart();
    expect(broker.pid).not.toBe(first.pid);
    expect({ kafkaPort: broker.kafkaPort, httpPort: broker.httpPort, dataDir: broker.dataDir }).toEqual({
      kafkaPort: first.kafkaPort,
      httpPort: first.httpPort,
      dataDir: first.dataDir,
    });
    expect(await canConnect('127.0.0.1', first.kafkaPort)).toBe(true);
    expect(broker.logs()).toContain('start #2');

    await broker.restart(); // graceful restart of a running broker
    expect(broker.logs()).toContain('fake broker: SIGTERM');
    expect(broker.logs()).toContain('start #3');
  });

  it('keeps a caller-supplied data dir and fails fast, with the output, when the app exits', async () => {
    const dataDir = path.join(repoRoot, 'own-data');
    const started = Date.now();
    await expect(startBroker({ repoRoot, dataDir, env: { FAKE_FAIL: '1' } })).rejects.toThrow(/exited \(code 3[\s\S]*refusing to start/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.existsSync(path.join(dataDir, 'starts'))).toBe(true);
  });

  it('starts connect with the bootstrap and registry it is given', async () => {
    const connect = await startConnect({ repoRoot, bootstrap: '127.0.0.1:1', registryUrl: 'http://127.0.0.1:2' });
    try {
      const body = await fetch(`${connect.url}/`).then((r) => r.json());
      expect(body).toEqual({ bootstrap: '127.0.0.1:1', registry: 'http://127.0.0.1:2' });
    } finally {
      await connect.stop();
    }
    expect(fs.existsSync(connect.dataDir)).toBe(false);
  });
});
