import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeGroupsApi } from '@millrace/protocol';
import { findRepoRoot, prng, seedFrom, startBroker, type BrokerProcess } from '@millrace/testing';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaConnection } from '../kafka-connection';
import { splitHostPort } from '../host-port';
import { fileSinkMember } from '../test-support/file-sink-member';
import type { GroupConsumer } from './group-consumer';

const TOPIC = 'orders';
const PARTITIONS = 4;
const PER_PARTITION = 1500;

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lines(dir: string, partition: number): number[] {
  const file = path.join(dir, `${TOPIC}-${partition}.log`);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map(Number);
}

describe('GroupConsumer against a real broker', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let dir: string;
  let child: ChildProcess | undefined;
  let member: GroupConsumer | undefined;

  beforeAll(async () => {
    broker = await startBroker({ env: { MILLRACE_GROUP_MIN_SESSION_TIMEOUT_MS: '1000', MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '100' } });
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-consumer-it-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await member?.disconnect();
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a member killed -9 mid-stream: its partitions move to the other member, every record applied exactly once, the group visible as a range consumer group', async () => {
    const random = prng(seedFrom('GROUP_CONSUMER_IT_SEED', 'group consumer kill -9'));
    const repoRoot = findRepoRoot();
    const entry = path.join(repoRoot, 'dist/libs/kafka-log/src/test-support/file-sink-member.js');
    expect(fs.existsSync(entry)).toBe(true);
    let childAssignment: Record<string, number[]> = {};
    child = spawn(process.execPath, ['-r', path.join(repoRoot, 'scripts/register-paths.js'), entry], {
      env: { ...process.env, FILE_SINK_BOOTSTRAP: broker.bootstrap, FILE_SINK_GROUP: 'g-kill', FILE_SINK_TOPIC: TOPIC, FILE_SINK_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('joined ')) childAssignment = JSON.parse(line.slice(7)) as Record<string, number[]>;
    });
    await until('the child member to join', () => Object.keys(childAssignment).length > 0);
    let mine: Record<string, number[]> = {};
    member = fileSinkMember(broker.bootstrap, 'g-kill', TOPIC, dir, (a) => {
      mine = a;
    });
    // Two members, two partitions each (range).
    await until('both members assigned', () => (mine[TOPIC]?.length ?? 0) === 2 && (childAssignment[TOPIC]?.length ?? 0) === 2);
    expect([...mine[TOPIC], ...childAssignment[TOPIC]].sort()).toEqual([0, 1, 2, 3]);

    // Kafka's tools see a consumer group with the range protocol and both members.
    const [host, port] = splitHostPort(broker.bootstrap);
    const conn = await KafkaConnection.open(host, port, 'it');
    const described = await conn.send(DescribeGroupsApi.apiKey, 0, { groups: ['g-kill'] });
    conn.close();
    expect(described.groups[0].protocolType).toBe('consumer');
    expect(described.groups[0].protocolData).toBe('range');
    expect(described.groups[0].members).toHaveLength(2);

    // Produce in small sends while both consume; kill the child at a seeded moment.
    const producer = kafka.producer();
    await producer.connect();
    const killAfterSends = 5 + Math.floor(random() * 20);
    const sends = 30;
    const per = PER_PARTITION / sends;
    for (let s = 0; s < sends; s++) {
      await producer.send({
        topic: TOPIC,
        messages: Array.from({ length: PARTITIONS * per }, (_, i) => ({ partition: i % PARTITIONS, value: `v${s}-${i}` })),
      });
      if (s === killAfterSends) {
        const childPartitions = childAssignment[TOPIC];
        await until('the child applied some records', () => childPartitions.some((p) => lines(dir, p).length > 0), 10_000);
        child.kill('SIGKILL');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await producer.disconnect();

    // The survivor gets all four partitions once the child's session expired, and applies the rest.
    await until('the survivor owns every partition', () => (mine[TOPIC]?.length ?? 0) === PARTITIONS, 30_000);
    await until('every record applied', () => [0, 1, 2, 3].every((p) => lines(dir, p).length >= PER_PARTITION), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    for (let p = 0; p < PARTITIONS; p++) {
      expect(lines(dir, p)).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => i));
    }
  }, 90_000);
});
