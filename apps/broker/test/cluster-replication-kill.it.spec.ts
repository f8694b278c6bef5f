import { Kafka, logLevel } from 'kafkajs';
import { prng, retryUntil, runPython, seedFrom, startBrokerCluster, type BrokerCluster } from '@millrace/testing';
import { awaitBrokers, killAndRestart, leaderOf, logProblems, PRODUCE_ACKED } from './support/cluster-kill';

jest.setTimeout(240_000);

/**
 * The leader of partition 0 killed -9 and restarted three times (seeded moments;
 * MILLRACE_REPLICATION_KILL_SEED replays a run) while an idempotent librdkafka producer
 * writes 30,000 records with acks=all to a 3-partition topic, replication factor 3,
 * min.insync.replicas=2. Every acknowledged record is in the log exactly once, at the
 * offset it was acknowledged at, in production order per partition, offsets contiguous.
 * (The consumer group half of issue 14's acceptance is cluster-group-kill.it.spec.ts.)
 */
describe('acks=all records survive repeated leader kills', () => {
  const sessionTimeoutMs = 4000;
  const topic = 'durable';
  const partitions = 3;
  const total = 30_000;
  let cluster: BrokerCluster;

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'kill-test', sessionTimeoutMs, env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000' } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps every acknowledged record exactly once, in order, offsets contiguous', async () => {
    const seed = seedFrom('MILLRACE_REPLICATION_KILL_SEED', 'leader kills');
    const random = prng(seed);
    const brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
    const admin = new Kafka({ clientId: 'kill-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }

    // ~37 s of production (200 records every 0.25 s) over three kill-wait-restart rounds.
    const producing = runPython(PRODUCE_ACKED, [cluster.bootstrap, topic, String(total), String(partitions), '200', '0.25'], { timeoutMs: 200_000 });
    let producerDone = false;
    void producing.finally(() => (producerDone = true));
    const kills: number[] = [];
    for (let k = 0; k < 3; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1500 + Math.floor(random() * 2000)));
      const id = await retryUntil('a leader of partition 0', () => leaderOf(brokers, topic, 0), { timeoutMs: 30_000, intervalMs: 200 });
      const victim = brokers.find((b) => b.nodeId === id)!;
      kills.push(id);
      // Every kill lands while records are being produced.
      expect(producerDone).toBe(false);
      await killAndRestart(victim, brokers.filter((b) => b !== victim), sessionTimeoutMs);
    }
    const r = await producing;
    const out = r.stdout.toString().trim().split('\n');
    const result = JSON.parse(out[out.length - 1]) as { acked: [number, number, number][]; errors: string[]; errorCount: number; left: number };
    expect({ seed, kills, errorCount: result.errorCount, errors: result.errors, left: result.left }).toMatchObject({ errorCount: 0, left: 0 });
    expect(result.acked).toHaveLength(total);

    // Contiguous from 0, no record twice, production order, each acknowledged record at its offset.
    expect({ seed, kills, problems: await logProblems(cluster.bootstrap, topic, partitions, result.acked) }).toEqual({ seed, kills, problems: [] });
  });
});
