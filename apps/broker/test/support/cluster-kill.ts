import { FindCoordinatorApi, MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, runKcat, type BrokerProcess } from '@millrace/testing';

/**
 * Shared parts of the cluster kill -9 tests: a librdkafka producer that reports what was
 * acknowledged, a librdkafka consumer group that reports what it consumed and the
 * committed offsets it saw, and the questions a test asks the cluster between kills.
 */

/**
 * argv: bootstrap topic n partitions per_tick tick_s
 * An idempotent librdkafka producer with acks=all: record i ("v-<i>") goes to partition
 * i % partitions, `per_tick` records every `tick_s` seconds. Prints
 * {"acked": [[partition, offset, i], ...], "errors": [...], "errorCount", "left"}.
 */
export const PRODUCE_ACKED = `
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
 * argv: bootstrap topic group partitions expected deadline_s
 * A librdkafka consumer in group `group` (manual commits, synchronous, after every
 * batch) reading values "v-<i>" until it has seen `expected` distinct ones or the
 * deadline passes. About once a second it asks the group's coordinator for the committed
 * offsets of every partition. Prints {"seen": [i, ...] (distinct), "deliveries": n,
 * "committed": [[t_ms, [offset per partition]], ...], "commitErrors": n, "lastCommitError"}.
 */
export const CONSUME_GROUP = `
import sys, json, time
from confluent_kafka import Consumer, TopicPartition
bs, topic, group, parts, expected, deadline = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), time.time() + float(sys.argv[6])
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
              'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'enable.partition.eof': False})
c.subscribe([topic])
seen, deliveries, committed, commit_errors, last_error = set(), 0, [], 0, None
next_check = 0
while len(seen) < expected and time.time() < deadline:
    msgs = c.consume(num_messages=500, timeout=0.5)
    good = [m for m in msgs if m.error() is None]
    for m in good:
        seen.add(int(m.value().decode()[2:]))
    deliveries += len(good)
    if good:
        try:
            c.commit(asynchronous=False)
        except Exception as e:
            commit_errors += 1
            last_error = str(e)
    if time.time() >= next_check:
        next_check = time.time() + 1
        try:
            got = c.committed([TopicPartition(topic, p) for p in range(parts)], timeout=5)
            committed.append([int(time.time() * 1000), [tp.offset for tp in got]])
        except Exception as e:
            last_error = 'committed(): ' + str(e)
try:
    c.commit(asynchronous=False)
except Exception as e:
    last_error = str(e)
c.close()
print(json.dumps({'seen': sorted(seen), 'deliveries': deliveries, 'committed': committed, 'commitErrors': commit_errors, 'lastCommitError': last_error}))
`;

async function ask<T>(via: readonly BrokerProcess[], question: (c: KafkaConnection) => Promise<T | undefined>, what: string): Promise<T> {
  for (const b of via) {
    try {
      const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'kill-test-meta', 2000);
      try {
        const answer = await question(conn);
        if (answer !== undefined) return answer;
      } finally {
        conn.close();
      }
    } catch {
      // a broker being killed or restarted: ask the next one
    }
  }
  throw new Error(`no broker knows ${what}`);
}

/** The leader of `topic`-`partition` as a live broker among `via` sees it. */
export function leaderOf(via: readonly BrokerProcess[], topic: string, partition: number): Promise<number> {
  return ask(via, async (conn) => {
    const r = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const p = r.topics[0]?.partitions.find((x) => x.partitionIndex === partition);
    return p && p.leaderId >= 0 ? p.leaderId : undefined;
  }, `a leader of ${topic}-${partition}`);
}

/** The coordinator of `group` as a live broker among `via` names it. */
export function coordinatorOf(via: readonly BrokerProcess[], group: string): Promise<number> {
  return ask(via, async (conn) => {
    const r = await conn.send(FindCoordinatorApi.apiKey, 2, { key: group, keyType: 0 });
    return r.errorCode === 0 ? r.nodeId : undefined;
  }, `the coordinator of ${group}`);
}

/** Waits until `count` brokers are registered and a controller is elected, as `via` sees it. */
export async function awaitBrokers(via: readonly BrokerProcess[], count: number, timeoutMs = 20_000): Promise<void> {
  await retryUntil(`${count} brokers and a controller`, () =>
    ask(via, async (conn) => {
      const r = await conn.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      return r.controllerId >= 0 && r.brokers.length === count ? true : undefined;
    }, 'the cluster'), { timeoutMs, intervalMs: 200 });
}

/** Kills `victim` -9, waits until the others no longer list it (its lease expired), restarts it. */
export async function killAndRestart(victim: BrokerProcess, others: readonly BrokerProcess[], sessionTimeoutMs: number): Promise<void> {
  await victim.kill();
  await retryUntil('the killed broker to leave', () =>
    ask(others, async (conn) => {
      const m = await conn.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      return m.brokers.some((b) => b.nodeId === victim.nodeId) ? undefined : true;
    }, 'the membership'), { timeoutMs: sessionTimeoutMs + 10_000, intervalMs: 200 });
  await victim.restart();
}

/**
 * What is wrong with the log of `topic` against what PRODUCE_ACKED acknowledged (its
 * `acked`: [partition, offset, i] of value "v-<i>"), read back with kcat: per partition,
 * offsets not contiguous from 0, a value twice, values out of production order, an
 * acknowledged record missing from its acknowledged offset, or a record count other than
 * the acknowledged count. Empty when the log is exactly the acknowledged records.
 */
export async function logProblems(bootstrap: string, topic: string, partitions: number, acked: readonly [number, number, number][]): Promise<string[]> {
  const problems: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const read = await runKcat(['-C', '-b', bootstrap, '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-f', '%o %s\\n'], { timeoutMs: 120_000 });
    if (read.code !== 0) {
      problems.push(`partition ${p}: kcat exited ${String(read.code)}`);
      continue;
    }
    const lines = read.stdout.toString().trim().split('\n').filter((l) => l !== '').map((l) => l.split(' '));
    const offsets = lines.map(([o]) => Number(o));
    const values = lines.map(([, v]) => Number(v.slice(2)));
    const gap = offsets.findIndex((o, i) => o !== i);
    if (gap >= 0) problems.push(`partition ${p}: offset ${offsets[gap]} at position ${gap} (not contiguous from 0)`);
    if (new Set(values).size !== values.length) problems.push(`partition ${p}: ${values.length - new Set(values).size} value(s) twice`);
    const disorder = values.findIndex((v, i) => i > 0 && v < values[i - 1]);
    if (disorder >= 0) problems.push(`partition ${p}: v-${values[disorder]} after v-${values[disorder - 1]} (out of production order)`);
    const byOffset = new Map(lines.map(([o, v]) => [Number(o), Number(v.slice(2))]));
    const mine = acked.filter(([ap]) => ap === p);
    const misplaced = mine.filter(([, o, i]) => byOffset.get(o) !== i);
    if (misplaced.length > 0) problems.push(`partition ${p}: ${misplaced.length} acknowledged record(s) not at their offset, first v-${misplaced[0][2]} at ${misplaced[0][1]}`);
    if (values.length !== mine.length) problems.push(`partition ${p}: ${values.length} records in the log, ${mine.length} acknowledged`);
  }
  return problems;
}
