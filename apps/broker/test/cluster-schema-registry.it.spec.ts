import { MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { prng, retryUntil, seedFrom, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { awaitBrokers } from './support/cluster-kill';

jest.setTimeout(120_000);

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * Issue 14: the schema registry is one writer in a cluster. Registrations made at the
 * same moment through all three brokers get distinct ids (the brokers that do not lead
 * `_schemas` forward them to the one that does), every broker answers the same for every
 * id and subject, and after the leader is killed -9 (at a seeded random moment while
 * registrations are in flight) the survivors elect a new one and go on handing out ids
 * that are distinct from every earlier one.
 */
describe('schema registry in a 3-broker cluster', () => {
  const sessionTimeoutMs = 4000;
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'registry-test', sessionTimeoutMs });
    brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const base = (b: BrokerProcess): string => `http://${b.host}:${b.httpPort}`;

  async function call(b: BrokerProcess, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${base(b)}${path}`, {
      method,
      headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  }

  /** Record schema `i`: distinct per i, and compatible with every other one under BACKWARD (optional fields only). */
  const schemaOf = (i: number): string => JSON.stringify({ type: 'record', name: 'Row', fields: [{ name: `f${i}`, type: 'int', default: 0 }] });
  const subjectOf = (i: number): string => `orders-${i % 6}-value`;

  async function register(b: BrokerProcess, i: number): Promise<number> {
    const r = await call(b, 'POST', `/subjects/${subjectOf(i)}/versions`, { schema: schemaOf(i) });
    if (r.status !== 200) throw new Error(`register ${i} via broker ${b.nodeId}: ${r.status} ${JSON.stringify(r.json)}`);
    const id = (r.json as { id: number }).id;
    // Read-your-write on the broker that answered (it forwarded the write, or is the leader).
    const own = await call(b, 'GET', `/schemas/ids/${id}`);
    if (own.status !== 200) throw new Error(`broker ${b.nodeId} does not know id ${id} it just answered: ${own.status}`);
    return id;
  }

  /** Retries through the given brokers (round-robin) until one registration succeeds. */
  const registerRetrying = (via: readonly BrokerProcess[], i: number): Promise<number> => {
    let n = i;
    return retryUntil(`registration ${i}`, () => register(via[n++ % via.length], i), { timeoutMs: 60_000, intervalMs: 250 });
  };

  /** The `_schemas` leader as `via` reports it, once it names a live one (`not`: a dead former leader). */
  async function registryLeader(via: BrokerProcess, not = -1): Promise<number> {
    return retryUntil('the _schemas leader', async () => {
      const conn = await KafkaConnection.open(via.host, via.kafkaPort, 'registry-test', 2000);
      try {
        const r = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: '_schemas', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        const leader = r.topics[0]?.partitions[0]?.leaderId;
        if (leader === undefined || leader < 0 || leader === not) throw new Error(`no (new) leader yet: ${leader}`);
        return leader;
      } finally {
        conn.close();
      }
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }

  /** Every broker in `via` answers every id and every subject's versions identically. */
  async function expectAgreement(via: readonly BrokerProcess[], ids: ReadonlyMap<number, number>): Promise<void> {
    for (const [i, id] of ids) {
      const answers = await Promise.all(via.map((b) => call(b, 'GET', `/schemas/ids/${id}`)));
      expect(answers[0].status).toBe(200);
      expect(JSON.parse((answers[0].json as { schema: string }).schema)).toEqual(JSON.parse(schemaOf(i)));
      for (const a of answers) expect(a).toEqual(answers[0]);
    }
    for (let s = 0; s < 6; s++) {
      const answers = await Promise.all(via.map((b) => call(b, 'GET', `/subjects/orders-${s}-value/versions`)));
      for (const a of answers) expect(a).toEqual(answers[0]);
      expect(answers[0].status).toBe(200);
    }
  }

  it('hands out distinct ids through every broker, and again after the leader is killed -9', async () => {
    await retryUntil('the registry on every broker', async () => {
      for (const b of brokers) if ((await call(b, 'GET', '/subjects')).status !== 200) throw new Error(`broker ${b.nodeId} not ready`);
    }, { timeoutMs: 60_000, intervalMs: 300 });

    const ids = new Map<number, number>();
    const n = 30;
    const started = Date.now();
    const first = await Promise.all(Array.from({ length: n }, (_, i) => register(brokers[i % 3], i)));
    console.log(`${n} concurrent registrations through 3 brokers: ${Date.now() - started} ms`);
    first.forEach((id, i) => ids.set(i, id));
    expect(new Set(first).size).toBe(n);
    await expectAgreement(brokers, ids);

    const leaderId = await registryLeader(brokers[0]);
    const victim = brokers.find((b) => b.nodeId === leaderId)!;
    const survivors = brokers.filter((b) => b !== victim);

    // Settings are forwarded too: read-your-write on a non-leader, and a client's mistake stays a 4xx.
    const follower = survivors[0];
    expect(await call(follower, 'PUT', '/config/orders-0-value', { compatibility: 'FULL' })).toEqual({ status: 200, json: { compatibility: 'FULL' } });
    expect(await call(follower, 'GET', '/config/orders-0-value')).toEqual({ status: 200, json: { compatibilityLevel: 'FULL' } });
    const bad = await call(follower, 'PUT', '/config', { compatibility: 'SOMETIMES' });
    expect({ status: bad.status, code: (bad.json as { error_code: number }).error_code }).toEqual({ status: 422, code: 42203 });

    const random = prng(seedFrom('REGISTRY_KILL_SEED', 'registry leader kill'));
    const delayMs = Math.floor(random() * 300);

    // Registrations in flight through the survivors while the leader dies; each retries until it is acknowledged.
    const second = Array.from({ length: 8 }, (_, k) => n + k);
    const inFlight = Promise.all(second.map((i) => registerRetrying(survivors, i)));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await victim.kill();
    const later = await inFlight;
    second.forEach((i, k) => ids.set(i, later[k]));

    expect(await registryLeader(survivors[0], leaderId)).not.toBe(leaderId);
    expect(new Set(ids.values()).size).toBe(ids.size);
    await expectAgreement(survivors, ids);
  });
});
