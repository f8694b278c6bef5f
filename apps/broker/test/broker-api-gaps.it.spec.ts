import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  AlterConfigsApi,
  AlterPartitionReassignmentsApi,
  ApiVersionsApi,
  DescribeConfigsApi,
  DescribeLogDirsApi,
  ElectLeadersApi,
  ErrorCode,
  ListPartitionReassignmentsApi,
   IncrementalAlterConfigsApi,
  OffsetDeleteApi,
  OffsetFetchApi,
  OffsetForLeaderEpochApi,
} from '@millrace/protocol';
import { KafkaConnection } from '@millrace/kafka-log';
import type { BrokerProcess } from '@millrace/testing';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { useTestBroker } from './support/broker';
import { uniqueName } from './support/data';
import { createTopic, makeKafka } from './support/kafka';
import { RDKAFKA_ADMIN_SCRIPT, type RdkafkaAdminResult } from './support/librdkafka-admin';
import { runPythonJson } from './support/python';

/**
 * argv: bootstrap topic count assignment-json
 * CreatePartitions through confluent_kafka's AdminClient with a manual replica assignment
 * (null = none). Prints {"error": null | {"code": name, "message": str}}.
 */
const CREATE_PARTITIONS_SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewPartitions
bs, topic, count, assignment = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
a = AdminClient({'bootstrap.servers': bs})
np = NewPartitions(topic, count, replica_assignment=assignment) if assignment is not None else NewPartitions(topic, count)
try:
    a.create_partitions([np], request_timeout=15)[topic].result()
    print(json.dumps({'error': None}))
except Exception as e:
    err = e.args[0]
    print(json.dumps({'error': {'code': err.name(), 'message': err.str()}}))
`;

/**
 * argv: bootstrap broker-id names-json [set-json]
 * With set-json: AlterConfigs (non-incremental) on the BROKER resource first, printing its
 * outcome; then DescribeConfigs of the resource, keeping the named entries.
 * Prints {"alter": null | "ok" | {"code", "message"}, "configs": {name: {value, source, readOnly, isDefault}}}.
 */
const BROKER_CONFIGS_SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, ConfigResource
bs, broker_id, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
to_set = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
a = AdminClient({'bootstrap.servers': bs})
alter = None
if to_set is not None:
    try:
        for f in a.alter_configs([ConfigResource('broker', broker_id, set_config=to_set)], request_timeout=15).values():
            f.result()
        alter = 'ok'
    except Exception as e:
        err = e.args[0]
        alter = {'code': err.name(), 'message': err.str()}
res = list(a.describe_configs([ConfigResource('broker', broker_id)], request_timeout=15).values())[0].result()
configs = {n: {'value': c.value, 'source': c.source, 'readOnly': c.is_read_only, 'isDefault': c.is_default} for n, c in res.items() if n in names}
print(json.dumps({'alter': alter, 'configs': configs}))
`;

interface BrokerConfigsOut {
  alter: null | 'ok' | { code: string; message: string };
  configs: Record<string, { value: string; source: number; readOnly: boolean; isDefault: boolean }>;
}

/**
 * Gaps found by the librdkafka and KafkaJS test suites on APIs the broker claims:
 * OffsetFetch v6-8 ("all partitions"), OffsetDelete, CreatePartitions assignments, and
 * configs of BROKER resources, each through the real clients that use them.
 */
describe('broker API gaps (librdkafka / kafkajs)', () => {
  let broker: BrokerProcess;
  let admin: Admin;

  useTestBroker('broker-api-gaps', { MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false' }, (env) => {
    ({ broker, admin } = env);
  });

  const rdkafka = (args: string[]) => runPythonJson<RdkafkaAdminResult>(RDKAFKA_ADMIN_SCRIPT, args);
  const commit = (group: string, entries: string[]) => runPythonJson<{ committed: [string, number, number, string | null][] }>(RDKAFKA_ADMIN_SCRIPT, ['commit', broker.bootstrap, group, ...entries]);

  it('librdkafka ListConsumerGroupOffsets without partitions lists every committed offset', async () => {
    const [a, b] = [uniqueName('lo-a'), uniqueName('lo-b')];
    await createTopic(admin, a, 3);
    await createTopic(admin, b, 1);
    const group = uniqueName('lo-group');
    const committed = await commit(group, [`${a}:0:5`, `${a}:2:9`, `${b}:0:42`]);
    expect(committed.committed.map((c) => c[3])).toEqual([null, null, null]);

    const expected = [
      { topic: a, partition: 0, offset: 5, error: 'NO_ERROR' },
      { topic: a, partition: 2, offset: 9, error: 'NO_ERROR' },
      { topic: b, partition: 0, offset: 42, error: 'NO_ERROR' },
    ].sort((x, y) => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1));
    for (const stable of ['any', 'stable']) {
      const listed = await rdkafka(['list', broker.bootstrap, group, stable]);
      expect(listed).toEqual({ error: null, groups: [{ group, error: null, partitions: expected }] });
    }
  });

  it('ApiVersions advertises OffsetFetch v8 and OffsetDelete; v8 answers several groups in one request', async () => {
    const topic = uniqueName('of8');
    await createTopic(admin, topic, 1);
    const [g1, g2] = [uniqueName('of8-g1'), uniqueName('of8-g2')];
    await commit(g1, [`${topic}:0:3`]);
    await commit(g2, [`${topic}:0:4`]);
    const conn = await KafkaConnection.open(broker.host, broker.kafkaPort, 'it-offset-fetch-v8');
    try {
      const versions = await conn.send(ApiVersionsApi.apiKey, 3, { clientSoftwareName: 'it', clientSoftwareVersion: '1' });
      const advertised = (key: number) => versions.apiKeys.filter((k) => k.apiKey === key).map((k) => [k.minVersion, k.maxVersion]);
      expect(advertised(OffsetFetchApi.apiKey)).toEqual([[1, 8]]);
      expect(advertised(OffsetDeleteApi.apiKey)).toEqual([[0, 0]]);
      const r = await conn.send(OffsetFetchApi.apiKey, 8, {
        groups: [
          { groupId: g1, topics: null },
          { groupId: g2, topics: [{ name: topic, partitionIndexes: [0] }] },
        ],
        requireStable: true,
      });
      expect(r.groups!.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])])])).toEqual([
        [g1, 0, [[topic, [[0, 3, 0]]]]],
        [g2, 0, [[topic, [[0, 4, 0]]]]],
      ]);
    } finally {
      conn.close();
    }
  });

  it('librdkafka DeleteConsumerGroupOffsets removes a partition offset of an empty group, lasting across a restart', async () => {
    const topic = uniqueName('od');
    await createTopic(admin, topic, 2);
    const group = uniqueName('od-group');
    await commit(group, [`${topic}:0:10`, `${topic}:1:20`]);

    const deleted = await rdkafka(['delete', broker.bootstrap, group, `${topic}:0`, 'no-such-topic:0']);
    expect(deleted.error).toBeNull();
    expect(deleted.groups[0].partitions.map((p) => [p.topic, p.partition, p.error])).toEqual([
      ['no-such-topic', 0, 'UNKNOWN_TOPIC_OR_PART'],
      [topic, 0, 'NO_ERROR'],
    ]);
    const after = await rdkafka(['list', broker.bootstrap, group, 'any']);
    expect(after.groups[0].partitions).toEqual([{ topic, partition: 1, offset: 20, error: 'NO_ERROR' }]);

    const unknown = await rdkafka(['delete', broker.bootstrap, uniqueName('nobody'), `${topic}:0`]);
    expect(unknown.error).toMatch(/group id does not exist/i);

    await admin.disconnect();
    await broker.restart();
    await admin.connect();
    const restarted = await rdkafka(['list', broker.bootstrap, group, 'any']);
    expect(restarted.groups[0].partitions).toEqual([{ topic, partition: 1, offset: 20, error: 'NO_ERROR' }]);
  });

  it('CreatePartitions checks manual assignments: a missing broker is INVALID_REPLICA_ASSIGNMENT', async () => {
    const topic = uniqueName('cp');
    await createTopic(admin, topic, 1);
    const run = (count: number, assignment: number[][] | null) =>
      runPythonJson<{ error: null | { code: string; message: string } }>(CREATE_PARTITIONS_SCRIPT, [broker.bootstrap, topic, String(count), JSON.stringify(assignment)]);

    const missing = await run(2, [[99]]);
    expect(missing.error?.code).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(missing.error?.message).toMatch(/broker 99/);
    const tooMany = await run(2, [[broker.nodeId], [broker.nodeId]]);
    expect(tooMany.error?.code).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions).toHaveLength(1);

    expect(await run(3, [[broker.nodeId], [broker.nodeId]])).toEqual({ error: null });
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions).toHaveLength(3);
    // kafkajs sends assignments too.
    await expect(admin.createPartitions({ topicPartitions: [{ topic, count: 4, assignments: [[7]] }] })).rejects.toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
  });

  it('describes and alters BROKER configs: dynamic ones apply to topics at once and last, static ones are refused', async () => {
    const id = String(broker.nodeId);
    const names = ['log.retention.ms', 'num.partitions', 'log.message.format.version'];
    const before = await runPythonJson<BrokerConfigsOut>(BROKER_CONFIGS_SCRIPT, [broker.bootstrap, id, JSON.stringify(names)]);
    expect(before.configs['num.partitions']).toMatchObject({ readOnly: true, source: 4 });
    expect(before.configs['log.retention.ms']).toEqual({ value: '604800000', source: 5, readOnly: false, isDefault: true });
    expect(before.configs['log.message.format.version'].value).toBe('3.0-IV1');

    const refused = await runPythonJson<BrokerConfigsOut>(BROKER_CONFIGS_SCRIPT, [broker.bootstrap, id, JSON.stringify(names), JSON.stringify({ 'num.partitions': '4' })]);
    expect(refused.alter).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((refused.alter as { message: string }).message).toMatch(/Cannot update these configs dynamically: num\.partitions/);

    const topic = uniqueName('dyn');
    await createTopic(admin, topic, 1);
    const altered = await runPythonJson<BrokerConfigsOut>(BROKER_CONFIGS_SCRIPT, [
      broker.bootstrap,
      id,
      JSON.stringify(names),
      JSON.stringify({ 'log.retention.ms': '3600000', 'log.message.format.version': '2.8' }),
    ]);
    expect(altered.alter).toBe('ok');
    expect(altered.configs['log.retention.ms']).toEqual({ value: '3600000', source: 2, readOnly: false, isDefault: false });
    expect(altered.configs['log.message.format.version'].value).toBe('2.8');

    const topicRetentionEntry = async () => {
      const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
      return d.resources[0].configEntries[0];
    };
    const topicRetention = async () => (await topicRetentionEntry()).configValue;
    expect(await topicRetentionEntry()).toMatchObject({ configValue: '3600000', configSource: 2 });

    // kafkajs: DescribeConfigs of the broker sees the same.
    const kd = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: id, configNames: ['log.retention.ms'] }] });
    expect(kd.resources[0].configEntries[0]).toMatchObject({ configName: 'log.retention.ms', configValue: '3600000', readOnly: false });

    // IncrementalAlterConfigs (librdkafka 2.0.2 and kafkajs 2.2.4 lack it): DELETE returns to the default.
    const conn = await KafkaConnection.open(broker.host, broker.kafkaPort, 'it-incremental');
    try {
      const r = await conn.send(IncrementalAlterConfigsApi.apiKey, 1, {
        resources: [
          { resourceType: 4, resourceName: id, configs: [{ name: 'log.retention.ms', configOperation: 1, value: null }] },
          { resourceType: 4, resourceName: id, configs: [{ name: 'log.cleaner.backoff.ms', configOperation: 0, value: '100' }] },
          { resourceType: 4, resourceName: '7', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1' }] },
        ],
        validateOnly: false,
      });
      expect(r.responses.map((x) => x.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
      expect(r.responses[1].errorMessage).toMatch(/Cannot update these configs dynamically: log\.cleaner\.backoff\.ms/);
    } finally {
      conn.close();
    }
    expect(await topicRetention()).toBe('604800000');

    // The cluster-wide default (resource name '') lasts across a restart.
    // (kafkajs and librdkafka refuse the empty resource name on their side: raw requests.)
    const raw = await KafkaConnection.open(broker.host, broker.kafkaPort, 'it-cluster-default');
    try {
      const altered = await raw.send(AlterConfigsApi.apiKey, 2, {
        resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', value: '7200000' }] }],
        validateOnly: false,
      });
      expect(altered.responses.map((x) => [x.errorCode, x.errorMessage])).toEqual([[ErrorCode.NONE, null]]);
      const described = await raw.send(DescribeConfigsApi.apiKey, 4, { resources: [{ resourceType: 4, resourceName: '', configurationKeys: null }] });
      expect(described.results[0].configs.map((c) => [c.name, c.value, c.configSource])).toEqual([['log.retention.ms', '7200000', 3]]);
    } finally {
      raw.close();
    }
    expect(await topicRetention()).toBe('7200000');
    await admin.disconnect();
    await broker.restart();
    await admin.connect();
    expect(await topicRetention()).toBe('7200000');
  });

  it('accepts message.format.version on topics as the no-op it is in Kafka 3.x', async () => {
    const topic = uniqueName('mfv');
    await createTopic(admin, topic, 1, { 'message.format.version': '0.10.2' });
    const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['message.format.version'] }] });
    expect(d.resources[0].configEntries[0]).toMatchObject({ configName: 'message.format.version', configValue: '0.10.2' });
    const producer = makeKafka(broker.bootstrap).producer();
    await producer.connect();
    const [sent] = await producer.send({ topic, messages: [{ value: 'still format v2' }] });
    await producer.disconnect();
    expect(sent.errorCode).toBe(0);
  });

  it('OffsetForLeaderEpoch answers where an epoch ends from the leader-epoch-checkpoint, and fences stale leader epochs', async () => {
    const topic = uniqueName('ofle');
    await createTopic(admin, topic, 1);
    const producer = makeKafka(broker.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 7 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    const conn = await KafkaConnection.open(broker.host, broker.kafkaPort, 'it-ofle');
    try {
      const versions = await conn.send(ApiVersionsApi.apiKey, 3, { clientSoftwareName: 'it', clientSoftwareVersion: '1' });
      expect(versions.apiKeys.filter((k) => k.apiKey === OffsetForLeaderEpochApi.apiKey).map((k) => [k.minVersion, k.maxVersion])).toEqual([[0, 4]]);
      const ask = (partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[], name = topic) =>
        conn.send(OffsetForLeaderEpochApi.apiKey, 4, { replicaId: -1, topics: [{ topic: name, partitions }] });
      const r = await ask([
        { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
        { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 5 },
        { partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 },
        { partition: 3, currentLeaderEpoch: -1, leaderEpoch: 0 },
      ]);
      expect(r.topics[0].partitions.map((p) => [p.errorCode, p.leaderEpoch, Number(p.endOffset)])).toEqual([
        [ErrorCode.NONE, 0, 7], // the current epoch ends at the log end
        [ErrorCode.NONE, -1, -1], // an epoch above every known one
        [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1], // the asker knows a newer leader than this one
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
      ]);
    } finally {
      conn.close();
    }
  });
  it('DescribeLogDirs lists each partition with its segment bytes and offset lag; the single broker answers the cluster admin APIs', async () => {
    const topic = uniqueName('logdirs');
    await createTopic(admin, topic, 2);
    const producer = makeKafka(broker.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ partition: i % 2 === 0 ? 0 : 1, value: `record-${i}`.padEnd(100, '.') })) });
    await producer.disconnect();
    const conn = await KafkaConnection.open(broker.host, broker.kafkaPort, 'it-logdirs');
    try {
      const bytesOnDisk = (dir: string, p: number) => readdirSync(path.join(dir, `${topic}-${p}`)).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(path.join(dir, `${topic}-${p}`, f)).size, 0);
      for (const version of [1, 4]) {
        const r = await conn.send(DescribeLogDirsApi.apiKey, version, { topics: [{ topic, partitions: [0, 1, 2] }] });
        const dir = r.results[0]!;
        expect(dir.logDir).toBe(path.join(broker.dataDir, 'logs'));
        expect(dir.topics).toEqual([
          {
            name: topic,
            partitions: [0, 1].map((p) => ({ partitionIndex: p, partitionSize: bytesOnDisk(dir.logDir, p), offsetLag: 0, isFutureKey: false })),
          },
        ]);
        expect(dir.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(25 * 100);
        if (version === 4) expect(dir.usableBytes).toBeGreaterThan(0);
      }
      const all = await conn.send(DescribeLogDirsApi.apiKey, 2, { topics: null });
      expect(all.results[0]!.topics.map((t) => t.name)).toContain(topic);

      const elected = await conn.send(ElectLeadersApi.apiKey, 1, { electionType: 0, topicPartitions: [{ topic, partitions: [1, 5] }], timeoutMs: 5000 });
      expect(elected.replicaElectionResults[0]!.partitionResult.map((p) => p.errorCode)).toEqual([ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
      const moved = await conn.send(AlterPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 5000, topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [7] }] }] });
      expect(moved.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect((await conn.send(ListPartitionReassignmentsApi.apiKey, 0, { timeoutMs: 5000, topics: null })).topics).toEqual([]);
    } finally {
      conn.close();
    }
  });
});
