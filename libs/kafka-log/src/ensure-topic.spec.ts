import type { Admin, ITopicConfig } from 'kafkajs';
import pino from 'pino';
import { ensureTopic } from './ensure-topic';

/** An Admin that knows `existing` topics and answers `brokerCounts` in turn to describeCluster (the last one repeats). */
function fakeAdmin(brokerCounts: number[], existing: string[] = []) {
  const created: ITopicConfig[] = [];
  let asked = 0;
  const admin = {
    listTopics: async () => existing,
    describeCluster: async () => {
      const n = brokerCounts[Math.min(asked++, brokerCounts.length - 1)];
      return { brokers: Array.from({ length: n }, (_, i) => ({ nodeId: i + 1, host: 'h', port: 9092 + i })), controller: 1, clusterId: 'c' };
    },
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(...topics);
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({ topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0 }] })) }),
  };
  return { admin: admin as unknown as Admin, created, asked: () => asked };
}

const logger = pino({ level: 'silent' });
const configOf = (t: ITopicConfig) => Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value]));

describe('ensureTopic replication', () => {
  it('creates an internal topic with min(3, brokers) replicas and min.insync.replicas = min(2, RF) on a cluster', async () => {
    const f = fakeAdmin([3]);
    await ensureTopic(f.admin, { topic: '_schemas', partitions: 1, minInsyncReplicas: 2, configs: { 'cleanup.policy': 'compact' } }, logger);
    expect(f.created).toHaveLength(1);
    expect(f.created[0].replicationFactor).toBe(3);
    expect(configOf(f.created[0])).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });
  });

  it('leaves a single broker as it was: one replica and no min.insync.replicas', async () => {
    const f = fakeAdmin([1]);
    await ensureTopic(f.admin, { topic: 'connect-configs', partitions: 1, replicationFactor: 3, minInsyncReplicas: 2, configs: { 'cleanup.policy': 'compact' } }, logger);
    expect(f.created[0].replicationFactor).toBe(1);
    expect(configOf(f.created[0])).toEqual({ 'cleanup.policy': 'compact' });
  });

  it('caps min.insync.replicas at a replication factor of 2, and keeps one the caller set', async () => {
    const two = fakeAdmin([2]);
    await ensureTopic(two.admin, { topic: 't', partitions: 1, minInsyncReplicas: 3 }, logger);
    expect([two.created[0].replicationFactor, configOf(two.created[0])['min.insync.replicas']]).toEqual([2, '2']);
    const own = fakeAdmin([3]);
    await ensureTopic(own.admin, { topic: 't', partitions: 1, minInsyncReplicas: 2, configs: { 'min.insync.replicas': '3' } }, logger);
    expect(configOf(own.created[0])['min.insync.replicas']).toBe('3');
  });

  it('-1 leaves the replication factor to the broker without asking for the broker count', async () => {
    const f = fakeAdmin([3]);
    await ensureTopic(f.admin, { topic: 't', partitions: 1, replicationFactor: -1, minInsyncReplicas: 2 }, logger);
    expect(f.created[0].replicationFactor).toBe(-1);
    expect(f.asked()).toBe(0);
    expect(configOf(f.created[0])).toEqual({});
  });

  it('waits for enough brokers to register (awaitBrokersMs) before capping', async () => {
    jest.useFakeTimers();
    try {
      const f = fakeAdmin([1, 2, 3]);
      const done = ensureTopic(f.admin, { topic: '_schemas', partitions: 1, minInsyncReplicas: 2, awaitBrokersMs: 10_000 }, logger);
      await jest.advanceTimersByTimeAsync(1000);
      await done;
      expect(f.created[0].replicationFactor).toBe(3);
      expect(f.asked()).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves an existing topic alone', async () => {
    const f = fakeAdmin([3], ['_schemas']);
    await expect(ensureTopic(f.admin, { topic: '_schemas', partitions: 1 }, logger)).resolves.toBe(1);
    expect(f.created).toEqual([]);
  });
});
