import { Kafka, logLevel } from 'kafkajs';
import { buildBatch, ErrorCode, ListOffsetsApi, MetadataApi, ProduceApi } from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import { isProcessAlive, retryUntil, runKcat, startBrokerCluster, type BrokerCluster, type BrokerProcess } from '@millrace/testing';

jest.setTimeout(180_000);

interface PartitionView {
  errorCode: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

/**
 * Replication (issue 14, third part) on 3 brokers, a topic with replication factor 3 and
 * min.insync.replicas=2: followers fetch from the leader with their replica id, the
 * leader's high watermark is the minimum log end over the ISR and acks=all answers once
 * the ISR holds the batch. The leader killed -9: a follower from the ISR leads and every
 * acknowledged record is there, in order. A second broker killed: acks=all is refused
 * with NOT_ENOUGH_REPLICAS, acks=1 still works. A returning broker catches up as a
 * follower; one whose log holds a tail the new leader never had (acks=1 records written
 * while its followers were frozen) truncates it through OffsetsForLeaderEpoch first.
 * An acks=all write whose ISR shrinks below min.insync.replicas while it waits is
 * answered NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 */
describe('replicated partitions on a 3-broker cluster', () => {
  // The lag time is below the session timeout so a frozen follower leaves the ISR through
  // its leader before its lease expires (the controller's way out of the ISR).
  const sessionTimeoutMs = 8000;
  const replicaLagTimeMaxMs = 2500;
  const topic = 'replicated';
  let cluster: BrokerCluster;
  let brokers: BrokerProcess[];

  const kafka = (via: BrokerProcess[]): Kafka => new Kafka({ clientId: 'cluster-replication-test', brokers: via.map((b) => b.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });

  async function withConnection<T>(b: BrokerProcess, f: (c: KafkaConnection) => Promise<T>): Promise<T> {
    const conn = await KafkaConnection.open(b.host, b.kafkaPort, 'cluster-replication-raw');
    try {
      return await f(conn);
    } finally {
      conn.close();
    }
  }

  async function partitionView(via: BrokerProcess, partition: number): Promise<PartitionView & { controllerId: number }> {
    return withConnection(via, async (c) => {
      const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const p = r.topics[0].partitions.find((x) => x.partitionIndex === partition)!;
      return { controllerId: r.controllerId, errorCode: p.errorCode, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes };
    });
  }

  async function highWatermark(leader: BrokerProcess, partition: number): Promise<number> {
    return withConnection(leader, async (c) => {
      const r = await c.send(ListOffsetsApi.apiKey, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1 }] }] });
      const p = r.topics[0].partitions[0];
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets: ${ErrorCode[p.errorCode]}`);
      return Number(p.offset);
    });
  }

  /** The replica's own log end offset, from the broker's admin API. */
  async function localLogEnd(b: BrokerProcess, partition: number, name = topic): Promise<{ logEndOffset: number; leader: string }> {
    const res = await fetch(`http://${b.host}:${b.httpPort}/admin/topics/${name}`);
    const body = (await res.json()) as { partitions: { partition: number; logEndOffset: number; leader: string }[] };
    return body.partitions.find((p) => p.partition === partition)!;
  }

  /** The broker's /metrics, sample lines by name{labels}. */
  async function metrics(b: BrokerProcess): Promise<Map<string, number>> {
    const text = await (await fetch(`http://${b.host}:${b.httpPort}/metrics`)).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(millrace_[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) out.set(m[1], Number(m[2]));
    }
    return out;
  }

  async function consumeAll(via: BrokerProcess, partition: number): Promise<string[]> {
    const r = await runKcat(['-C', '-b', via.bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-f', '%s\\n'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    return r.stdout.toString().split('\n').filter((l) => l.length > 0);
  }

  beforeAll(async () => {
    cluster = await startBrokerCluster({ brokers: 3, clusterId: 'replication-test', sessionTimeoutMs, env: { MILLRACE_REPLICA_LAG_TIME_MAX_MS: String(replicaLagTimeMaxMs) } });
    brokers = cluster.brokers;
    await retryUntil('a controller', async () => {
      const r = await withConnection(brokers[0], (c) => c.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
      if (r.controllerId < 0 || r.brokers.length !== 3) throw new Error('not yet');
    }, { timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps every acknowledged record through the leader\'s death; refuses acks=all below min.insync.replicas; a returning broker catches up', async () => {
    const admin = kafka(brokers).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const before = await retryUntil('partition 0 to have a leader', async () => {
      const v = await partitionView(brokers[0], 0);
      if (v.leader < 0) throw new Error('no leader');
      return v;
    }, { timeoutMs: 10_000 });
    expect(before.replicas).toHaveLength(3);
    expect([...before.isr].sort()).toEqual([1, 2, 3]);
    expect(before.leaderEpoch).toBe(0);

    // 300 records with acks=all through an idempotent kafkajs producer.
    const producer = kafka(brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 300 }, (_, i) => `r${i}`);
    for (let i = 0; i < sent.length; i += 50) {
      await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 50).map((value) => ({ partition: 0, value })) });
    }
    await producer.disconnect();
    const leader = brokers.find((b) => b.nodeId === before.leader)!;
    // The high watermark is the minimum log end over the ISR: at 300 every follower holds all 300.
    expect(await highWatermark(leader, 0)).toBe(300);
    for (const b of brokers) {
      await retryUntil(`broker ${b.nodeId}'s replica to hold 300`, async () => {
        const local = await localLogEnd(b, 0);
        if (local.logEndOffset !== 300) throw new Error(JSON.stringify(local));
      }, { timeoutMs: 5000 });
      expect((await localLogEnd(b, 0)).leader).toBe(b === leader ? 'local' : 'follower');
    }

    // The leader dies: an in-sync follower leads at epoch 1 and has every acknowledged record.
    await leader.kill();
    const survivors = brokers.filter((b) => b !== leader);
    const after = await retryUntil('a surviving replica to lead partition 0', async () => {
      const v = await partitionView(survivors[0], 0);
      if (v.leader < 0 || v.leader === leader.nodeId) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: sessionTimeoutMs + 20_000, intervalMs: 200 });
    expect(after.leaderEpoch).toBe(1);
    expect([...after.isr].sort()).toEqual(survivors.map((b) => b.nodeId).sort());
    expect(await consumeAll(survivors[0], 0)).toEqual(sent);

    // Two in-sync replicas remain (= min.insync.replicas): acks=all still works.
    const more = await runKcat(['-P', '-b', survivors[1].bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=10000'], { input: 'after-1\n' });
    expect(more.code).toBe(0);
    expect(more.stderr.toString()).not.toMatch(/Delivery failed/);

    // A second broker dies: one in-sync replica left, acks=all is refused, acks=1 works.
    const newLeader = survivors.find((b) => b.nodeId === after.leader)!;
    const second = survivors.find((b) => b !== newLeader)!;
    await second.kill();
    await retryUntil('the ISR to shrink to the last broker', async () => {
      const v = await partitionView(newLeader, 0);
      if (v.isr.length !== 1) throw new Error(JSON.stringify(v));
    }, { timeoutMs: sessionTimeoutMs + 20_000, intervalMs: 200 });
    // librdkafka retries NOT_ENOUGH_REPLICAS until its message timeout: it never delivers.
    const refused = await runKcat(['-P', '-b', newLeader.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=3000'], { input: 'refused\n', timeoutMs: 30_000 });
    expect(refused.stderr.toString()).toMatch(/Delivery failed/);
    // On the wire: NOT_ENOUGH_REPLICAS (Produce v7 carries no error message).
    const raw = await withConnection(newLeader, (c) =>
      c.send(ProduceApi.apiKey, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('raw'), timestamp: Date.now() }] }) }] }],
      }),
    );
    const answer = raw!.responses[0].partitionResponses[0];
    expect(answer.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    const acks1 = await runKcat(['-P', '-b', newLeader.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=1', '-X', 'message.timeout.ms=10000'], { input: 'acks-1\n' });
    expect(acks1.code).toBe(0);
    expect(await consumeAll(newLeader, 0)).toEqual([...sent, 'after-1', 'acks-1']);

    // The first leader returns: it follows the new leader, catches up and rejoins the ISR.
    await leader.restart();
    await retryUntil('the returned broker to catch up as a follower', async () => {
      const local = await localLogEnd(leader, 0);
      if (local.leader !== 'follower' || local.logEndOffset !== 302) throw new Error(JSON.stringify(local));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await retryUntil('the ISR to expand with the returned broker', async () => {
      const v = await partitionView(newLeader, 0);
      if (!v.isr.includes(leader.nodeId)) throw new Error(JSON.stringify(v));
    }, { timeoutMs: 15_000, intervalMs: 200 });
    // The leader logs the change after writing it to etcd, where the metadata above read it: wait for the line.
    // (One ISR update may also shrink it: "ISR shrunk (lagging: …) and expanded (caught up: …)".)
    const expandedLine = new RegExp(`partition ${topic}-0: ISR (shrunk \\([^)]*\\) and )?expanded \\(caught up: ${leader.nodeId}\\)`);
    await retryUntil('the leader to log the ISR expansion', async () => {
      if (!expandedLine.test(newLeader.logs())) throw new Error('not logged yet');
    }, { timeoutMs: 5_000, intervalMs: 100 });
    // With two in-sync replicas again, acks=all works again.
    const again = await runKcat(['-P', '-b', newLeader.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=10000'], { input: 'after-rejoin\n' });
    expect(again.code).toBe(0);
    expect(again.stderr.toString()).not.toMatch(/Delivery failed/);

    // The second broker returns too. Nothing acknowledged was lost on the way: with all
    // three in sync, the leader that carried the records alone is killed, and the two that
    // came back serve every one of them.
    await second.restart();
    await retryUntil('all three in the ISR', async () => {
      const v = await partitionView(newLeader, 0);
      if (v.isr.length !== 3) throw new Error(JSON.stringify(v));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await newLeader.kill();
    const last = await retryUntil('a leader among the returned brokers', async () => {
      const v = await partitionView(leader, 0);
      if (v.leader < 0 || v.leader === newLeader.nodeId) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: sessionTimeoutMs + 20_000, intervalMs: 200 });
    const lastLeader = [leader, second].find((b) => b.nodeId === last.leader)!;
    expect(await consumeAll(lastLeader, 0)).toEqual([...sent, 'after-1', 'acks-1', 'after-rejoin']);
    await newLeader.restart();
  });

  it('a leader that dies with records its followers never fetched loses that tail: back as a follower it truncates to the new leader', async () => {
    const t = 'diverge';
    for (const b of brokers) if (!b.pid || !isProcessAlive(b.pid)) await b.restart();
    await retryUntil('3 live brokers', async () => {
      const r = await withConnection(brokers[0], (c) => c.send(MetadataApi.apiKey, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
      if (r.brokers.length !== 3 || r.controllerId < 0) throw new Error('not yet');
    }, { timeoutMs: 20_000 });
    const admin = kafka(brokers).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const view = async (via: BrokerProcess) =>
      withConnection(via, async (c) => {
        const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: t, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return r.topics[0].partitions[0];
      });
    const first = await retryUntil('a leader', async () => {
      const v = await view(brokers[0]);
      if (v.leaderId < 0) throw new Error('none');
      return v;
    }, { timeoutMs: 10_000 });
    const leader = brokers.find((b) => b.nodeId === first.leaderId)!;
    const followers = brokers.filter((b) => b !== leader);
    const produce = (via: BrokerProcess, acks: string, values: string[]) => runKcat(['-P', '-b', via.bootstrap, '-t', t, '-p', '0', '-X', `acks=${acks}`, '-X', 'message.timeout.ms=10000'], { input: values.map((v) => `${v}\n`).join('') });
    const committed = Array.from({ length: 10 }, (_, i) => `c${i}`);
    expect((await produce(leader, 'all', committed)).code).toBe(0);
    await retryUntil('the followers to hold 10', async () => {
      for (const f of followers) if ((await localLogEnd(f, 0, t)).logEndOffset !== 10) throw new Error('not yet');
    }, { timeoutMs: 5000 });

    // The followers freeze; the leader takes 5 records with acks=1 that nobody else gets, and dies.
    for (const f of followers) process.kill(f.pid!, 'SIGSTOP');
    try {
      // Past the followers' last long poll (500 ms): no fetch of theirs is left open for the
      // leader to answer with the new records (its answer would reach them on SIGCONT).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await produce(leader, '1', ['lost-0', 'lost-1', 'lost-2', 'lost-3', 'lost-4'])).code).toBe(0);
      expect((await localLogEnd(leader, 0, t)).logEndOffset).toBe(15);
      await leader.kill();
    } finally {
      for (const f of followers) process.kill(f.pid!, 'SIGCONT');
    }
    const next = await retryUntil('a follower to lead', async () => {
      const v = await view(followers[0]);
      if (v.leaderId < 0 || v.leaderId === leader.nodeId) throw new Error(JSON.stringify(v));
      return v;
    }, { timeoutMs: sessionTimeoutMs + 20_000, intervalMs: 200 });
    expect(next.leaderEpoch).toBe(1);
    const newLeader = followers.find((b) => b.nodeId === next.leaderId)!;
    expect((await produce(newLeader, 'all', ['n0', 'n1', 'n2'])).code).toBe(0);

    // Back, the old leader asks where epoch 0 ended (10), cuts its 5-record tail and fetches epoch 1's records.
    await leader.restart();
    await retryUntil('the old leader to truncate and catch up', async () => {
      const local = await localLogEnd(leader, 0, t);
      if (local.leader !== 'follower' || local.logEndOffset !== 13) throw new Error(JSON.stringify(local));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(leader.logs()).toMatch(/truncating the follower's log from 15 to 10/);
    const r = await runKcat(['-C', '-b', newLeader.bootstrap, '-t', t, '-p', '0', '-o', 'beginning', '-e', '-f', '%s\n']);
    expect(r.stdout.toString().split('\n').filter((l) => l)).toEqual([...committed, 'n0', 'n1', 'n2']);
  });

  it('a live follower that stops fetching leaves the ISR through its leader, so acks=all goes on; caught up, it rejoins', async () => {
    const t = 'lagging';
    for (const b of brokers) if (!b.pid || !isProcessAlive(b.pid)) await b.restart();
    const admin = kafka(brokers).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const view = async (via: BrokerProcess) =>
      withConnection(via, async (c) => {
        const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: t, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return { brokers: r.brokers.map((b) => b.nodeId), p: r.topics[0].partitions[0] };
      });
    const first = await retryUntil('a leader and a full ISR', async () => {
      const v = await view(brokers[0]);
      if (v.p.leaderId < 0 || v.p.isrNodes.length !== 3) throw new Error(JSON.stringify(v));
      return v.p;
    }, { timeoutMs: 10_000 });
    const leader = brokers.find((b) => b.nodeId === first.leaderId)!;
    const frozen = brokers.find((b) => b !== leader)!;
    // One record through the whole ISR first: every follower has fetched (its position is 1).
    expect((await runKcat(['-P', '-b', leader.bootstrap, '-t', t, '-p', '0', '-X', 'acks=all'], { input: 'x0\n' })).code).toBe(0);
    process.kill(frozen.pid!, 'SIGSTOP');
    try {
      // acks=all completes once the leader drops the frozen follower from the ISR (after the lag time).
      const started = Date.now();
      const r = await runKcat(['-P', '-b', leader.bootstrap, '-t', t, '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=15000'], { input: 'x1\nx2\nx3\n' });
      expect(r.code).toBe(0);
      expect(r.stderr.toString()).not.toMatch(/Delivery failed/);
      expect(Date.now() - started).toBeLessThan(sessionTimeoutMs);
      const during = await view(leader);
      expect(during.p.isrNodes).not.toContain(frozen.nodeId);
      // Still a registered broker: the leader, not the controller, took it out.
      expect(during.brokers).toContain(frozen.nodeId);
      expect(leader.logs()).toMatch(new RegExp(`partition ${t}-0: ISR shrunk \\(lagging: ${frozen.nodeId}\\)`));
      const m = await metrics(leader);
      expect(m.get('millrace_under_replicated_partitions')).toBeGreaterThanOrEqual(1);
      expect(m.get('millrace_isr_shrinks_total')).toBeGreaterThanOrEqual(1);
      expect(m.get(`millrace_follower_lag_records{topic="${t}",partition="0",replica="${frozen.nodeId}"}`)).toBe(3);
    } finally {
      process.kill(frozen.pid!, 'SIGCONT');
    }
    await retryUntil('the follower to rejoin the ISR', async () => {
      const v = await view(leader);
      if (!v.p.isrNodes.includes(frozen.nodeId)) throw new Error(JSON.stringify(v.p));
    }, { timeoutMs: 15_000, intervalMs: 200 });
    expect((await localLogEnd(frozen, 0, t)).logEndOffset).toBe(4);
    const m = await metrics(leader);
    expect(m.get('millrace_isr_expands_total')).toBeGreaterThanOrEqual(1);
    expect(m.get(`millrace_follower_lag_records{topic="${t}",partition="0",replica="${frozen.nodeId}"}`)).toBe(0);
    expect(m.get('millrace_controller_id')).toBeGreaterThan(0);
  });

  it('acks=all whose in-sync replicas shrink below min.insync.replicas while it waits gets NOT_ENOUGH_REPLICAS_AFTER_APPEND; the records stay', async () => {
    const t = 'strict';
    for (const b of brokers) if (!b.pid || !isProcessAlive(b.pid)) await b.restart();
    const admin = kafka(brokers).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: t, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }], waitForLeaders: true })).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const p = await retryUntil('a leader and a full ISR', async () => {
      const r = await withConnection(brokers[0], (c) => c.send(MetadataApi.apiKey, 9, { topics: [{ name: t, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
      const part = r.topics[0].partitions[0];
      if (part.leaderId < 0 || part.isrNodes.length !== 3) throw new Error(JSON.stringify(part));
      return part;
    }, { timeoutMs: 10_000 });
    const leader = brokers.find((b) => b.nodeId === p.leaderId)!;
    const frozen = brokers.find((b) => b !== leader)!;
    const produce = (value: string) =>
      withConnection(leader, (c) =>
        c.send(ProduceApi.apiKey, 7, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 20_000,
          topicData: [{ name: t, partitionData: [{ index: 0, records: buildBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from(value), timestamp: Date.now() }] }) }] }],
        }),
      ).then((r) => r!.responses[0].partitionResponses[0].errorCode);
    expect(await produce('s0')).toBe(ErrorCode.NONE);
    process.kill(frozen.pid!, 'SIGSTOP');
    try {
      // Appended while the ISR was 3; answered once the leader dropped the frozen follower (the lag time), so the ISR that holds it is 2.
      expect(await produce('s1')).toBe(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
      expect((await localLogEnd(leader, 0, t)).logEndOffset).toBe(2);
      expect(await produce('s2')).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    } finally {
      process.kill(frozen.pid!, 'SIGCONT');
    }
  });

  it('a leader stopped with SIGTERM hands its leadership over before it exits', async () => {
    const t = 'lagging';
    const view = async (via: BrokerProcess) =>
      withConnection(via, async (c) => {
        const r = await c.send(MetadataApi.apiKey, 9, { topics: [{ name: t, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
        return r.topics[0].partitions[0];
      });
    const before = await retryUntil('a full ISR', async () => {
      const p = await view(brokers[0]);
      if (p.leaderId < 0 || p.isrNodes.length !== 3) throw new Error(JSON.stringify(p));
      return p;
    }, { timeoutMs: 15_000 });
    const leader = brokers.find((b) => b.nodeId === before.leaderId)!;
    const other = brokers.find((b) => b !== leader)!;
    await leader.stop();
    // Already moved when the process is gone: no waiting for a session timeout.
    const after = await view(other);
    expect(after.leaderId).not.toBe(leader.nodeId);
    expect(after.leaderId).toBeGreaterThan(0);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(leader.logs()).toMatch(/controlled shutdown: leadership of \d+ partition\(s\) handed over in \d+ ms/);
  });
});
