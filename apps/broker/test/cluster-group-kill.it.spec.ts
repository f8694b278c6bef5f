import { Kafka, logLevel } from 'kafkajs';
import { prng, runPython, seedFrom, startBrokerCluster, type BrokerCluster } from '@millrace/testing';
import { runPythonJson } from './support/python';
import { awaitBrokers, CONSUME_GROUP, coordinatorOf, killAndRestart, leaderOf, logProblems, PRODUCE_ACKED } from './support/cluster-kill';

/** Records the producer writes per 0.25 s tick (raised with the record count for the soak version). */
const BATCH = Number(process.env.GROUP_KILL_BATCH ?? 150);
const TOTAL = Number(process.env.GROUP_KILL_RECORDS ?? 36_000);
/** Production time at BATCH per tick, doubled for the kill rounds and the loaded machine. */
const RUN_MS = Math.max(220_000, Math.ceil(TOTAL / BATCH) * 250 * 2);
jest.setTimeout(RUN_MS + 20_000);

interface Produced {
  acked: [number, number, number][];
  errors: string[];
  errorCount: number;
  left: number;
}

interface Consumed {
  seen: number[];
  deliveries: number;
  committed: [number, number[]][];
  commitErrors: number;
  lastCommitError: string | null;
}

/**
 * Issue 14's acceptance, scaled to stay near two minutes: three brokers, a topic of 6
 * partitions with RF 3 and min.insync.replicas=2, an idempotent librdkafka producer
 * (acks=all) writing 36,000 records while a librdkafka consumer group reads along and
 * commits after every batch; meanwhile a broker is killed -9 and restarted three times at
 * seeded moments (MILLRACE_GROUP_KILL_SEED replays a run), alternately the group's
 * coordinator and the leader of partition 0. The log holds every acknowledged record
 * exactly once at its acknowledged offset, in order, offsets contiguous (read back with
 * kcat); every acknowledged record is consumed, the
 * committed offsets the group's coordinator reports never go backwards, and at the end
 * they are the partitions' end offsets (the group kept working across its
 * coordinator's deaths). The 300k-record, 10-kill version is the same test with
 * GROUP_KILL_RECORDS / GROUP_KILL_KILLS / GROUP_KILL_BATCH raised: `npm run test:soak`.
 */
describe('a consumer group across repeated broker kills', () => {
  const sessionTimeoutMs = 4000;
  const topic = 'orders-under-fire';
  const group = 'fire-readers';
  const partitions = 6;
  const total = TOTAL;
  const killCount = Number(process.env.GROUP_KILL_KILLS ?? 3);
  let cluster: BrokerCluster;

  beforeAll(async () => {
    cluster = await startBrokerCluster({
      brokers: 3,
      clusterId: 'group-kill-test',
      sessionTimeoutMs,
      env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000', MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: '6', MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('consumes every acknowledged record; committed offsets never go back; the group outlives its coordinators', async () => {
    const seed = seedFrom('MILLRACE_GROUP_KILL_SEED', 'group kills');
    const random = prng(seed);
    const brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
    const admin = new Kafka({ clientId: 'group-kill-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }

    // BATCH records every 0.25 s: ~60 s of production for the default 36k, spanning the kill rounds (~10 s each).
    const producing = runPython(PRODUCE_ACKED, [cluster.bootstrap, topic, String(total), String(partitions), String(BATCH), '0.25'], { timeoutMs: RUN_MS });
    let producerDone = false;
    void producing.finally(() => (producerDone = true));
    const consuming = runPythonJson<Consumed>(CONSUME_GROUP, [cluster.bootstrap, topic, group, String(partitions), String(total), String((RUN_MS - 20_000) / 1000)], RUN_MS);

    const kills: { nodeId: number; role: string }[] = [];
    for (let k = 0; k < killCount; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(random() * 2000)));
      const role = k % 2 === 0 ? 'coordinator' : 'leader of partition 0';
      const id = k % 2 === 0 ? await coordinatorOf(brokers, group) : await leaderOf(brokers, topic, 0);
      const victim = brokers.find((b) => b.nodeId === id)!;
      kills.push({ nodeId: id, role });
      // Every kill lands while records are being produced.
      expect({ kill: k, producerDone }).toEqual({ kill: k, producerDone: false });
      await killAndRestart(victim, brokers.filter((b) => b !== victim), sessionTimeoutMs);
    }

    const r = await producing;
    const out = r.stdout.toString().trim().split('\n');
    const produced = JSON.parse(out[out.length - 1]) as Produced;
    const consumed = await consuming;
    const context = { seed, kills, produceErrors: produced.errors, commitErrors: consumed.commitErrors, lastCommitError: consumed.lastCommitError };
    expect({ ...context, errorCount: produced.errorCount, left: produced.left }).toMatchObject({ errorCount: 0, left: 0 });
    expect(produced.acked).toHaveLength(total);

    // The log holds every acknowledged record exactly once, at its offset, in production order, offsets contiguous.
    expect({ ...context, problems: await logProblems(cluster.bootstrap, topic, partitions, produced.acked) }).toMatchObject({ problems: [] });

    // Every acknowledged record was consumed.
    const seen = new Set(consumed.seen);
    const missing = produced.acked.filter(([, , i]) => !seen.has(i)).map(([, , i]) => i);
    expect({ ...context, missing: missing.slice(0, 20), missingCount: missing.length }).toMatchObject({ missingCount: 0 });
    expect(consumed.deliveries).toBeGreaterThanOrEqual(total);

    // The committed offsets the coordinator reported never went back, and ended at the end offsets.
    expect(consumed.committed.length).toBeGreaterThan(10);
    const backwards: string[] = [];
    const highest = new Array<number>(partitions).fill(-1001);
    for (const [t, offsets] of consumed.committed) {
      offsets.forEach((o, p) => {
        if (o < 0 && highest[p] < 0) return; // -1001: none committed yet; after a commit it would mean the offsets were lost
        if (o < highest[p]) backwards.push(`${t}: partition ${p} ${highest[p]} -> ${o}`);
        highest[p] = Math.max(highest[p], o);
      });
    }
    expect({ ...context, backwards }).toMatchObject({ backwards: [] });
    const endOffsets = new Array<number>(partitions).fill(0);
    for (const [p, o] of produced.acked) endOffsets[p] = Math.max(endOffsets[p], o + 1);
    const admin2 = new Kafka({ clientId: 'group-kill-check', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin2.connect();
    try {
      const [t] = await admin2.fetchOffsets({ groupId: group, topics: [topic] });
      const final = t.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
      expect(final).toEqual(endOffsets);
    } finally {
      await admin2.disconnect();
    }
  });
});
