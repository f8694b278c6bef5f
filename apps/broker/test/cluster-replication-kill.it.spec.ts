import { Kafka, logLevel } from 'kafkajs';
import { MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { prng, retryUntil, runKcat, runPython, seedFrom, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';

jest.setTimeout(240_000);

/**
 * argv: bootstrap topic n partitions per_tick tick_s
 * An idempotent librdkafka producer with acks=all: record i ("v-<i>") goes to partition
 * i % partitions, `per_tick` records every `tick_s` seconds. Prints
 * {"acked": [[partition, offset, i], ...], "errors": [...]}.
 */
const PRODUCE_ACKED = `
import sys, json, time
from confluent_kafka import Producer
bs, topic, n, parts, per_tick, tick = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
p = Producer({'bootstrap.servers': bs, 'enable.idempotence': True, 'acks': 'all', 'linger.ms': 5, 'message.timeout.ms': 120000})
acked, errors = [], []
def cb(err, msg):
    if err is None:
        acked.append([msg.partition(), msg.offset(), int(msg.value().decode()[2:])])
    else:
        errors.append(str(err))
for i in range(n):
    while True:
        try:
            p.produce(topic, partition=i % parts, key=('k-%d' % i).encode(), value=('v-%d' % i).encode(), on_delivery=cb)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    if (i + 1) % per_tick == 0:
        time.sleep(tick)
left = p.flush(150)
print(json.dumps({'acked': acked, 'errors': errors[:20], 'errorCount': len(errors), 'left': left}))
`;

/**
 * The leader of partition 0 killed -9 and restarted three times (seeded moments;
 * MILLRACE_REPLICATION_KILL_SEED replays a run) while an idempotent librdkafka producer
 * writes 30,000 records with acks=all to a 3-partition topic, replication factor 3,
 * min.insync.replicas=2. Every acknowledged record is in the log exactly once, at the
 * offset it was acknowledged at, in production order per partition, offsets contiguous.
 * (Issue 14's acceptance asks for 300k records and 10 kills with a consumer group
 * reading meanwhile; the group part needs coordinators that fail over, not built yet.)
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

  async function leaderOf(via: BrokerProcess[], partition: number): Promise<number> {
    for (const b of via) {
      try {
        const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'kill-test-meta', 2000);
        try {
          const r = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
          const p = r.topics[0]?.partitions.find((x) => x.partitionIndex === partition);
          if (p && p.leaderId >= 0) return p.leaderId;
        } finally {
          conn.close();
        }
      } catch {
        // a broker being killed or restarted: ask the next one
      }
    }
    throw new Error(`no leader of ${topic}-${partition} known`);
  }

  it('keeps every acknowledged record exactly once, in order, offsets contiguous', async () => {
    const seed = seedFrom('MILLRACE_REPLICATION_KILL_SEED', 'leader kills');
    const random = prng(seed);
    const brokers = cluster.brokers;
    await retryUntil('a controller', async () => {
      await leaderOf(brokers, 0).catch(() => undefined);
      const conn = await KafkaConnection.open(brokers[0].host, brokers[0].kafkaPort, 'kill-test-meta');
      try {
        const r = await conn.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        if (r.controllerId < 0 || r.brokers.length !== 3) throw new Error('not yet');
      } finally {
        conn.close();
      }
    }, { timeoutMs: 20_000 });
    const admin = new Kafka({ clientId: 'kill-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }

    // ~25 s of production (300 records every 0.25 s) over three kill-wait-restart rounds.
    const producing = runPython(PRODUCE_ACKED, [cluster.bootstrap, topic, String(total), String(partitions), '300', '0.25'], { timeoutMs: 200_000 });
    let producerDone = false;
    void producing.finally(() => (producerDone = true));
    const kills: number[] = [];
    for (let k = 0; k < 3; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1500 + Math.floor(random() * 2000)));
      const id = await retryUntil('a leader of partition 0', () => leaderOf(brokers, 0), { timeoutMs: 30_000, intervalMs: 200 });
      const victim = brokers.find((b) => b.nodeId === id)!;
      kills.push(id);
      // Every kill lands while records are being produced.
      expect(producerDone).toBe(false);
      await victim.kill();
      // Its node id is free again once its lease expired (a live registration is refused).
      await retryUntil('the killed broker to leave', async () => {
        const other = brokers.find((b) => b !== victim)!;
        const conn = await KafkaConnection.open(other.host, other.kafkaPort, 'kill-test-meta');
        try {
          const m = await conn.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
          if (m.brokers.some((b) => b.nodeId === id)) throw new Error('still registered');
        } finally {
          conn.close();
        }
      }, { timeoutMs: sessionTimeoutMs + 10_000, intervalMs: 200 });
      await victim.restart();
    }
    const r = await producing;
    const out = r.stdout.toString().trim().split('\n');
    const result = JSON.parse(out[out.length - 1]) as { acked: [number, number, number][]; errors: string[]; errorCount: number; left: number };
    expect({ seed, kills, errorCount: result.errorCount, errors: result.errors, left: result.left }).toMatchObject({ errorCount: 0, left: 0 });
    expect(result.acked).toHaveLength(total);

    for (let p = 0; p < partitions; p++) {
      const read = await runKcat(['-C', '-b', cluster.bootstrap, '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-f', '%o %s\\n'], { timeoutMs: 60_000 });
      expect(read.code).toBe(0);
      const lines = read.stdout.toString().trim().split('\n').map((l) => l.split(' '));
      const offsets = lines.map(([o]) => Number(o));
      const values = lines.map(([, v]) => Number(v.slice(2)));
      // Contiguous from 0, no record twice, production order.
      expect(offsets).toEqual(offsets.map((_, i) => i));
      expect(new Set(values).size).toBe(values.length);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      // Every acknowledged record is at the offset it was acknowledged at.
      const byOffset = new Map(lines.map(([o, v]) => [Number(o), Number(v.slice(2))]));
      const acked = result.acked.filter(([ap]) => ap === p);
      expect(acked.filter(([, o, i]) => byOffset.get(o) !== i)).toEqual([]);
      expect(values).toHaveLength(total / partitions);
    }
  });
});
