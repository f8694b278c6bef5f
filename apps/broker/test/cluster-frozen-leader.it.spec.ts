import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { buildBatch, decodeBatches, ErrorCode, MetadataApi, ProduceApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, runKcat, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { awaitBrokers } from './support/cluster-kill';

jest.setTimeout(150_000);

/**
 * Issue 14: a leader frozen (SIGSTOP) past its lease. A new leader takes over and
 * accepts writes; an acks=all write that reached the frozen leader is never
 * acknowledged once it thaws (its followers fetch from the new leader, and the cluster
 * record soon tells it it lost the leadership), it never reaches the new leader's log,
 * and the old leader rejoins as a follower with the new leader's log — read from each
 * broker's own segment files, so a divergent tail the old leader kept would show.
 */
describe('a leader frozen past its lease', () => {
  const sessionTimeoutMs = 4000;
  const t = 'frozen';
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'frozen-test', sessionTimeoutMs, env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000' } });
    brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function partition(via: BrokerProcess): Promise<{ leader: number; isr: number[] }> {
    const conn = await KafkaConnection.open(via.host, via.kafkaPort, 'frozen-test', 2000);
    try {
      const r = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: t, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const p = r.topics[0].partitions[0];
      return { leader: p.leaderId, isr: p.isrNodes };
    } finally {
      conn.close();
    }
  }

  /** The record values in `broker`'s own segment files of partition 0, in log order. */
  function valuesOnDisk(broker: BrokerProcess): string[] {
    const dir = path.join(broker.dataDir, 'logs', `${t}-0`);
    const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    return files.flatMap((f) => decodeBatches(readFileSync(path.join(dir, f))).flatMap((b) => b.records.map((r) => r.value?.toString() ?? '')));
  }

  const produce = (conn: KafkaConnection, value: string): Promise<number> =>
    conn
      .send(ProduceApi.apiKey, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 8000,
        topicData: [{ name: t, partitionData: [{ index: 0, records: buildBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from(value), timestamp: Date.now() }] }) }] }],
      })
      .then((r) => r!.responses[0].partitionResponses[0].errorCode);

  it('acknowledges nothing after its lease expired, loses its unreplicated write and rejoins the ISR', async () => {
    const admin = new Kafka({ clientId: 'frozen-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: t, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const first = await retryUntil('a leader and a full ISR', async () => {
      const p = await partition(brokers[0]);
      if (p.leader < 0 || p.isr.length !== 3) throw new Error(JSON.stringify(p));
      return p;
    }, { timeoutMs: 10_000 });
    const old = brokers.find((b) => b.nodeId === first.leader)!;
    const others = brokers.filter((b) => b !== old);
    const toOld = await KafkaConnection.open(old.host, old.kafkaPort, 'frozen-test-old');
    try {
      expect(await produce(toOld, 'a0')).toBe(ErrorCode.NONE);

      process.kill(old.pid!, 'SIGSTOP');
      let late: Promise<number>;
      try {
        // Queued in the frozen leader's socket: it can only be read once the process thaws.
        late = produce(toOld, 'late');
        const next = await retryUntil('a new leader', async () => {
          const p = await partition(others[0]);
          if (p.leader < 0 || p.leader === old.nodeId) throw new Error(JSON.stringify(p));
          return p;
        }, { timeoutMs: sessionTimeoutMs + 15_000, intervalMs: 200 });
        expect(next.isr).not.toContain(old.nodeId);
        const newLeader = brokers.find((b) => b.nodeId === next.leader)!;
        const toNew = await KafkaConnection.open(newLeader.host, newLeader.kafkaPort, 'frozen-test-new');
        try {
          expect(await produce(toNew, 'b0')).toBe(ErrorCode.NONE);
          expect(await produce(toNew, 'b1')).toBe(ErrorCode.NONE);
        } finally {
          toNew.close();
        }
      } finally {
        process.kill(old.pid!, 'SIGCONT');
      }
      // The write the frozen leader took is not acknowledged.
      expect([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS]).toContain(await late);
    } finally {
      toOld.close();
    }

    // The old leader follows the new one: its divergent write is gone, it is back in the ISR.
    await retryUntil('the old leader to rejoin the ISR', async () => {
      const p = await partition(others[0]);
      if (!p.isr.includes(old.nodeId)) throw new Error(JSON.stringify(p));
    }, { timeoutMs: 30_000, intervalMs: 300 });
    const r = await runKcat(['-C', '-b', cluster.bootstrap, '-t', t, '-p', '0', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(r.stdout.toString().split('\n').filter(Boolean)).toEqual(['a0', 'b0', 'b1']);
    // Each replica's own log, the thawed leader's included, is exactly that: no 'late' kept.
    await retryUntil('every replica to hold the log of the new leader', async () => {
      const logs = brokers.map((b) => ({ node: b.nodeId, values: valuesOnDisk(b) }));
      if (logs.some((l) => l.values.join() !== 'a0,b0,b1')) throw new Error(JSON.stringify(logs));
    }, { timeoutMs: 10_000, intervalMs: 300 });
  });
});
