import type { Admin } from 'kafkajs';
import { prng, retryUntil, seedFrom, type BrokerProcess } from '@millrace/testing';
import {
  attachConnect,
  CLUSTER_ERP_LOG_DIR,
  clusterAdmin,
  leadersPerBroker,
  minInsyncReplicas,
  registerSchema,
  registryGet,
  startClusterAndDatabases,
  topicPlacement,
  type ClusterErpPipeline,
} from './support/cluster-erp';
import {
  createAndLoadErp,
  erpCounts,
  erpRowCount,
  erpSizesFor,
  insertAndUpdate,
  sinkConfig,
  sourceConfig,
  waitForCounts,
  waitForEqualDigests,
  warehouseCounts,
} from './support/erp-fixture';

jest.setTimeout(240_000);

/**
 * Issue 14's acceptance "Connect and the registry run against the 3-broker cluster; one
 * broker killed -9 mid-sync: the ERP -> warehouse pipeline finishes with source ==
 * warehouse".
 *
 * Three brokers (etcd), MariaDB ERP, Postgres warehouse; one connect worker bootstrapped
 * from all three brokers, exactly-once source (transactions) and the exactly-once JDBC
 * sink, Avro converters on the registry of a broker that does NOT lead `_schemas` (so its
 * writes go to another broker), failing over to the other brokers' registries. `_schemas` and connect's storage topics must be
 * replicated three times with min.insync.replicas 2. Mid-sync (a seeded fraction of the
 * rows in the warehouse) the broker leading the most partitions (seeded tie-break;
 * MILLRACE_CLUSTER_ERP_KILL_SEED replays) is killed -9; more ERP changes land while it
 * is down; it restarts; the warehouse ends equal to the ERP by count and by an
 * all-column checksum, and every registry serves the same schemas.
 */
describe('ERP to warehouse on a 3-broker cluster, one broker killed -9 mid-sync', () => {
  const sessionTimeoutMs = 4000;
  const sizes = erpSizesFor(40_000);
  let p: ClusterErpPipeline | undefined;
  let admin: Admin | undefined;
  let base: Awaited<ReturnType<typeof startClusterAndDatabases>> | undefined;

  beforeAll(async () => {
    base = await startClusterAndDatabases(sessionTimeoutMs);
    admin = clusterAdmin(base.cluster);
    await admin.connect();
  }, 150_000);

  afterAll(async () => {
    await admin?.disconnect().catch(() => undefined);
    if (p) await p.stop();
    else await base?.stopAll();
  });

  it('finishes with source == warehouse, internal topics replicated, schemas on every broker', async () => {
    const t0 = Date.now();
    const cluster = base!.cluster;
    const seed = seedFrom('MILLRACE_CLUSTER_ERP_KILL_SEED', 'cluster ERP kill');
    const random = prng(seed);

    // The registry of every broker created `_schemas` once the three were registered.
    const schemas = await topicPlacement(admin!, '_schemas');
    expect(schemas.replicas.sort()).toEqual([1, 2, 3]);
    expect(await minInsyncReplicas(admin!, '_schemas')).toBe('2');
    const registryBroker = cluster.brokers.find((b) => b.nodeId !== schemas.leader)!;

    // A write through a registry that does not lead `_schemas` is visible on every broker.
    const probeId = await registerSchema(registryBroker, 'probe-value', { type: 'record', name: 'Probe', fields: [{ name: 'a', type: 'int' }] });
    for (const b of cluster.brokers) {
      const got = await retryUntil(`schema ${probeId} on broker ${b.nodeId}`, async () => {
        const r = await registryGet(b, `/schemas/ids/${probeId}`);
        if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        return r.body as { schema: string };
      }, { timeoutMs: 10_000, intervalMs: 100 });
      expect(JSON.parse(got.schema)).toMatchObject({ name: 'Probe' });
    }

    p = await attachConnect(base!, registryBroker);
    for (const topic of ['connect-configs', 'connect-offsets', 'connect-status']) {
      const placement = await topicPlacement(admin!, topic);
      expect({ topic, replicas: placement.replicas.length }).toEqual({ topic, replicas: 3 });
      expect({ topic, minIsr: await minInsyncReplicas(admin!, topic) }).toEqual({ topic, minIsr: '2' });
    }
    // The source's topics, created up front: three replicas, acks=all needs two.
    await admin!.createTopics({
      waitForLeaders: true,
      topics: ['customers', 'orders', 'order_lines'].map((t) => ({ topic: `erp.${t}`, numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] })),
    });

    await createAndLoadErp(p.erp, sizes);
    const total = erpRowCount(sizes);
    const opts = { batchMaxRows: 500, pollIntervalMs: 200 };
    for (const [name, config] of [
      ['erp-source', { ...sourceConfig(p, opts), 'exactly.once.support': 'required' }],
      ['warehouse-sink', sinkConfig(p, opts)],
    ] as const) {
      const r = await p.rest.call('POST', '/connectors', { name, config });
      expect({ name, status: r.status, body: r.body }).toMatchObject({ name, status: 201 });
    }
    await p.rest.waitForState('erp-source', 'RUNNING', 1, 60_000);
    await p.rest.waitForState('warehouse-sink', 'RUNNING', 1, 60_000);

    // Mid-sync: a seeded 10-40 % of the rows are in the warehouse.
    const killAt = Math.floor(total * (0.1 + random() * 0.3));
    const seenAtKill = await retryUntil('the sync to pass the kill point', async () => {
      const c = await warehouseCounts(p!.warehouse);
      const n = c.customers + c.orders + c.order_lines;
      if (n < killAt) throw new Error(`${n} of ${killAt} rows`);
      return n;
    }, { timeoutMs: 90_000, intervalMs: 50 });
    const leaders = await leadersPerBroker(admin!);
    const most = Math.max(...leaders.values());
    const candidates = [...leaders].filter(([, n]) => n === most).map(([id]) => id).sort();
    const victimId = candidates[Math.floor(random() * candidates.length)];
    const victim = cluster.brokers.find((b) => b.nodeId === victimId)!;
    await victim.kill();
    process.stdout.write(`cluster-erp: killed broker ${victimId} (leading ${most} partitions of ${JSON.stringify([...leaders])}) at ${seenAtKill}/${total} rows; _schemas leader was ${schemas.leader}, registry on ${registryBroker.nodeId}\n`);
    expect(seenAtKill).toBeLessThan(total);

    // More changes while it is down, then it comes back after its lease expired.
    await insertAndUpdate(p.erp, 400, 400);
    await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs + Math.floor(random() * 2000)));
    await victim.restart();

    const source = await erpCounts(p.erp);
    try {
      await waitForCounts(p, 120_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}; warehouse ${JSON.stringify(await warehouseCounts(p.warehouse))}, topics ${JSON.stringify(await endOffsets(admin!))}; logs in ${CLUSTER_ERP_LOG_DIR}`);
    }
    expect(await warehouseCounts(p.warehouse)).toEqual(source);
    const digests = await waitForEqualDigests(p, 60_000);
    expect(Object.values(digests).reduce((n, d) => n + d.rows, 0)).toBe(total + 400);

    // Every broker's registry serves the same subjects (the converters' and the probe).
    const subjects = await Promise.all(cluster.brokers.map((b) => subjectsOf(b)));
    expect(subjects[0]).toEqual(expect.arrayContaining(['probe-value', 'erp.customers-value', 'erp.orders-value', 'erp.order_lines-value']));
    expect(subjects[1]).toEqual(subjects[0]);
    expect(subjects[2]).toEqual(subjects[0]);
    process.stdout.write(`cluster-erp: ${total + 400} rows equal on both sides ${JSON.stringify(digests)} in ${Date.now() - t0} ms\n`);
  });
});

/** The registry's subject list on a broker, once it answers (a restarted broker loads `_schemas` first). */
async function subjectsOf(b: BrokerProcess): Promise<string[]> {
  return retryUntil(`subjects on broker ${b.nodeId}`, async () => {
    const r = await registryGet(b, '/subjects');
    if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as string[]).sort();
  }, { timeoutMs: 30_000, intervalMs: 200 });
}

/** High watermarks of the erp.* topics, per partition (for a failure message). */
async function endOffsets(admin: Admin): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['erp.customers', 'erp.orders', 'erp.order_lines']) {
    const offsets = await admin.fetchTopicOffsets(t).catch(() => []);
    out[t] = offsets.map((o) => o.high).join(',');
  }
  return out;
}
