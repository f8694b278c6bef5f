import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ErrorCode, FindCoordinatorApi, MetadataApi, OffsetFetchApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';
import { partitionForGroup } from '../src/group-coordinator/group-partitioner';
import { awaitBrokers } from './support/cluster-kill';

jest.setTimeout(150_000);

const OFFSETS_PARTITIONS = 6;

/**
 * The group coordinator follows leadership (issue 14): `__consumer_offsets` is a
 * replicated internal topic (RF = min(3, brokers)), created on the first FindCoordinator;
 * a group's coordinator is the leader of partition abs(hashCode(groupId)) % partitions,
 * whichever broker is asked; other brokers answer NOT_COORDINATOR; when the
 * coordinator's broker is killed -9 the new leader of that partition loads the group's
 * committed offsets and the group goes on from them.
 */
describe('group coordinator on a 3-broker cluster', () => {
  const sessionTimeoutMs = 4000;
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];
  let admin: Admin;

  const kafka = (via: BrokerProcess[], clientId = 'cluster-groups-test'): Kafka =>
    new Kafka({ clientId, brokers: via.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 } });

  async function withConnection<T>(b: BrokerProcess, f: (c: KafkaConnection) => Promise<T>): Promise<T> {
    const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'cluster-groups-raw');
    try {
      return await f(conn);
    } finally {
      conn.close();
    }
  }

  async function findCoordinator(via: BrokerProcess, group: string): Promise<{ errorCode: number; nodeId: number; port: number }> {
    return withConnection(via, (c) => c.send(FindCoordinatorApi.apiKey, 2, { key: group, keyType: 0 }));
  }

  async function offsetsTopic(via: BrokerProcess): Promise<{ isInternal: boolean; partitions: { index: number; leader: number; replicas: number[]; isr: number[] }[] }> {
    return withConnection(via, async (c) => {
      const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: '__consumer_offsets', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const t = r.topics[0];
      return { isInternal: t.isInternal, partitions: t.partitions.map((p) => ({ index: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes })).sort((a, b) => a.index - b.index) };
    });
  }

  /** FindCoordinator through `via` until it names a live broker. */
  async function coordinatorOf(via: BrokerProcess[], group: string): Promise<number> {
    return retryUntil(`a coordinator for ${group}`, async () => {
      for (const b of via) {
        const r = await findCoordinator(b, group).catch(() => undefined);
        if (r?.errorCode === ErrorCode.NONE) return r.nodeId;
      }
      throw new Error('COORDINATOR_NOT_AVAILABLE');
    }, { timeoutMs: 30_000, intervalMs: 200 });
  }

  /**
   * The group's committed offsets, asked of its coordinator with OffsetFetch (raw: a
   * kafkajs admin would first read the metadata of every topic, and `_schemas`, RF 1,
   * is offline while its one broker is dead).
   */
  async function committed(via: BrokerProcess[], group: string, topic: string): Promise<Map<number, number>> {
    const id = await coordinatorOf(via, group);
    const coordinator = brokers.find((b) => b.nodeId === id)!;
    const r = await withConnection(coordinator, (c) => c.send(OffsetFetchApi.apiKey, 8, { groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [0, 1, 2] }] }], requireStable: false }));
    const g = r.groups![0];
    if (g.errorCode !== ErrorCode.NONE) throw new Error(`OffsetFetch: ${ErrorCode[g.errorCode]}`);
    return new Map(g.topics[0].partitions.map((p) => [p.partitionIndex, Number(p.committedOffset)]));
  }

  beforeAll(async () => {
    cluster = await startBrokerCluster({
      brokers: 3,
      clusterId: 'groups-test',
      sessionTimeoutMs,
      env: { MILLRACE_OFFSETS_TOPIC_NUM_PARTITIONS: String(OFFSETS_PARTITIONS), MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000' },
    });
    brokers = cluster.brokers;
    await awaitBrokers(brokers, 3);
    admin = kafka(brokers).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('every broker names the leader of the group\'s __consumer_offsets partition (created on first use, RF 3, internal); others answer NOT_COORDINATOR', async () => {
    const group = 'finder-group';
    const coordinator = await coordinatorOf([brokers[1]], group);
    const t = await offsetsTopic(brokers[0]);
    expect(t.isInternal).toBe(true);
    expect(t.partitions).toHaveLength(OFFSETS_PARTITIONS);
    for (const p of t.partitions) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    const partition = partitionForGroup(group, OFFSETS_PARTITIONS);
    expect(coordinator).toBe(t.partitions[partition].leader);
    for (const b of brokers) expect(await findCoordinator(b, group)).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: coordinator });

    // Groups spread over the partitions, hence over the brokers.
    const coordinators = new Set<number>();
    for (let i = 0; i < 24; i++) coordinators.add(await coordinatorOf([brokers[0]], `spread-${i}`));
    expect(coordinators.size).toBe(3);

    for (const b of brokers.filter((x) => x.nodeId !== coordinator)) {
      const r = await withConnection(b, (c) => c.send(OffsetFetchApi.apiKey, 8, { groups: [{ groupId: group, topics: null }], requireStable: false }));
      expect(r.groups![0].errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    }
    // The owner answers once it has taken the partition on (a client retries NOT_COORDINATOR and
    // COORDINATOR_LOAD_IN_PROGRESS the same way while the leadership reaches the broker).
    const owner = brokers.find((b) => b.nodeId === coordinator)!;
    let code = -1;
    for (let attempt = 0; attempt < 100; attempt++) {
      const r = await withConnection(owner, (c) => c.send(OffsetFetchApi.apiKey, 8, { groups: [{ groupId: group, topics: null }], requireStable: false }));
      code = r.groups![0].errorCode;
      if (code !== ErrorCode.NOT_COORDINATOR && code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(code).toBe(ErrorCode.NONE);
  });

  it('a consumer group keeps consuming from its committed offsets after its coordinator is killed -9', async () => {
    const topic = 'group-failover';
    const group = 'failover-group';
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
    const producer = kafka(brokers, 'cluster-groups-producer').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const send = async (from: number, to: number): Promise<void> => {
      const messages = Array.from({ length: to - from }, (_, i) => ({ key: `k-${from + i}`, value: `v-${from + i}`, partition: (from + i) % 3 }));
      await producer.send({ topic, acks: -1, messages });
    };
    await send(0, 300);

    const seen = new Map<string, number>();
    // kafkajs keeps its coordinator until its retries run out, then restarts the consumer (restartOnFailure), which finds the new one.
    const consumer = kafka(brokers, 'cluster-groups-consumer').consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 2000 } });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 200,
      eachMessage: async ({ message }) => void seen.set(message.value!.toString(), (seen.get(message.value!.toString()) ?? 0) + 1),
    });
    const sum = (m: Map<number, number>): number => [...m.values()].reduce((n, o) => n + Math.max(0, o), 0);
    try {
      await retryUntil('300 records consumed and committed', async () => {
        if (seen.size < 300) throw new Error(`${seen.size} consumed`);
        const c = await committed(brokers, group, topic);
        if (sum(c) < 300) throw new Error(`${sum(c)} committed`);
      }, { timeoutMs: 40_000, intervalMs: 300 });
      const before = await committed(brokers, group, topic);

      const coordinator = await coordinatorOf(brokers, group);
      const victim = brokers.find((b) => b.nodeId === coordinator)!;
      const survivors = brokers.filter((b) => b !== victim);
      await victim.kill();

      // A survivor leads the group's partition now and has its committed offsets.
      const next = await retryUntil('a new coordinator', async () => {
        const id = await coordinatorOf(survivors, group);
        if (id === coordinator) throw new Error('still the dead broker');
        return id;
      }, { timeoutMs: sessionTimeoutMs + 20_000, intervalMs: 300 });
      expect(survivors.map((b) => b.nodeId)).toContain(next);
      const after = await retryUntil('the offsets from the new coordinator', () => committed(survivors, group, topic), { timeoutMs: 20_000, intervalMs: 300 });
      for (const [p, o] of before) expect(after.get(p)).toBeGreaterThanOrEqual(o);

      // The same consumer goes on: 300 more records, each consumed, committed on the new coordinator.
      await send(300, 600);
      await retryUntil('600 records consumed and committed', async () => {
        if (seen.size < 600) throw new Error(`${seen.size} consumed`);
        const c = await committed(survivors, group, topic);
        if (sum(c) < 600) throw new Error(`${sum(c)} committed`);
      }, { timeoutMs: 60_000, intervalMs: 500 });
      expect([...seen.keys()].sort()).toEqual(Array.from({ length: 600 }, (_, i) => `v-${i}`).sort());
      // Committed offsets never moved back: nothing before the kill was consumed twice.
      for (let i = 0; i < 300; i++) expect(seen.get(`v-${i}`)).toBe(1);
      await victim.restart();
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
