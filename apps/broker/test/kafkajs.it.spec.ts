import { AssignerProtocol, CompressionTypes, ConfigResourceTypes, type Admin, type Consumer, type Kafka } from 'kafkajs';
import type { BrokerProcess } from '@millrace/testing';
import { useTestBroker } from './support/broker';
import { textFor, uniqueName } from './support/data';
import { consumeN, createTopic, totalHigh } from './support/kafka';
import { findPartitionDir, listSegments, readBatches } from './support/log-files';
import { delay, waitFor } from './support/wait-for';

/** kafkajs 2.2.4 against the broker: produce paths, groups, offsets, admin. */
describe('kafkajs client', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;

  useTestBroker('kafkajs', { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '300', MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, kafka, admin } = env);
  });

  test.each([0, 1, -1])('produce with acks=%i and read back', async (acks) => {
    const topic = uniqueName(`acks${acks === -1 ? 'all' : acks}`);
    await createTopic(admin, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    const baseOffsets: Array<string | undefined> = [];
    try {
      for (let b = 0; b < 3; b++) {
        const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${b * 10 + i}`, value: `acks${acks}-${b * 10 + i}` }));
        const md = await producer.send({ topic, acks, messages });
        baseOffsets.push(md[0]?.baseOffset);
      }
    } finally {
      await producer.disconnect();
    }
    if (acks !== 0) expect(baseOffsets).toEqual(['0', '10', '20']);
    // acks=0 gets no answer: poll until the broker has appended everything.
    await waitFor('30 records appended', async () => (await totalHigh(admin, topic)) === 30, { timeoutMs: 15_000 });
    const got = await consumeN(kafka, { topic, count: 30 });
    expect(got.map((m) => m.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(got.map((m) => m.value)).toEqual(Array.from({ length: 30 }, (_, i) => `acks${acks}-${i}`));
    expect(got.map((m) => m.key)).toEqual(Array.from({ length: 30 }, (_, i) => `k${i}`));
    expect(await totalHigh(admin, topic)).toBe(30);
  });

  test('gzip-compressed batches round-trip (keys, values, headers) and are stored gzip', async () => {
    const topic = uniqueName('gzip');
    await createTopic(admin, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    const n = 1000;
    const expected = Array.from({ length: n }, (_, i) => ({ key: `gk-${i}`, value: textFor(i, 10 + (i % 7) * 300), headers: { h: `hv-${i}` } }));
    try {
      for (let start = 0; start < n; start += 250) {
        await producer.send({ topic, compression: CompressionTypes.GZIP, messages: expected.slice(start, start + 250) });
      }
    } finally {
      await producer.disconnect();
    }
    const got = await consumeN(kafka, { topic, count: n });
    expect(got.length).toBe(n);
    for (let i = 0; i < n; i++) {
      expect({ offset: got[i].offset, key: got[i].key, value: got[i].value, headers: got[i].headers }).toEqual({
        offset: i,
        key: expected[i].key,
        value: expected[i].value,
        headers: expected[i].headers,
      });
    }
    expect(await totalHigh(admin, topic)).toBe(n);
    const dir = findPartitionDir(broker.dataDir, topic, 0);
    expect(dir).not.toBeNull();
    const batches = listSegments(dir!).flatMap((s) => readBatches(s.file));
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(new Set(batches.map((b) => b.codec))).toEqual(new Set([1]));
  });

  test('idempotent producer: every record once, in order, with producer id and sequences kept', async () => {
    const topic = uniqueName('idem');
    await createTopic(admin, topic, 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const n = 1000;
    try {
      for (let start = 0; start < n; start += 50) {
        const md = await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 50 }, (_, i) => ({ key: `ik-${start + i}`, value: `idem-${start + i}` })),
        });
        expect(md[0].errorCode).toBe(0);
        expect(md[0].baseOffset).toBe(String(start));
      }
    } finally {
      await producer.disconnect();
    }
    const got = await consumeN(kafka, { topic, count: n });
    expect(got.map((m) => m.value)).toEqual(Array.from({ length: n }, (_, i) => `idem-${i}`));
    expect(await totalHigh(admin, topic)).toBe(n);
    const dir = findPartitionDir(broker.dataDir, topic, 0)!;
    const batches = listSegments(dir).flatMap((s) => readBatches(s.file));
    expect(batches.length).toBe(20);
    expect(new Set(batches.map((b) => b.producerId)).size).toBe(1);
    expect(batches[0].producerId).toBeGreaterThanOrEqual(0);
    expect(batches.map((b) => b.baseSequence)).toEqual(Array.from({ length: 20 }, (_, i) => i * 50));
  });

  test('consumer group of 3 over 6 partitions rebalances to 2 members; no message is lost', async () => {
    const topic = uniqueName('group6');
    const groupId = uniqueName('g6');
    await createTopic(admin, topic, 6);

    const received = new Map<string, number>();
    const assignments = new Map<number, number[]>();
    const consumers: Consumer[] = [];
    const crashes: string[] = [];
    for (let c = 0; c < 3; c++) {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100, rebalanceTimeout: 20_000 });
      consumer.on(consumer.events.GROUP_JOIN, (e) => assignments.set(c, [...(e.payload.memberAssignment[topic] ?? [])].sort()));
      consumer.on(consumer.events.CRASH, (e) => crashes.push(`consumer ${c}: ${String(e.payload.error)}`));
      consumers.push(consumer);
    }

    // Producer: keyed messages in the background, across the whole rebalance.
    const producer = kafka.producer();
    await producer.connect();
    const sent: string[] = [];
    const phaseCounts = { before: 0, during: 0, after: 0 };
    let phase: keyof typeof phaseCounts = 'before';
    let stop = false;
    let produceError: unknown;
    const produceLoop = (async () => {
      let i = 0;
      while (!stop) {
        const messages = Array.from({ length: 10 }, () => {
          const n = i++;
          return { key: `key-${n % 97}`, value: `m-${n}` };
        });
        try {
          await producer.send({ topic, messages });
        } catch (err) {
          produceError = err;
          return;
        }
        sent.push(...messages.map((m) => m.value));
        phaseCounts[phase] += messages.length;
        await delay(15); // pacing, not waiting for a condition
      }
    })();

    const coversAll = (members: number[]): boolean => {
      const parts = members.map((c) => assignments.get(c) ?? []);
      if (parts.some((p) => p.length === 0)) return false;
      const all = parts.flat().sort((a, b) => a - b);
      return JSON.stringify(all) === JSON.stringify([0, 1, 2, 3, 4, 5]);
    };
    const groupIs = async (members: number): Promise<boolean> => {
      const { groups } = await admin.describeGroups([groupId]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === members;
    };

    try {
      await Promise.all(
        consumers.map(async (consumer) => {
          await consumer.connect();
          await consumer.subscribe({ topics: [topic], fromBeginning: true });
          await consumer.run({
            eachMessage: async ({ message }) => {
              const v = message.value!.toString();
              received.set(v, (received.get(v) ?? 0) + 1);
            },
          });
        }),
      );
      await waitFor('3 members owning all 6 partitions', async () => coversAll([0, 1, 2]) && (await groupIs(3)), {
        timeoutMs: 60_000,
        describe: () => JSON.stringify([...assignments]) + ` crashes=${crashes.join('; ')}`,
      });
      for (const c of [0, 1, 2]) expect(assignments.get(c)!.length).toBe(2);
      await waitFor('some messages consumed before the rebalance', () => received.size >= 100, { timeoutMs: 30_000 });

      phase = 'during';
      const leaving = consumers[2].disconnect();
      await waitFor('messages produced while the member leaves', () => phaseCounts.during >= 20, { timeoutMs: 30_000 });
      await leaving;
      assignments.delete(2);
      await waitFor('2 members owning all 6 partitions', async () => coversAll([0, 1]) && (await groupIs(2)), {
        timeoutMs: 60_000,
        describe: () => JSON.stringify([...assignments]) + ` crashes=${crashes.join('; ')}`,
      });
      phase = 'after';
      await waitFor('messages produced after the rebalance', () => phaseCounts.after >= 300, { timeoutMs: 30_000 });
      stop = true;
      await produceLoop;
      expect(produceError).toBeUndefined();

      await waitFor('every produced message consumed', () => sent.every((v) => received.has(v)), {
        timeoutMs: 60_000,
        describe: () => `${sent.filter((v) => !received.has(v)).length} of ${sent.length} missing`,
      });
      const duplicates = [...received.values()].reduce((sum, n) => sum + n - 1, 0);
      process.stdout.write(`[kafkajs group] sent=${sent.length} phases=${JSON.stringify(phaseCounts)} duplicates=${duplicates}\n`);
      expect(phaseCounts.before).toBeGreaterThan(0);
      expect(phaseCounts.during).toBeGreaterThan(0);
      expect(phaseCounts.after).toBeGreaterThan(0);
      expect(sent.filter((v) => !received.has(v))).toEqual([]);
      expect([...received.keys()].filter((v) => !sent.includes(v))).toEqual([]);
      expect(crashes).toEqual([]);
    } finally {
      stop = true;
      await produceLoop;
      await producer.disconnect();
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    }
  });

  test('commit and resume: a new member of the group gets exactly the uncommitted rest', async () => {
    const topic = uniqueName('resume');
    const groupId = uniqueName('gresume');
    await createTopic(admin, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: `r-${i}` })) });
    await producer.disconnect();

    const first: Array<{ offset: number; value: string }> = [];
    const a = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 1000 });
    await a.connect();
    try {
      await a.subscribe({ topics: [topic], fromBeginning: true });
      await a.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (first.length < 50) first.push({ offset: Number(message.offset), value: message.value!.toString() });
        },
      });
      await waitFor('first 50 consumed', () => first.length >= 50);
      expect(first.map((m) => m.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await a.commitOffsets([{ topic, partition: 0, offset: '50' }]);
    } finally {
      await a.disconnect();
    }
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed).toEqual([{ topic, partitions: [expect.objectContaining({ partition: 0, offset: '50' })] }]);

    const rest = await consumeN(kafka, { topic, groupId, count: 50 });
    expect(rest.map((m) => m.offset)).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(rest.map((m) => m.value)).toEqual(Array.from({ length: 50 }, (_, i) => `r-${50 + i}`));
  });

  test('admin: create, metadata, describeConfigs, describeGroups, fetchOffsets, delete', async () => {
    const topic = uniqueName('admin');
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 4,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
    expect(created).toBe(true);

    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0].name).toBe(topic);
    expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);
    for (const p of meta.topics[0].partitions) {
      expect(p.leader).toBe(broker.nodeId);
      expect(p.replicas).toEqual([broker.nodeId]);
      expect(p.isr).toEqual([broker.nodeId]);
    }

    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    expect(described.resources).toHaveLength(1);
    expect(described.resources[0].errorCode).toBe(0);
    const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e]));
    expect(entries.get('retention.ms')).toEqual(expect.objectContaining({ configValue: '3600000', isDefault: false }));
    expect(entries.get('cleanup.policy')).toEqual(expect.objectContaining({ configValue: 'compact', isDefault: false }));
    expect(entries.get('segment.bytes')).toEqual(expect.objectContaining({ isDefault: true }));

    const onlyOne = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    expect(onlyOne.resources[0].configEntries.map((e) => e.configName)).toEqual(['retention.ms']);

    // A live group: describeGroups and fetchOffsets.
    const groupId = uniqueName('gadmin');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `a${i}`, value: `v${i}`, partition: 0 })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, heartbeatInterval: 500 });
    let memberId: string | undefined;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      memberId = e.payload.memberId;
    });
    let consumed = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async () => {
          consumed++;
        },
      });
      await waitFor('10 consumed', () => consumed >= 10);
      await waitFor('offsets committed', async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets[0]?.partitions.find((p) => p.partition === 0)?.offset === '10';
      });
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets).toHaveLength(1);
      expect(offsets[0].partitions.sort((x, y) => x.partition - y.partition).map((p) => [p.partition, p.offset])).toEqual([
        [0, '10'],
        [1, '-1'],
        [2, '-1'],
        [3, '-1'],
      ]);

      const { groups } = await admin.describeGroups([groupId]);
      expect(groups).toHaveLength(1);
      const g = groups[0];
      expect(g.groupId).toBe(groupId);
      expect(g.state).toBe('Stable');
      expect(g.protocolType).toBe('consumer');
      expect(g.protocol).toBe('RoundRobinAssigner');
      expect(g.members).toHaveLength(1);
      expect(g.members[0].memberId).toBe(memberId);
      const assignment = AssignerProtocol.MemberAssignment.decode(g.members[0].memberAssignment);
      expect(assignment?.assignment[topic]?.slice().sort()).toEqual([0, 1, 2, 3]);
    } finally {
      await consumer.disconnect();
    }
    const afterLeave = await admin.describeGroups([groupId]);
    expect(afterLeave.groups[0].state).toBe('Empty');
    expect(afterLeave.groups[0].members).toEqual([]);

    await admin.deleteTopics({ topics: [topic] });
    await waitFor('topic gone from listTopics', async () => !(await admin.listTopics()).includes(topic), { timeoutMs: 15_000 });
    await waitFor('partition directories removed', () => findPartitionDir(broker.dataDir, topic, 0) === null, { timeoutMs: 15_000 });
  });
});
