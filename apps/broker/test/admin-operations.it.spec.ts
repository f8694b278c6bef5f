import { decodeResponse, encodeRequest, IncrementalAlterConfigsApi } from '@millrace/protocol';
import type { BrokerProcess } from '@millrace/testing';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { useTestBroker } from './support/broker';
import { createTopic, topicOffsets } from './support/kafka';
import { runPythonJson } from './support/python';
import { RawConnection } from './support/raw-connection';
import { waitFor } from './support/wait-for';

/**
 * Topic and group administration through real clients: CreatePartitions, AlterConfigs,
 * IncrementalAlterConfigs, DeleteRecords, ListOffsets by timestamp, ListGroups,
 * DeleteGroups, and static membership (group.instance.id) with librdkafka.
 */
describe('admin operations', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;

  useTestBroker('admin-operations', {}, (env) => {
    ({ broker, kafka, admin } = env);
  });

  it('grows a topic with CreatePartitions and refuses to shrink it', async () => {
    await createTopic(admin, 'grow', 2);
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 5 }] });
    const md = await admin.fetchTopicMetadata({ topics: ['grow'] });
    expect(md.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'grow', messages: [{ partition: 4, value: 'on the new partition' }] });
    await producer.disconnect();
    expect((await topicOffsets(admin, 'grow')).get(4)).toEqual({ low: 0, high: 1 });
  });

  it('alters topic configs (replace and incremental) and rejects bad values', async () => {
    await createTopic(admin, 'cfg', 1, { 'retention.ms': '1000000' });
    const describe = async (): Promise<Record<string, string>> => {
      const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: ['retention.ms', 'segment.bytes', 'cleanup.policy'] }] });
      return Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    };
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'segment.bytes', value: '1048576' }] }] });
    // AlterConfigs replaces the whole override set: retention.ms returns to its default.
    expect(await describe()).toEqual({ 'retention.ms': '604800000', 'segment.bytes': '1048576', 'cleanup.policy': 'delete' });
    await expect(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }] }),
    ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    expect((await describe())['cleanup.policy']).toBe('delete');

    // librdkafka's AlterConfigs also replaces: segment.bytes returns to its default.
    const r = await runPythonJson<{ ok: boolean }>(
      `
import sys, json
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
res = ConfigResource('topic', 'cfg', set_config={'retention.ms': '5000'})
for f in a.alter_configs([res]).values(): f.result()
print(json.dumps({'ok': True}))
`,
      [broker.bootstrap],
    );
    expect(r.ok).toBe(true);
    expect(await describe()).toEqual({ 'retention.ms': '5000', 'segment.bytes': '1073741824', 'cleanup.policy': 'delete' });

    // IncrementalAlterConfigs (neither client here sends it): SET keeps other overrides, APPEND extends a list.
    const conn = await RawConnection.open(broker.host, broker.kafkaPort);
    conn.write(
      encodeRequest(IncrementalAlterConfigsApi.apiKey, 1, 5, 'it', {
        resources: [
          {
            resourceType: 2,
            resourceName: 'cfg',
            configs: [
              { name: 'segment.bytes', configOperation: 0, value: '2097152' },
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
            ],
          },
        ],
        validateOnly: false,
      }),
    );
    const frame = await conn.nextFrame(5000);
    conn.destroy();
    if (!Buffer.isBuffer(frame)) throw new Error(`no IncrementalAlterConfigs response: ${frame}`);
    const res = decodeResponse(IncrementalAlterConfigsApi.apiKey, 1, frame);
    expect(res.body.responses[0].errorCode).toBe(0);
    expect(await describe()).toEqual({ 'retention.ms': '5000', 'segment.bytes': '2097152', 'cleanup.policy': 'delete,compact' });
  });

  it('deletes records below an offset and finds offsets by timestamp', async () => {
    await createTopic(admin, 'trim', 1);
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 100_000;
    await producer.send({ topic: 'trim', messages: Array.from({ length: 20 }, (_, i) => ({ value: `r${i}`, timestamp: String(base + i * 1000) })) });
    await producer.disconnect();
    const byTime = await admin.fetchTopicOffsetsByTimestamp('trim', base + 7500);
    expect(byTime).toEqual([{ partition: 0, offset: '8' }]);
    await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '12' }] });
    expect((await topicOffsets(admin, 'trim')).get(0)).toEqual({ low: 12, high: 20 });
    const consumer = kafka.consumer({ groupId: 'trim-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'trim', fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor('the 8 remaining records', () => values.length >= 8);
    await consumer.disconnect();
    expect(values).toEqual(Array.from({ length: 8 }, (_, i) => `r${i + 12}`));
  });

  it('lists groups and deletes only empty ones', async () => {
    await createTopic(admin, 'grp-topic', 1);
    const consumer = kafka.consumer({ groupId: 'busy', sessionTimeout: 10_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'grp-topic' });
    await consumer.run({ eachMessage: async () => undefined });
    await waitFor('busy is Stable', async () => (await admin.describeGroups(['busy'])).groups[0].state === 'Stable');
    await admin.setOffsets({ groupId: 'idle', topic: 'grp-topic', partitions: [{ partition: 0, offset: '0' }] });
    const listed = (await admin.listGroups()).groups.map((g) => g.groupId);
    expect(listed).toEqual(expect.arrayContaining(['busy', 'idle']));
    await expect(admin.deleteGroups(['busy'])).rejects.toThrow();
    await admin.deleteGroups(['idle']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('idle');
    expect((await admin.fetchOffsets({ groupId: 'idle', topics: ['grp-topic'] }))[0].partitions[0].offset).toBe('-1');
    await consumer.disconnect();
  });

  it('lets a restarted static member (group.instance.id) take over its old entry at once', async () => {
    await createTopic(admin, 'static', 2);
    const script = `
import sys, json, time
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'static-group', 'group.instance.id': 'worker-1',
              'session.timeout.ms': 30000, 'auto.offset.reset': 'earliest'})
c.subscribe(['static'])
deadline = time.time() + 30
while time.time() < deadline and not c.assignment():
    c.poll(0.2)
parts = sorted(p.partition for p in c.assignment())
# close() of a static member does not send LeaveGroup: the membership survives.
c.close()
print(json.dumps({'partitions': parts}))
`;
    const first = await runPythonJson<{ partitions: number[] }>(script, [broker.bootstrap]);
    expect(first.partitions).toEqual([0, 1]);
    const before = (await admin.describeGroups(['static-group'])).groups[0];
    expect(before.members).toHaveLength(1);
    const second = await runPythonJson<{ partitions: number[] }>(script, [broker.bootstrap]);
    expect(second.partitions).toEqual([0, 1]);
    const after = (await admin.describeGroups(['static-group'])).groups[0];
    expect(after.members).toHaveLength(1);
    expect(after.members[0].memberId).not.toBe(before.members[0].memberId);
    expect(after.state).toBe('Stable');
  });
});
