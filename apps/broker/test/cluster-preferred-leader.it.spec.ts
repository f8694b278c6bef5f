import { Kafka, logLevel } from 'kafkajs';
import { MetadataApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, runKcat, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';

jest.setTimeout(120_000);

/**
 * auto.leader.rebalance (MILLRACE_LEADER_IMBALANCE_CHECK_INTERVAL_MS): a preferred
 * leader killed -9 loses leadership to an in-sync follower; once back, caught up and in
 * the ISR again, the controller gives it leadership back at a new leader epoch.
 */
describe('preferred leader election', () => {
  const topic = 'preferred';
  let cluster: BrokerCluster;

  beforeAll(async () => {
    cluster = await startBrokerCluster({
      brokers: 3,
      clusterId: 'preferred-test',
      sessionTimeoutMs: 4000,
      env: { MILLRACE_LEADER_IMBALANCE_CHECK_INTERVAL_MS: '1000', MILLRACE_REPLICA_LAG_TIME_MAX_MS: '3000' },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function partition0(via: BrokerProcess): Promise<{ leader: number; epoch: number; replicas: number[]; isr: number[]; brokers: number[] }> {
    const conn = await KafkaConnection.open(via.host, via.kafkaPort, 'preferred-test');
    try {
      const r = await conn.send(MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const p = r.topics[0].partitions[0];
      return { leader: p?.leaderId ?? -1, epoch: p?.leaderEpoch ?? -1, replicas: p?.replicaNodes ?? [], isr: p?.isrNodes ?? [], brokers: r.brokers.map((b) => b.nodeId) };
    } finally {
      conn.close();
    }
  }

  it('gives leadership back to the preferred replica once it is in sync again', async () => {
    const brokers = cluster.brokers;
    await retryUntil('3 brokers and a controller', async () => {
      const v = await partition0(brokers[0]).catch(() => null);
      if (!v || v.brokers.length !== 3) throw new Error('not yet');
    }, { timeoutMs: 20_000 });
    const admin = new Kafka({ clientId: 'preferred-test', brokers: brokers.map((b) => b.bootstrap), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const first = await retryUntil('a leader', async () => {
      const v = await partition0(brokers[0]);
      if (v.leader < 0) throw new Error('none');
      return v;
    }, { timeoutMs: 10_000 });
    const preferred = brokers.find((b) => b.nodeId === first.replicas[0])!;
    expect(first.leader).toBe(preferred.nodeId);
    const other = brokers.find((b) => b !== preferred)!;

    await preferred.kill();
    const moved = await retryUntil('another replica to lead', async () => {
      const v = await partition0(other);
      if (v.leader < 0 || v.leader === preferred.nodeId || v.brokers.includes(preferred.nodeId)) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    expect(moved.epoch).toBe(1);
    expect((await runKcat(['-P', '-b', other.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], { input: 'while-away\n' })).code).toBe(0);

    await preferred.restart();
    const back = await retryUntil('the preferred replica to lead again', async () => {
      const v = await partition0(other);
      if (v.leader !== preferred.nodeId) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(back.epoch).toBe(2);
    expect(back.isr).toContain(preferred.nodeId);
    expect(brokers.map((b) => b.logs()).join('\n')).toMatch(new RegExp(`partition ${topic}-0: led by its preferred replica ${preferred.nodeId} again, leader epoch 2`));
    // It serves what was written while it was away.
    const read = await runKcat(['-C', '-b', preferred.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(read.stdout.toString().trim().split('\n')).toEqual(['while-away']);
  });
});
