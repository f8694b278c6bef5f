import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  AlterPartitionReassignmentsApi,
  DescribeLogDirsApi,
  ElectLeadersApi,
  ErrorCode,
  ListPartitionReassignmentsApi,
  MetadataApi,
  type ApiByKey,
  type RequestInputOf,
  type ResponseOf,
} from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { findRepoRoot, retryUntil, runCommand, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { awaitBrokers, PRODUCE_ACKED } from './support/cluster-kill';
import { runPythonJson } from './support/python';

jest.setTimeout(150_000);

const BIN = path.join(findRepoRoot(__dirname), 'bin', 'millrace.js');

/** The `millrace` CLI against `bootstrap`: exit code and stdout. */
async function cli(bootstrap: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runCommand(process.execPath, [BIN, ...args, '--bootstrap', bootstrap], { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout.toString('utf8'), err: r.stderr };
}

/**
 * argv: bootstrap topic
 * Reads partition 0 of `topic` from the start to its high watermark (librdkafka, no
 * group commits). Prints {"records": [[offset, i], ...]} for values "v-<i>".
 */
const READ_ALL = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
bs, topic = sys.argv[1], sys.argv[2]
c = Consumer({'bootstrap.servers': bs, 'group.id': 'reassign-reader', 'enable.auto.commit': False, 'enable.partition.eof': True})
lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
c.assign([TopicPartition(topic, 0, 0)])
records = []
while hi > 0 and (not records or records[-1][0] < hi - 1):
    m = c.poll(5)
    if m is None or m.error():
        continue
    records.append([m.offset(), int(m.value().decode()[2:])])
c.close()
print(json.dumps({'records': records, 'hw': hi}))
`;

async function ask<K extends number>(b: BrokerProcess, apiKey: K, version: number, body: RequestInputOf<ApiByKey<K>>): Promise<ResponseOf<ApiByKey<K>>> {
  const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'reassign-test');
  try {
    return await conn.send(apiKey, version, body);
  } finally {
    conn.close();
  }
}

async function partitionOf(via: BrokerProcess, topic: string): Promise<{ leader: number; epoch: number; replicas: number[]; isr: number[]; controller: number }> {
  const r = await ask(via, MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  const p = r.topics[0]?.partitions[0];
  return { leader: p?.leaderId ?? -1, epoch: p?.leaderEpoch ?? -1, replicas: p?.replicaNodes ?? [], isr: p?.isrNodes ?? [], controller: r.controllerId };
}

function reassign(via: BrokerProcess, topic: string, replicas: number[] | null) {
  return ask(via, AlterPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 30_000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas }] }] });
}

function elect(via: BrokerProcess, electionType: number, partitions: { topic: string; partitions: number[] }[] | null) {
  return ask(via, ElectLeadersApi.apiKey, 2, { electionType, topicPartitions: partitions, timeoutMs: 30_000 });
}

/** Bytes of the .log segment files in a partition directory. */
function segmentBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

/**
 * Issue 14: partition reassignment (AlterPartitionReassignments 45 /
 * ListPartitionReassignments 46), ElectLeaders (43) and DescribeLogDirs (35) on a
 * 4-broker cluster.
 */
describe('partition reassignment and leader election', () => {
  let cluster: BrokerCluster;
  const broker = (id: number): BrokerProcess => cluster.brokers.find((b) => b.nodeId === id)!;

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 4, clusterId: 'reassign-test', sessionTimeoutMs: 4000, env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: '3000' } });
    await awaitBrokers(cluster.brokers, 4);
    const admin = new Kafka({ clientId: 'reassign-test', brokers: cluster.brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('Partition reassignment from brokers {1,2,3} to {2,3,4} while producing: no acknowledged record lost', async () => {
    const before = await retryUntil('a leader for moving-0', async () => {
      const v = await partitionOf(broker(2), 'moving');
      if (v.leader < 0 || v.controller < 0) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: 15_000 });
    expect(before.replicas).toEqual([1, 2, 3]);
    expect(before.leader).toBe(1);
    const n = 6000;
    const producing = runPythonJson<{ acked: [number, number, number][]; errors: string[]; errorCount: number; left: number }>(
      PRODUCE_ACKED,
      [cluster.brokers.map((b) => b.bootstrap).join(','), 'moving', String(n), '1', '60', '0.05'],
    );
    let producerDone = false;
    void producing.then(() => (producerDone = true), () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(producerDone).toBe(false); // the move starts while the producer is writing
    // Asked of a broker that is not the controller: it forwards the request.
    const via = cluster.brokers.find((b) => b.nodeId !== before.controller)!;
    const altered = await reassign(via, 'moving', [2, 3, 4]);
    expect(altered.errorCode).toBe(ErrorCode.NONE);
    expect(altered.responses).toEqual([{ name: 'moving', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]);

    const after = await retryUntil('the reassignment to complete', async () => {
      const v = await partitionOf(broker(2), 'moving');
      const listed = await ask(broker(3), ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 10_000, topics: null });
      if (v.replicas.join() !== '2,3,4' || listed.topics.length > 0) throw new Error(JSON.stringify({ v, listed: listed.topics }));
      return v;
    }, { timeoutMs: 40_000, intervalMs: 200 });
    expect([2, 3, 4]).toContain(after.leader);
    expect(after.epoch).toBeGreaterThan(before.epoch);
    for (const r of after.isr) expect([2, 3, 4]).toContain(r);
    expect(cluster.brokers.map((b) => b.logs()).join('\n')).toMatch(/partition moving-0: reassignment completed, replicas \[2,3,4\], leadership moved to broker 2/);

    const produced = await producing;
    expect({ errors: produced.errors, left: produced.left }).toEqual({ errors: [], left: 0 });
    expect(produced.acked).toHaveLength(n);

    const read = await runPythonJson<{ records: [number, number][]; hw: number }>(READ_ALL, [broker(4).bootstrap, 'moving']);
    const offsets = read.records.map(([o]) => o);
    expect(offsets).toEqual(Array.from({ length: read.records.length }, (_, k) => k)); // contiguous from 0
    const atOffset = new Map(read.records);
    for (const [, offset, i] of produced.acked) expect(atOffset.get(offset)).toBe(i);
    const values = read.records.map(([, i]) => i);
    expect(new Set(values).size).toBe(values.length); // exactly once
    expect(values).toEqual([...values].sort((a, b) => a - b)); // in production order

    // Broker 1 deleted its copy; the new replica holds the data and says so in DescribeLogDirs.
    const oldDir = path.join(broker(1).dataDir, 'logs', 'moving-0');
    await retryUntil('broker 1 to delete moving-0', async () => {
      if (existsSync(oldDir)) throw new Error('still there');
    }, { timeoutMs: 15_000 });
    const dirs4 = await ask(broker(4), DescribeLogDirsApi.apiKey, 4, { topics: [{ topic: 'moving', partitions: [0, 1] }] });
    const dir4 = dirs4.results[0]!;
    expect(dir4.errorCode).toBe(ErrorCode.NONE);
    expect(dir4.logDir).toBe(path.join(broker(4).dataDir, 'logs'));
    expect(dir4.totalBytes).toBeGreaterThan(0);
    expect(dir4.topics).toEqual([{ name: 'moving', partitions: [{ partitionIndex: 0, partitionSize: segmentBytes(path.join(dir4.logDir, 'moving-0')), offsetLag: 0, isFutureKey: false }] }]);
    expect(dir4.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(n * 5);
    // Every replica of the target holds the same batches, byte for byte.
    await retryUntil('the replicas to hold the same bytes', async () => {
      const sizes = await Promise.all([2, 3, 4].map(async (id) => (await ask(broker(id), DescribeLogDirsApi.apiKey, 3, { topics: [{ topic: 'moving', partitions: [0] }] })).results[0]!.topics[0]?.partitions[0]?.partitionSize));
      if (new Set(sizes).size !== 1) throw new Error(JSON.stringify(sizes));
    }, { timeoutMs: 10_000 });
    const dirs1 = await ask(broker(1), DescribeLogDirsApi.apiKey, 1, { topics: null });
    expect(dirs1.results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(dirs1.results[0]!.topics.map((t) => t.name)).not.toContain('moving');
  });

  it('the controller, also the replica being added, killed -9 mid-reassignment: the next controller carries the move on once it is back, no acknowledged record lost', async () => {
    const { controller } = await partitionOf(broker(2), 'moving');
    const [x, y, z] = cluster.brokers.filter((b) => b.nodeId !== controller).map((b) => b.nodeId);
    const via = broker(y!);
    const admin = new Kafka({ clientId: 'reassign-test', brokers: [via.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin
      .createTopics({ topics: [{ topic: 'moving-kill', replicaAssignment: [{ partition: 0, replicas: [x!, y!, z!] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true })
      .finally(() => admin.disconnect());
    await retryUntil('moving-kill-0 in sync', async () => {
      const v = await partitionOf(via, 'moving-kill');
      if (v.leader !== x || v.isr.length !== 3) throw new Error(JSON.stringify(v));
    }, { timeoutMs: 15_000 });
    const n = 4000;
    const producing = runPythonJson<{ acked: [number, number, number][]; errors: string[]; errorCount: number; left: number }>(
      PRODUCE_ACKED,
      [cluster.brokers.filter((b) => b.nodeId !== controller).map((b) => b.bootstrap).join(','), 'moving-kill', String(n), '1', '40', '0.05'],
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // {x,y,z} -> {y,z,controller}: the controller is asked (forwarded) and is the replica to fill; it dies right after saying yes
    const altered = await reassign(via, 'moving-kill', [y!, z!, controller]);
    expect(altered.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    await broker(controller).kill();
    const during = await retryUntil('a new controller with the move still listed', async () => {
      const v = await partitionOf(via, 'moving-kill');
      const listed = await ask(via, ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 10_000, topics: null });
      if (v.controller < 0 || v.controller === controller || listed.topics.length === 0) throw new Error(JSON.stringify({ v, listed: listed.topics }));
      return listed.topics;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(during).toEqual([{ name: 'moving-kill', partitions: [{ partitionIndex: 0, replicas: [y, z, controller, x], addingReplicas: [controller], removingReplicas: [x] }] }]);
    await broker(controller).restart();
    const after = await retryUntil('the reassignment to complete', async () => {
      const v = await partitionOf(via, 'moving-kill');
      const listed = await ask(via, ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 10_000, topics: null });
      if (v.replicas.join() !== [y, z, controller].join() || listed.topics.length > 0) throw new Error(JSON.stringify({ v, listed: listed.topics }));
      return v;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    expect([y, z, controller]).toContain(after.leader);

    const produced = await producing;
    expect({ errors: produced.errors, left: produced.left }).toEqual({ errors: [], left: 0 });
    expect(produced.acked).toHaveLength(n);
    const read = await runPythonJson<{ records: [number, number][]; hw: number }>(READ_ALL, [broker(controller).bootstrap, 'moving-kill']);
    const atOffset = new Map(read.records);
    for (const [, offset, i] of produced.acked) expect(atOffset.get(offset)).toBe(i);
    const values = read.records.map(([, i]) => i);
    expect(new Set(values).size).toBe(values.length);
    // the new replica holds the same bytes as the others
    await retryUntil('the replicas to hold the same bytes', async () => {
      const sizes = await Promise.all([y!, z!, controller].map(async (id) => (await ask(broker(id), DescribeLogDirsApi.apiKey, 3, { topics: [{ topic: 'moving-kill', partitions: [0] }] })).results[0]!.topics[0]?.partitions[0]?.partitionSize));
      if (new Set(sizes).size !== 1 || sizes[0] === undefined) throw new Error(JSON.stringify(sizes));
    }, { timeoutMs: 15_000 });
  });

  it('lists a reassignment in progress with adding/removing replicas and cancels it with null replicas', async () => {
    const controller = (await partitionOf(broker(2), 'moving')).controller;
    // A broker frozen (SIGSTOP) stays registered for up to its lease but cannot catch up: the reassignment stays in progress.
    const frozen = cluster.brokers.find((b) => b.nodeId !== controller)!;
    const [a, b, c] = cluster.brokers.filter((x) => x !== frozen).map((x) => x.nodeId);
    const via = broker(a!);
    const admin = new Kafka({ clientId: 'reassign-test', brokers: [via.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'pending', replicaAssignment: [{ partition: 0, replicas: [a!, b!, c!] }] }], waitForLeaders: true }).finally(() => admin.disconnect());
    await retryUntil('pending-0 in sync', async () => {
      const v = await partitionOf(via, 'pending');
      if (v.leader !== a || v.isr.length !== 3) throw new Error(JSON.stringify(v));
    }, { timeoutMs: 15_000 });
    process.kill(frozen.pid!, 'SIGSTOP');
    try {
      const altered = await reassign(via, 'pending', [b!, c!, frozen.nodeId]);
      expect(altered.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      const listed = await ask(broker(b!), ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 10_000, topics: [{ name: 'pending', partitionIndexes: [0] }] });
      expect(listed.errorCode).toBe(ErrorCode.NONE);
      expect(listed.topics).toEqual([{ name: 'pending', partitions: [{ partitionIndex: 0, replicas: [b, c, frozen.nodeId, a], addingReplicas: [frozen.nodeId], removingReplicas: [a] }] }]);
      const during = await retryUntil('Metadata to list the full replica set', async () => {
        const v = await partitionOf(broker(c!), 'pending');
        if (v.replicas.join() !== [b, c, frozen.nodeId, a].join()) throw new Error(JSON.stringify(v));
        return v;
      }, { timeoutMs: 10_000 });
      expect(during.isr).not.toContain(frozen.nodeId);
      expect(during.leader).toBe(a);

      const cancelled = await reassign(broker(c!), 'pending', null);
      expect(cancelled.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      const again = await reassign(broker(c!), 'pending', null);
      expect(again.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
      expect((await ask(broker(b!), ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 10_000, topics: null })).topics).toEqual([]);
      const back = await retryUntil('the original replicas', async () => {
        const v = await partitionOf(broker(b!), 'pending');
        if (v.replicas.join() !== [b, c, a].join()) throw new Error(JSON.stringify(v));
        return v;
      }, { timeoutMs: 10_000 });
      expect(back.leader).toBe(a);
    } finally {
      process.kill(frozen.pid!, 'SIGCONT');
    }
    const bad = await ask(via, AlterPartitionReassignmentsApi.apiKey, 0, {
      timeoutMs: 10_000,
      topics: [
        { name: 'pending', partitions: [{ partitionIndex: 0, replicas: [b!, b!] }, { partitionIndex: 0, replicas: [b!, 9] }, { partitionIndex: 3, replicas: [b!] }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, replicas: [b!] }] },
      ],
    });
    expect(bad.responses.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(bad.responses[0]!.partitions[1]!.errorMessage).toMatch(/broker\(s\) 9 .* not registered/);
  });

  it('ElectLeaders: preferred election moves leadership to the first replica; answers ELECTION_NOT_NEEDED / UNKNOWN_TOPIC_OR_PARTITION / PREFERRED_LEADER_NOT_AVAILABLE as Kafka', async () => {
    const start = await partitionOf(broker(2), 'moving');
    const preferred = start.replicas.find((r) => r !== start.leader && start.isr.includes(r))!;
    // Same brokers in another order (through the CLI): no data moves, only the preferred replica changes.
    const order = [preferred, ...start.replicas.filter((r) => r !== preferred)];
    const moved = await cli(broker(1).bootstrap, ['topic', 'reassign', 'moving', '--partition', '0', '--replicas', order.join(',')]);
    expect(moved).toMatchObject({ code: 0, out: 'reassignment of moving-0 started\n' });
    await retryUntil('the new order in Metadata', async () => {
      if ((await partitionOf(broker(1), 'moving')).replicas.join() !== order.join()) throw new Error('not yet');
    }, { timeoutMs: 10_000 });

    const r = await elect(broker(1), 0, [{ topic: 'moving', partitions: [0, 7] }, { topic: 'nope', partitions: [0] }]);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [t.topic, p.partitionId, p.errorCode]))).toEqual([
      ['moving', 0, ErrorCode.NONE],
      ['moving', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const led = await retryUntil('the preferred replica to lead', async () => {
      const v = await partitionOf(broker(2), 'moving');
      if (v.leader !== preferred) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: 10_000 });
    expect(led.epoch).toBe(start.epoch + 1);

    const again = await cli(broker(3).bootstrap, ['topic', 'elect-leaders', 'moving', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual([{ topic: 'moving', partition: 0, result: 'ELECTION_NOT_NEEDED', message: expect.any(String) }]);
    const unclean = await elect(broker(3), 1, [{ topic: 'moving', partitions: [0] }]);
    expect(unclean.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.ELECTION_NOT_NEEDED);
    // All partitions: the ones not needing an election are left out of the answer.
    const all = await elect(broker(4), 0, null);
    expect(all.errorCode).toBe(ErrorCode.NONE);
    expect(all.replicaElectionResults.map((t) => t.topic)).not.toContain('moving');

    // A preferred replica that is dead: PREFERRED_LEADER_NOT_AVAILABLE.
    const other = order[1]!;
    expect((await reassign(broker(1), 'moving', [other, ...order.filter((x) => x !== other)])).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    await broker(other).kill();
    const alive = cluster.brokers.find((b) => b.nodeId !== other)!;
    await retryUntil('the killed broker to leave', async () => {
      const v = await ask(alive, MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      if (v.brokers.some((b) => b.nodeId === other)) throw new Error('still listed');
    }, { timeoutMs: 15_000 });
    // A new controller may still be taking over when the dead one held the role: NOT_CONTROLLER is retried, as a client does.
    const refused = await retryUntil('an answer from the controller', async () => {
      const code = (await elect(alive, 0, [{ topic: 'moving', partitions: [0] }])).replicaElectionResults[0]!.partitionResult[0]!.errorCode;
      if (code === ErrorCode.NOT_CONTROLLER) throw new Error('not yet');
      return code;
    }, { timeoutMs: 15_000 });
    expect(refused).toBe(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
  });
});
