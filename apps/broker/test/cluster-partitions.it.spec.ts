import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CreateTopicsApi, ErrorCode, FetchApi, ListOffsetsApi, MetadataApi, OffsetForLeaderEpochApi, ProduceApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { retryUntil, runKcat, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';

jest.setTimeout(150_000);

interface PartitionView {
  partition: number;
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

/**
 * Partitions spread over a cluster (issue 14, second part): topics live in etcd, the
 * controller places them (other brokers answer NOT_CONTROLLER), every broker opens the
 * replicas it hosts and serves only the partitions it leads; Metadata answers from the
 * cluster's partition records. Replication factor 1 here (replication has its own
 * file): a broker killed -9 leaves its partitions offline; when it returns it leads them
 * again with its data.
 */
describe('partitions spread over a 3-broker cluster', () => {
  const sessionTimeoutMs = 4000;
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];
  let admin: Admin;

  const kafka = (via: BrokerProcess[]): Kafka => new Kafka({ clientId: 'cluster-partitions-test', brokers: via.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });

  async function withConnection<T>(b: BrokerProcess, f: (c: KafkaConnection) => Promise<T>): Promise<T> {
    const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'cluster-partitions-raw');
    try {
      return await f(conn);
    } finally {
      conn.close();
    }
  }

  async function metadata(via: BrokerProcess, topic: string): Promise<{ controllerId: number; topicError: number; partitions: PartitionView[] }> {
    return withConnection(via, async (c) => {
      const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const t = r.topics[0];
      return {
        controllerId: r.controllerId,
        topicError: t.errorCode,
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionIndex, errorCode: p.errorCode, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, offline: p.offlineReplicas }))
          .sort((a, b) => a.partition - b.partition),
      };
    });
  }

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'partitions-test', sessionTimeoutMs });
    brokers = cluster.brokers;
    await retryUntil('a controller and 3 live brokers', async () => {
      const m = await metadata(brokers[0], 'none');
      if (m.controllerId < 0) throw new Error('no controller');
      const views = await Promise.all(brokers.map((b) => withConnection(b, (c) => c.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }))));
      if (views.some((v) => v.brokers.length !== 3)) throw new Error('not all brokers see 3');
    }, { timeoutMs: 20_000 });
    admin = kafka(brokers).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('only the controller creates topics; a replication factor above the live brokers is refused', async () => {
    const { controllerId } = await metadata(brokers[0], 'none');
    const other = brokers.find((b) => b.nodeId !== controllerId)!;
    const controller = brokers.find((b) => b.nodeId === controllerId)!;
    const create = (via: BrokerProcess, name: string, rf: number) =>
      withConnection(via, (c) => c.send(CreateTopicsApi.apiKey, 4, { topics: [{ name, numPartitions: 2, replicationFactor: rf, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }));
    const refused = await create(other, 'not-here', 1);
    expect(refused.topics[0].errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    const rf4 = await create(controller, 'rf4', 4);
    expect(rf4.topics[0].errorMessage).toMatch(/only 3 broker\(s\) are registered/);
    // A manual assignment must name live brokers.
    const manual = await withConnection(controller, (c) =>
      c.send(CreateTopicsApi.apiKey, 4, { topics: [{ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }], configs: [] }], timeoutMs: 10_000, validateOnly: false }),
    );
    expect(manual.topics[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(manual.topics[0].errorMessage).toMatch(/broker 7, but no such broker is registered \(registered brokers: 1, 2, 3\)/);
    for (const b of brokers) expect((await metadata(b, 'not-here')).topicError).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('spreads 6 partitions over the brokers; kafkajs and kcat produce and consume every partition through any broker; non-leaders refuse', async () => {
    const topic = 'spread';
    // kafkajs sends CreateTopics to the controller it finds in Metadata.
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }], waitForLeaders: true })).toBe(true);
    const views = await Promise.all(brokers.map((b) => retryUntil(`broker ${b.nodeId} to see ${topic}`, async () => {
      const m = await metadata(b, topic);
      if (m.partitions.length !== 6 || m.partitions.some((p) => p.leader < 0)) throw new Error(JSON.stringify(m));
      return m.partitions;
    }, { timeoutMs: 10_000 })));
    for (const v of views) expect(v).toEqual(views[0]);
    const leaders = views[0].map((p) => p.leader);
    for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    for (const p of views[0]) {
      expect(p).toMatchObject({ errorCode: ErrorCode.NONE, leaderEpoch: 0, replicas: [p.leader], isr: [p.leader], offline: [] });
    }
    // The topic config went with the assignment: every broker describes it.
    const configs = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false });
    expect(configs.resources[0].configEntries.find((c) => c.configName === 'retention.ms')?.configValue).toBe('3600000');

    // kafkajs producer bootstrapped on broker 3 only: one record per partition, each answered by its leader.
    const producer = kafka([brokers[2]]).producer();
    await producer.connect();
    for (let p = 0; p < 6; p++) await producer.send({ topic, acks: -1, messages: [{ partition: p, key: `k${p}`, value: `kafkajs-${p}` }] });
    await producer.disconnect();
    // kcat (librdkafka) bootstrapped on broker 1: one more per partition.
    for (let p = 0; p < 6; p++) {
      const r = await runKcat(['-P', '-b', brokers[0].bootstrap, '-t', topic, '-p', String(p), '-K:'], { input: `k${p}:kcat-${p}\n` });
      expect(r.code).toBe(0);
    }
    // kcat reads every partition through broker 2.
    for (let p = 0; p < 6; p++) {
      const r = await runKcat(['-C', '-b', brokers[1].bootstrap, '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-f', '%s\\n']);
      expect(r.code).toBe(0);
      expect(r.stdout.toString().trim().split('\n')).toEqual([`kafkajs-${p}`, `kcat-${p}`]);
    }
    // A kafkajs consumer group bootstrapped on broker 1 reads all 12.
    const consumer = kafka([brokers[0]]).consumer({ groupId: 'spread-readers' });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.value?.toString()}`) });
    try {
      await retryUntil('the consumer to read 12 records', async () => {
        if (seen.length < 12) throw new Error(`${seen.length} read`);
      }, { timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    expect(seen.sort()).toEqual(Array.from({ length: 6 }, (_, p) => [`${p}:kafkajs-${p}`, `${p}:kcat-${p}`]).flat().sort());

    // A broker that does not lead partition 0 refuses Produce, Fetch, ListOffsets and OffsetForLeaderEpoch for it.
    const notLeader = brokers.find((b) => b.nodeId !== leaders[0])!;
    const leader = brokers.find((b) => b.nodeId === leaders[0])!;
    await withConnection(notLeader, async (c) => {
      const produce = await c.send(ProduceApi.apiKey, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: null }] }] });
      expect(produce?.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const fetch = await c.send(FetchApi.apiKey, 11, fetchBody(topic, 0, -1));
      expect(fetch.responses[0].partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const list = await c.send(ListOffsetsApi.apiKey, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
      expect(list.topics[0].partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const ofle = await c.send(OffsetForLeaderEpochApi.apiKey, 3, { replicaId: -1, topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
      expect(ofle.topics[0].partitions[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    });
    // The leader answers, and fences a request that carries another leader epoch.
    await withConnection(leader, async (c) => {
      const ok = await c.send(FetchApi.apiKey, 11, fetchBody(topic, 0, 0));
      expect(ok.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2 });
      const newer = await c.send(FetchApi.apiKey, 11, fetchBody(topic, 0, 5));
      expect(newer.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    });
  });

  it('auto-creates a topic through a broker that is not the controller (forwarded to the controller)', async () => {
    const { controllerId } = await metadata(brokers[0], 'none');
    const other = brokers.find((b) => b.nodeId !== controllerId)!;
    const producer = kafka([other]).producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic: 'auto-made', acks: -1, messages: [{ value: 'first' }] });
    await producer.disconnect();
    const m = await metadata(brokers[0], 'auto-made');
    expect(m.topicError).toBe(ErrorCode.NONE);
    expect(m.partitions.length).toBeGreaterThan(0);
    expect(m.partitions.every((p) => p.replicas.length === 1 && p.leader > 0)).toBe(true);
  });

  it('a broker killed -9 leaves its partitions offline; back, it leads them again with their records, at a new leader epoch', async () => {
    const topic = 'spread';
    const { controllerId, partitions } = await metadata(brokers[0], topic);
    // Kill a broker that is not the controller, so the controller's reaction alone is measured.
    const victim = brokers.find((b) => b.nodeId !== controllerId)!;
    const observer = brokers.find((b) => b.nodeId === controllerId)!;
    const itsPartitions = partitions.filter((p) => p.leader === victim.nodeId).map((p) => p.partition);
    expect(itsPartitions).toHaveLength(2);
    await victim.kill();
    const offline = await retryUntil('its partitions to go offline', async () => {
      const m = await metadata(observer, topic);
      const mine = m.partitions.filter((p) => itsPartitions.includes(p.partition));
      if (mine.some((p) => p.leader !== -1)) throw new Error(JSON.stringify(mine));
      return m.partitions;
    }, { timeoutMs: sessionTimeoutMs + 15_000, intervalMs: 200 });
    for (const p of offline) {
      if (itsPartitions.includes(p.partition)) expect(p).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leader: -1, replicas: [victim.nodeId], offline: [victim.nodeId] });
      else expect(p).toMatchObject({ errorCode: ErrorCode.NONE, offline: [] });
    }
    // Partitions of the live brokers still take records meanwhile.
    const live = offline.find((p) => !itsPartitions.includes(p.partition))!;
    const r = await runKcat(['-P', '-b', observer.bootstrap, '-t', topic, '-p', String(live.partition)], { input: 'while-down\n' });
    expect(r.code).toBe(0);

    await victim.restart();
    const back = await retryUntil('the returned broker to lead its partitions again', async () => {
      const m = await metadata(observer, topic);
      const mine = m.partitions.filter((p) => itsPartitions.includes(p.partition));
      if (mine.some((p) => p.leader !== victim.nodeId)) throw new Error(JSON.stringify(mine));
      return mine;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    for (const p of back) expect(p).toMatchObject({ errorCode: ErrorCode.NONE, leaderEpoch: 1, isr: [victim.nodeId], offline: [] });
    const p0 = itsPartitions[0];
    // Its records survived; it takes new ones, stamped with the new epoch; an old epoch is fenced.
    const more = await runKcat(['-P', '-b', brokers[0].bootstrap, '-t', topic, '-p', String(p0), '-K:'], { input: `k:after-${p0}\n` });
    expect(more.code).toBe(0);
    const read = await runKcat(['-C', '-b', observer.bootstrap, '-t', topic, '-p', String(p0), '-o', 'beginning', '-e', '-f', '%s\\n']);
    expect(read.stdout.toString().trim().split('\n')).toEqual([`kafkajs-${p0}`, `kcat-${p0}`, `after-${p0}`]);
    await withConnection(victim, async (c) => {
      const stale = await c.send(FetchApi.apiKey, 11, fetchBody(topic, p0, 0));
      expect(stale.responses[0].partitions[0].errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
      const epochs = await c.send(OffsetForLeaderEpochApi.apiKey, 3, { replicaId: -1, topics: [{ topic, partitions: [{ partition: p0, currentLeaderEpoch: 1, leaderEpoch: 0 }] }] });
      // Epoch 0 ended where epoch 1's first record went: after the two records written before the kill.
      expect(epochs.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 2 });
    });
  });

  it('grows a topic and changes its configs through any broker; every broker sees both', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'spread', count: 8 }] });
    for (const b of brokers) {
      await retryUntil(`broker ${b.nodeId} to see 8 partitions`, async () => {
        const m = await metadata(b, 'spread');
        if (m.partitions.length !== 8 || m.partitions.some((p) => p.leader < 0)) throw new Error(JSON.stringify(m.partitions));
      }, { timeoutMs: 10_000 });
    }
    // The new partitions take records.
    for (const p of [6, 7]) expect((await runKcat(['-P', '-b', brokers[0].bootstrap, '-t', 'spread', '-p', String(p)], { input: `new-${p}\n` })).code).toBe(0);
    // AlterConfigs sent to one broker (kafkajs picks it) reaches the cluster catalogue.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'spread', configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
    for (const b of brokers) {
      const one = new Kafka({ clientId: 'cluster-partitions-config', brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await one.connect();
      try {
        await retryUntil(`broker ${b.nodeId} to describe the new retention`, async () => {
          const d = await one.describeConfigs({ resources: [{ type: 2, name: 'spread', configNames: ['retention.ms'] }], includeSynonyms: false });
          const v = d.resources[0].configEntries.find((c) => c.configName === 'retention.ms')?.configValue;
          if (v !== '7200000') throw new Error(`retention.ms ${v}`);
        }, { timeoutMs: 10_000 });
      } finally {
        await one.disconnect();
      }
    }
  });

  it('deletes a topic through the controller: gone from every broker', async () => {
    await admin.deleteTopics({ topics: ['auto-made'] });
    for (const b of brokers) {
      await retryUntil(`broker ${b.nodeId} to drop auto-made`, async () => {
        if ((await metadata(b, 'auto-made')).topicError !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Error('still there');
      }, { timeoutMs: 10_000 });
    }
  });
});

function fetchBody(topic: string, partition: number, currentLeaderEpoch: number) {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}
