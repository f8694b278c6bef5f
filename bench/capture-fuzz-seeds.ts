import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { API_DEFINITIONS } from '@millrace/protocol';
import { runKcat, runPython, startBroker } from '@millrace/testing';

/**
 * Captures the request frames real clients send, as seeds for the decoder fuzzers
 * (libs/protocol/fuzz). Starts the compiled broker with frame-capture-hook.ts preloaded,
 * drives it with three clients, each under its own client.id:
 *
 *   kcat (librdkafka)       metadata, produce, a plain consumer, a group consumer, offsets by time
 *   python confluent_kafka  idempotent + transactional producers (offsets in the
 *                           transaction), a group consumer that commits, AdminClient calls
 *   kafkajs                 admin calls, a transactional producer, a group consumer
 *
 * and writes the first frame of every (client, API key, version) seen to
 * `libs/protocol/fuzz/seeds/<client>-<Api>-v<version>.hex` (frame without its size
 * prefix, hex on one line). Errors the broker answers are fine: the request frames are
 * what is kept. Run after `npm run build`:
 *
 *   node -r ./scripts/register-paths.js dist/bench/capture-fuzz-seeds.js
 */
const CLIENTS = ['kcat', 'confluent-kafka-python', 'kafkajs'] as const;
const TOPIC = 'fuzz-seeds';

const PYTHON = String.raw`
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
b = sys.argv[1]; t = sys.argv[2]
base = {'bootstrap.servers': b, 'client.id': 'confluent-kafka-python'}
def attempt(f):
    try: f()
    except Exception as e: print('ignored:', e)
a = AdminClient(base)
attempt(lambda: a.create_topics([NewTopic(t + '-py', 2, 1, config={'cleanup.policy': 'compact'})])[t + '-py'].result(10))
attempt(lambda: [f.result(10) for f in a.describe_configs([ConfigResource('topic', t)]).values()])
attempt(lambda: [f.result(10) for f in a.alter_configs([ConfigResource('topic', t, set_config={'retention.ms': '86400000'})]).values()])
attempt(lambda: [f.result(10) for f in a.create_partitions([NewPartitions(t + '-py', 3)]).values()])
attempt(lambda: a.list_groups(timeout=10))
attempt(lambda: a.list_consumer_groups().result(10))
attempt(lambda: a.describe_cluster().result(10))
p = Producer({**base, 'enable.idempotence': True, 'compression.type': 'lz4', 'linger.ms': 5})
for i in range(50): p.produce(t, key=b'k%d' % i, value=b'v' * (i + 1), headers=[('h', b'x')])
p.flush(10)
z = Producer({**base, 'compression.type': 'zstd'}); z.produce(t, b'zstd-value' * 20); z.flush(10)
s = Producer({**base, 'compression.type': 'snappy'}); s.produce(t, b'snappy-value' * 20); s.flush(10)
g = Producer({**base, 'compression.type': 'gzip'}); g.produce(t, b'gzip-value' * 20); g.flush(10)
c = Consumer({**base, 'group.id': 'py-group', 'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'isolation.level': 'read_committed'})
c.subscribe([t])
n = 0; end = time.time() + 20
while n < 50 and time.time() < end:
    m = c.poll(0.5)
    if m is not None and not m.error(): n += 1
attempt(lambda: c.commit(asynchronous=False))
attempt(lambda: c.committed([TopicPartition(t, 0)], timeout=10))
attempt(lambda: c.offsets_for_times([TopicPartition(t, 0, 0)], timeout=10))
def txn():
    x = Producer({**base, 'transactional.id': 'py-txn'})
    x.init_transactions(10)
    x.begin_transaction()
    x.produce(t, b'in-txn')
    x.send_offsets_to_transaction([TopicPartition(t, 0, 1)], c.consumer_group_metadata(), 10)
    x.commit_transaction(10)
    x.begin_transaction(); x.produce(t, b'aborted'); x.flush(10); x.abort_transaction(10)
attempt(txn)
c.close()
attempt(lambda: [f.result(10) for f in a.delete_records([TopicPartition(t, 0, 1)]).values()])
attempt(lambda: [f.result(10) for f in a.delete_consumer_groups(['py-group']).values()])
attempt(lambda: [f.result(10) for f in a.delete_topics([t + '-py']).values()])
print('python done', n)
`;

async function kcat(bootstrap: string): Promise<void> {
  const x = ['-b', bootstrap, '-X', 'client.id=kcat'];
  await runKcat([...x, '-L']);
  const lines = Array.from({ length: 20 }, (_, i) => `key${i}:value-${i}`).join('\n') + '\n';
  await runKcat([...x, '-P', '-t', TOPIC, '-K', ':', '-z', 'snappy'], { input: lines });
  await runKcat([...x, '-P', '-t', TOPIC, '-H', 'h1=v1'], { input: 'plain\n' });
  await runKcat([...x, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q']);
  await runKcat([...x, '-Q', '-t', `${TOPIC}:0:0`]);
  // A balanced (group) consumer: JoinGroup, SyncGroup, OffsetFetch, Heartbeat, OffsetCommit, LeaveGroup.
  await runKcat([...x, '-G', 'kcat-group', '-o', 'beginning', '-e', '-q', TOPIC], { timeoutMs: 20_000 });
}

async function kafkajs(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ignore = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
  await ignore(admin.createTopics({ topics: [{ topic: `${TOPIC}-js`, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] }));
  await ignore(admin.fetchTopicMetadata({ topics: [TOPIC] }));
  await ignore(admin.describeConfigs({ includeSynonyms: true, resources: [{ type: 2, name: TOPIC }] }));
  await ignore(admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] }));
  await ignore(admin.createPartitions({ topicPartitions: [{ topic: `${TOPIC}-js`, count: 3 }] }));
  await ignore(admin.fetchTopicOffsets(TOPIC));
  await ignore(admin.fetchTopicOffsetsByTimestamp(TOPIC, 0));
  await ignore(admin.describeCluster());
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: 'v' } })) });
  await producer.disconnect();
  const tx = kafka.producer({ transactionalId: 'js-txn', idempotent: true, maxInFlightRequests: 1 });
  await tx.connect();
  await ignore(
    (async () => {
      const t = await tx.transaction();
      await t.send({ topic: TOPIC, messages: [{ value: 'in-txn' }] });
      await t.sendOffsets({ consumerGroupId: 'js-group', topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }] });
      await t.commit();
      const u = await tx.transaction();
      await u.send({ topic: TOPIC, messages: [{ value: 'aborted' }] });
      await u.abort();
    })(),
  );
  await tx.disconnect();
  const consumer = kafka.consumer({ groupId: 'js-group', readUncommitted: false, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => void seen++ });
  const until = Date.now() + 15_000;
  while (seen < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500)); // a heartbeat and an offset commit
  await consumer.disconnect();
  await ignore(admin.listGroups());
  await ignore(admin.describeGroups(['js-group']));
  await ignore(admin.fetchOffsets({ groupId: 'js-group', topics: [TOPIC] }));
  await ignore(admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }));
  await ignore(admin.deleteGroups(['js-group']));
  await ignore(admin.deleteTopics({ topics: [`${TOPIC}-js`] }));
  await admin.disconnect();
}

/** Client id of a captured frame (request header v1+: int16 key, int16 version, int32 correlation, string client id). */
function clientIdOf(frame: Buffer): string | null {
  if (frame.length < 10) return null;
  const len = frame.readInt16BE(8);
  return len < 0 ? null : frame.subarray(10, 10 + len).toString('utf8');
}

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const out = path.join(repoRoot, 'libs', 'protocol', 'fuzz', 'seeds');
  const captureFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-capture-')), 'frames.hex');
  const broker = await startBroker({
    env: {
      NODE_OPTIONS: `--require ${path.join(__dirname, 'frame-capture-hook.js')}`,
      MILLRACE_FRAME_CAPTURE_FILE: captureFile,
    },
  });
  try {
    await runKcat(['-b', broker.bootstrap, '-X', 'client.id=setup', '-P', '-t', TOPIC], { input: 'first\n' });
    await kcat(broker.bootstrap);
    const py = await runPython(PYTHON, [broker.bootstrap, TOPIC], { timeoutMs: 120_000 });
    process.stdout.write(py.stdout + py.stderr);
    await kafkajs(broker.bootstrap);
  } finally {
    await broker.stop();
  }
  fs.mkdirSync(out, { recursive: true });
  const kept = new Map<string, string>();
  for (const line of fs.readFileSync(captureFile, 'utf8').split('\n')) {
    if (!line) continue;
    const frame = Buffer.from(line, 'hex');
    const client = clientIdOf(frame);
    if (!client || !(CLIENTS as readonly string[]).includes(client)) continue;
    const api = API_DEFINITIONS.get(frame.readInt16BE(0));
    const name = `${client}-${api ? api.name : `key${frame.readInt16BE(0)}`}-v${frame.readInt16BE(2)}.hex`;
    if (!kept.has(name)) kept.set(name, line);
  }
  for (const [name, hex] of kept) fs.writeFileSync(path.join(out, name), hex + '\n');
  const names = [...kept.keys()].sort();
  process.stdout.write(`${names.length} seed frames in ${path.relative(repoRoot, out)}:\n${names.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
