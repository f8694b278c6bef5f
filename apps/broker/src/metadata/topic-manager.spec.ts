import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ErrorCode } from '@millrace/protocol';
import { DEFAULT_LOG_CONFIG } from '@millrace/storage';
import { RecordingHost } from './test-support/recording-host';
import { TopicManager } from './topic-manager';
import { TopicStore } from './topic-store';

describe('TopicManager', () => {
  let dir: string;
  let host: RecordingHost;
  let manager: TopicManager;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tm-'));
    host = new RecordingHost();
    const store = new TopicStore(dir);
    await store.load();
    manager = new TopicManager(store, host, { nodeId: 1, numPartitions: 3, defaultReplicationFactor: 1, logDefaults: DEFAULT_LOG_CONFIG });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a topic with broker defaults and opens its partitions', async () => {
    const [r] = await manager.createTopics([{ name: 'orders', numPartitions: -1, replicationFactor: -1, configs: { 'cleanup.policy': 'compact' } }]);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(host.opened).toEqual(['orders-0', 'orders-1', 'orders-2']);
    expect(host.configs.get('orders')!.cleanupPolicy).toEqual(['compact']);
  });

  it.each([
    [{ name: 'bad name', numPartitions: 1, replicationFactor: 1, configs: {} }, ErrorCode.INVALID_TOPIC_EXCEPTION],
    [{ name: 't', numPartitions: 0, replicationFactor: 1, configs: {} }, ErrorCode.INVALID_PARTITIONS],
    [{ name: 't', numPartitions: 1, replicationFactor: 3, configs: {} }, ErrorCode.INVALID_REPLICATION_FACTOR],
    [{ name: 't', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } }, ErrorCode.INVALID_CONFIG],
    [{ name: 't', numPartitions: 1, replicationFactor: 1, configs: { 'no.such.key': '1' } }, ErrorCode.INVALID_CONFIG],
    [{ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1, configs: {} }, ErrorCode.INVALID_REQUEST],
  ])('rejects %o with error %i and creates nothing', async (spec, code) => {
    const [r] = await manager.createTopics([spec]);
    expect(r.errorCode).toBe(code);
    expect(r.errorMessage).toBeTruthy();
    expect(host.opened).toEqual([]);
  });

  it('answers TOPIC_ALREADY_EXISTS, and validateOnly changes nothing', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    const [again] = await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    expect(again.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const [dry] = await manager.createTopics([{ name: 'b', numPartitions: 1, replicationFactor: 1, configs: {} }], true);
    expect(dry.errorCode).toBe(ErrorCode.NONE);
    expect(manager.get('b')).toBeUndefined();
  });

  it('grows partitions, and refuses to shrink', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 2, replicationFactor: 1, configs: {} }]);
    expect((await manager.createPartitions('a', 2)).errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect((await manager.createPartitions('a', 4)).errorCode).toBe(ErrorCode.NONE);
    expect(host.opened).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
  });

  it('checks manual assignments of new partitions: only this broker, one list per new partition', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    const bad = [
      [[{ brokerIds: [1] }, { brokerIds: [7] }], /broker 7, but no such broker is registered/],
      [[{ brokerIds: [1] }], /add 2 additional partition\(s\), but 1 assignment/],
      [[{ brokerIds: [1] }, { brokerIds: [] }], /empty replica list/],
      [[{ brokerIds: [1] }, { brokerIds: [1, 1] }], /broker 1 more than once/],
    ] as const;
    for (const [assignments, message] of bad) {
      const r = await manager.createPartitions('a', 3, false, assignments.map((x) => ({ brokerIds: [...x.brokerIds] })));
      expect(r.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(r.errorMessage).toMatch(message);
    }
    expect(manager.get('a')!.partitions).toBe(1);
    expect((await manager.createPartitions('a', 3, true, [{ brokerIds: [1] }, { brokerIds: [1] }])).errorCode).toBe(ErrorCode.NONE);
    expect(manager.get('a')!.partitions).toBe(1);
    expect((await manager.createPartitions('a', 3, false, [{ brokerIds: [1] }, { brokerIds: [1] }])).errorCode).toBe(ErrorCode.NONE);
    expect(manager.get('a')!.partitions).toBe(3);
    expect(host.opened).toEqual(['a-0', 'a-1', 'a-2']);
  });

  it('applies new broker-wide defaults to every topic without an override of its own', async () => {
    await manager.createTopics([{ name: 'plain', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    await manager.createTopics([{ name: 'own', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
    manager.setLogDefaults({ ...DEFAULT_LOG_CONFIG, retentionMs: 5000, segmentBytes: 65536 });
    expect(host.configs.get('plain')).toMatchObject({ retentionMs: 5000, segmentBytes: 65536 });
    expect(host.configs.get('own')).toMatchObject({ retentionMs: 1000, segmentBytes: 65536 });
    expect(manager.configOf(manager.get('plain')!).retentionMs).toBe(5000);
  });

  it('alters configs incrementally or by replacement, validating values', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
    await manager.alterConfigs('a', { 'segment.bytes': '1048576' }, false);
    expect(manager.get('a')!.configs).toEqual({ 'retention.ms': '1000', 'segment.bytes': '1048576' });
    await manager.alterConfigs('a', { 'segment.bytes': '2097152' }, true);
    expect(manager.get('a')!.configs).toEqual({ 'segment.bytes': '2097152' });
    expect(host.configs.get('a')!.segmentBytes).toBe(2097152);
    expect((await manager.alterConfigs('a', { 'segment.bytes': 'big' }, false)).errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(manager.get('a')!.configs).toEqual({ 'segment.bytes': '2097152' });
  });

  it('deletes topics but never internal ones', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    expect((await manager.deleteTopic('a')).errorCode).toBe(ErrorCode.NONE);
    expect(host.deleted).toEqual(['a']);
    expect((await manager.deleteTopic('a')).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await manager.deleteTopic('__consumer_offsets')).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  });

  it('reports logs on disk that the catalogue does not know as stray', async () => {
    await manager.createTopics([{ name: 'a', numPartitions: 2, replicationFactor: 1, configs: {} }]);
    host.onDisk = [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 5 },
      { topic: 'gone', partition: 0 },
    ];
    expect(await manager.reconcile()).toEqual(['a-5', 'gone-0']);
  });
});
