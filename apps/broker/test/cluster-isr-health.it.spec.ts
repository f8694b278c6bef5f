import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { findRepoRoot, prng, retryUntil, runCommand, seedFrom, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';

jest.setTimeout(150_000);

interface Replication {
  brokers: Array<{ nodeId: number; host: string | null; port: number | null; alive: boolean; leaderOf: number; replicaOf: number }>;
  partitions: number;
  underReplicatedPartitions: number;
  offlinePartitions: number;
  underReplicated: Array<{ topic: string; partition: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }>;
  offline: Array<{ topic: string; partition: number }>;
}
interface ClusterAnswer {
  controllerId: number;
  replication: Replication;
}
interface TopicAnswer {
  partitions: Array<{ partition: number; leaderId: number; replicas: number[]; isr: number[]; offlineReplicas: number[]; underReplicated: boolean; offline: boolean }>;
}

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = findRepoRoot(__dirname);
const SHOTS = path.join(repoRoot, '.tmp', 'console-screenshots');
const BIN = path.join(repoRoot, 'bin', 'millrace.js');
const TOPIC = 'isr.health';

/**
 * ISR health through the admin layer (issue 16, cluster mode) on a 3-broker cluster with
 * a replication factor 3 topic: GET /admin/cluster and /admin/topics/{t} give leader,
 * replicas and ISR per partition, the under-replicated and offline partitions by name
 * and every broker with liveness; a broker (chosen by a seeded random) killed -9 makes
 * its partitions under-replicated — the API, /metrics, the CLI (`cluster status` exit 1,
 * `topic describe`) and the console overview (headless Chromium) say so — and after its
 * restart every partition is fully replicated again.
 */
describe('ISR health of a 3-broker cluster', () => {
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];
  let browser: Browser;
  let page: Page;
  /** A Kafka Connect REST stand-in with no connectors (the CLI's cluster status asks it too). */
  let connectStub: http.Server;
  let connectUrl: string;

  const get = async <T>(b: BrokerProcess, p: string): Promise<T> => {
    const r = await fetch(`http://${b.host}:${b.httpPort}${p}`);
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const ours = (r: Replication) => r.underReplicated.filter((p) => p.topic === TOPIC).map((p) => p.partition).sort();
  const cli = async (via: BrokerProcess, args: string[]): Promise<{ code: number | null; out: string }> => {
    const r = await runCommand(process.execPath, [BIN, ...args], {
      cwd: repoRoot,
      timeoutMs: 60_000,
      env: { MILLRACE_BOOTSTRAP: via.bootstrap, MILLRACE_ADMIN_URL: `http://${via.host}:${via.httpPort}`, MILLRACE_REGISTRY_URL: `http://${via.host}:${via.httpPort}`, MILLRACE_CONNECT_URL: connectUrl },
    });
    return { code: r.code, out: r.stdout.toString('utf8') };
  };

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'isr-health-test', sessionTimeoutMs: 4000, env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: '3000' } });
    brokers = cluster.brokers;
    await retryUntil('3 live brokers and a controller', async () => {
      const c = await get<ClusterAnswer>(brokers[0], '/admin/cluster');
      if (c.controllerId < 0 || c.replication.brokers.filter((b) => b.alive).length !== 3) throw new Error('not yet');
    }, { timeoutMs: 30_000 });
    connectStub = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/' ? JSON.stringify({ version: 'stub', kafka_cluster_id: 'isr-health-test' }) : '{}');
    });
    await new Promise<void>((resolve) => connectStub.listen(0, '127.0.0.1', resolve));
    connectUrl = `http://127.0.0.1:${(connectStub.address() as AddressInfo).port}`;
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    connectStub?.close();
  });

  test('a broker killed -9 makes its partitions under-replicated (API, metrics, CLI, console); back after its restart', async () => {
    const kafka = new Kafka({ clientId: 'isr-health-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    await retryUntil('fully replicated', async () => {
      const r = (await get<ClusterAnswer>(brokers[0], '/admin/cluster')).replication;
      if (r.underReplicatedPartitions !== 0 || r.offlinePartitions !== 0) throw new Error(JSON.stringify(r.underReplicated));
    }, { timeoutMs: 30_000 });
    const healthy = await get<TopicAnswer>(brokers[0], `/admin/topics/${TOPIC}`);
    for (const p of healthy.partitions) expect(p).toMatchObject({ replicas: expect.arrayContaining([1, 2, 3]), underReplicated: false, offline: false, offlineReplicas: [] });
    for (const p of healthy.partitions) expect(p.replicas).toContain(p.leaderId);

    const random = prng(seedFrom('MILLRACE_ISR_SEED', 'cluster-isr-health: victim'));
    const victim = brokers[Math.floor(random() * 3)];
    const witness = brokers.find((b) => b !== victim)!;
    await victim.kill();

    const degraded = await retryUntil('the partitions under-replicated, led by live brokers', async () => {
      const c = await get<ClusterAnswer>(witness, '/admin/cluster');
      const r = c.replication;
      if (ours(r).length !== 3 || r.offline.some((p) => p.topic === TOPIC) || c.controllerId === victim.nodeId || c.controllerId < 0) throw new Error(JSON.stringify(r));
      return c;
    }, { timeoutMs: 60_000 });
    const r = degraded.replication;
    // (internal topics with one replica on the victim, e.g. _schemas, are offline meanwhile: counted, named)
    expect(r.offlinePartitions).toBe(r.offline.length);
    expect(r.underReplicatedPartitions).toBeGreaterThanOrEqual(3);
    expect(ours(r)).toEqual([0, 1, 2]);
    for (const p of r.underReplicated) expect(p.offlineReplicas).toEqual([victim.nodeId]);
    expect(r.brokers.map((b) => [b.nodeId, b.alive])).toEqual([1, 2, 3].map((id) => [id, id !== victim.nodeId]));
    expect(r.brokers.find((b) => b.nodeId === victim.nodeId)).toMatchObject({ port: victim.kafkaPort, leaderOf: 0 });
    const described = await get<TopicAnswer>(witness, `/admin/topics/${TOPIC}`);
    for (const p of described.partitions) expect(p).toMatchObject({ underReplicated: true, offline: false, offlineReplicas: [victim.nodeId] });

    // the controller reports the cluster's count in /metrics
    const controller = brokers.find((b) => b.nodeId === degraded.controllerId)!;
    const metrics = await (await fetch(`http://${controller.host}:${controller.httpPort}/metrics`)).text();
    expect(Number(/^millrace_cluster_under_replicated_partitions (\d+)$/m.exec(metrics)?.[1])).toBe(r.underReplicatedPartitions);

    // the CLI: cluster status exits 1 naming the partitions; topic describe once the leaders shrank the ISR
    const status = await cli(witness, ['cluster', 'status']);
    expect(status.code).toBe(1);
    expect(status.out).toMatch(/^replicas\s+DEGRADED\s+\d+ partitions, \d+ under-replicated, \d+ offline; 2 of 3 broker\(s\) live$/m);
    for (const p of [0, 1, 2]) expect(status.out).toContain(`under-replicated  ${TOPIC}-${p}`);
    await retryUntil('topic describe shows the shrunk ISR', async () => {
      const d = await cli(witness, ['topic', 'describe', TOPIC]);
      if ((d.out.match(/UNDER-REPLICATED/g) ?? []).length !== 3) throw new Error(d.out);
    }, { timeoutMs: 30_000 });

    // the console's overview on a live broker
    await page.goto(`http://${witness.host}:${witness.httpPort}/console/#/`);
    const table = page.getByTestId('broker-table');
    await table.locator('tbody tr').nth(2).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(3);
    const victimRow = table.locator('tbody tr').nth(victim.nodeId - 1); // rows by node id 1..3
    expect(await victimRow.locator('td').first().textContent()).toBe(String(victim.nodeId));
    await victimRow.getByText('DOWN', { exact: true }).waitFor();
    expect(await table.getByText('DOWN', { exact: true }).count()).toBe(1);
    await page.getByTestId('under-replicated-count').getByText(String(r.underReplicatedPartitions), { exact: true }).waitFor();
    await page.getByTestId('unhealthy-partitions').getByRole('cell', { name: `${TOPIC}-0`, exact: true }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'overview-cluster-degraded.png'), fullPage: true });

    await victim.restart();
    await retryUntil('fully replicated again', async () => {
      const back = (await get<ClusterAnswer>(witness, '/admin/cluster')).replication;
      if (back.underReplicatedPartitions !== 0 || back.offlinePartitions !== 0 || back.brokers.some((b) => !b.alive)) throw new Error(JSON.stringify(back.underReplicated));
    }, { timeoutMs: 60_000 });
    await page.getByTestId('under-replicated-count').getByText('0', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await table.getByText('DOWN', { exact: true }).count()).toBe(0);
    const healthy2 = await cli(witness, ['cluster', 'status']);
    expect(healthy2.code).toBe(0);
    expect(healthy2.out).toMatch(/^replicas\s+UP\s+\d+ partitions, 0 under-replicated, 0 offline; 3 of 3 broker\(s\) live$/m);
  });
});
