import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { PlacementBroker, TopicAssignment } from '@millrace/cluster-metadata';
import { ErrorCode } from '@millrace/protocol';
import { DEFAULT_LOG_CONFIG } from '@millrace/storage';
import type { ClusterTopicPort, ForwardedTopicSpec } from './cluster-topic-port';
import { RecordingHost } from './test-support/recording-host';
import { TopicManager } from './topic-manager';
import { TopicStore } from './topic-store';

/** A cluster catalogue in memory whose changes reach the manager's mirror as the etcd watch would bring them. */
class FakeCluster implements ClusterTopicPort {
  controller = true;
  brokers: PlacementBroker[] = [1, 2, 3].map((nodeId) => ({ nodeId, rack: null }));
  readonly topics = new Map<string, TopicAssignment>();
  mirror!: TopicManager['mirror'];

  liveBrokers(): readonly PlacementBroker[] {
    return this.brokers;
  }
  isController(): boolean {
    return this.controller;
  }
  async createTopic(name: string, assignment: TopicAssignment): Promise<'created' | 'exists' | 'not-controller'> {
    if (this.topics.has(name)) return 'exists';
    this.topics.set(name, assignment);
    void this.mirror.apply(name, assignment);
    return 'created';
  }
  async deleteTopic(name: string): Promise<'deleted' | 'missing' | 'not-controller'> {
    if (!this.topics.delete(name)) return 'missing';
    void this.mirror.remove(name);
    return 'deleted';
  }
  async addPartitions(name: string, added: readonly (readonly number[])[]): Promise<'ok' | 'missing' | 'not-controller'> {
    const t = this.topics.get(name);
    if (!t) return 'missing';
    const next = { ...t, replicas: [...t.replicas, ...added] };
    this.topics.set(name, next);
    void this.mirror.apply(name, next);
    return 'ok';
  }
  async setTopicConfigs(name: string, configs: Record<string, string>): Promise<'ok' | 'missing'> {
    const t = this.topics.get(name);
    if (!t) return 'missing';
    this.topics.set(name, { ...t, configs });
    void this.mirror.apply(name, { ...t, configs });
    return 'ok';
  }
  readonly forwarded: { name: string; spec?: ForwardedTopicSpec }[] = [];
  async forwardCreateTopic(name: string, spec?: ForwardedTopicSpec): Promise<{ errorCode: ErrorCode; errorMessage: string | null }> {
    this.forwarded.push({ name, spec });
    return { errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'moved' };
  }
}

describe('TopicManager in cluster mode', () => {
  let dir: string;
  let host: RecordingHost;
  let cluster: FakeCluster;
  let manager: TopicManager;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ctm-'));
    host = new RecordingHost();
    cluster = new FakeCluster();
    const store = new TopicStore(dir);
    await store.load();
    // This broker is node 2 of brokers 1..3.
    manager = new TopicManager(store, host, { nodeId: 2, numPartitions: 3, defaultReplicationFactor: 1, logDefaults: DEFAULT_LOG_CONFIG }, cluster);
    cluster.mirror = manager.mirror;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('places a new topic over the live brokers and opens only the replicas this broker hosts', async () => {
    const [r] = await manager.createTopics([{ name: 'orders', numPartitions: 6, replicationFactor: 1, configs: { 'retention.ms': '1000' } }]);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    const replicas = cluster.topics.get('orders')!.replicas;
    expect(replicas.map((r) => r.length)).toEqual([1, 1, 1, 1, 1, 1]);
    for (const id of [1, 2, 3]) expect(replicas.filter((r) => r[0] === id)).toHaveLength(2);
    expect(cluster.topics.get('orders')!.configs).toEqual({ 'retention.ms': '1000' });
    const mine = replicas.flatMap((r, p) => (r[0] === 2 ? [`orders-${p}`] : []));
    expect(host.opened).toEqual(mine);
    expect(r.topic?.replicas).toEqual(replicas);
  });

  it('answers NOT_CONTROLLER on a broker that is not the controller, and writes nothing', async () => {
    cluster.controller = false;
    const [r] = await manager.createTopics([{ name: 'orders', numPartitions: 1, replicationFactor: 1, configs: {} }]);
    expect(r.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect(cluster.topics.size).toBe(0);
    expect((await manager.createPartitions('orders', 3)).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });

  it('places replicated partitions on distinct brokers; opens the replicas hosted here, led or followed', async () => {
    const [rf2] = await manager.createTopics([{ name: 'r', numPartitions: 3, replicationFactor: 2, configs: {} }]);
    expect(rf2.errorCode).toBe(ErrorCode.NONE);
    const replicas = cluster.topics.get('r')!.replicas;
    for (const r of replicas) expect(new Set(r).size).toBe(2);
    expect(host.opened).toEqual(replicas.flatMap((r, p) => (r.includes(2) ? [`r-${p}`] : [])));
  });

  it('refuses a replication factor above the live brokers, and manual lists naming unknown brokers', async () => {
    const [rf4] = await manager.createTopics([{ name: 'a', numPartitions: 1, replicationFactor: 4, configs: {} }]);
    expect(rf4.errorMessage).toMatch(/only 3 broker\(s\) are registered/);
    const [manual] = await manager.createTopics([{ name: 'a', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [9] }], configs: {} }]);
    expect(manual.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    const [gap] = await manager.createTopics([{ name: 'a', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [1] }], configs: {} }]);
    expect(gap.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(cluster.topics.size).toBe(0);
  });

  it('takes a manual assignment as given; moving a replica away deletes its log here; deleting the topic deletes the rest', async () => {
    const [r] = await manager.createTopics([
      {
        name: 'm',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 1, brokerIds: [2] },
          { partitionIndex: 0, brokerIds: [3] },
        ],
        configs: {},
      },
    ]);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(cluster.topics.get('m')!.replicas).toEqual([[3], [2]]);
    expect(host.opened).toEqual(['m-1']);
    // The cluster moves partition 1 to broker 1 (as a reassignment would).
    await manager.mirror.apply('m', { ...cluster.topics.get('m')!, replicas: [[3], [1]] });
    expect(host.deleted).toEqual(['m-1']);
    expect((await manager.deleteTopic('m')).errorCode).toBe(ErrorCode.NONE);
    expect(manager.get('m')).toBeUndefined();
  });

  it('replicates __consumer_offsets: the controller creates it in the catalogue with RF min(asked, live brokers); another broker asks the controller', async () => {
    cluster.brokers = cluster.brokers.slice(0, 2);
    cluster.controller = false;
    const asked = await manager.ensureInternalTopic('__consumer_offsets', 4, 3);
    expect(asked.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    expect(cluster.forwarded).toEqual([{ name: '__consumer_offsets', spec: { numPartitions: 4, replicationFactor: 2, configs: expect.objectContaining({ 'cleanup.policy': 'compact' }) } }]);
    expect(cluster.topics.size).toBe(0);

    cluster.controller = true;
    const r = await manager.ensureInternalTopic('__consumer_offsets', 4, 3);
    expect(r.errorCode).toBe(ErrorCode.NONE);
    const assignment = cluster.topics.get('__consumer_offsets')!;
    expect(assignment.replicas).toHaveLength(4);
    for (const replicas of assignment.replicas) expect(replicas).toHaveLength(2);
    expect(assignment.configs).toMatchObject({ 'cleanup.policy': 'compact' });
    expect(manager.get('__consumer_offsets')?.internal).toBe(true);
  });

  it('at start-up drops cluster topics the catalogue no longer has', async () => {
    await manager.createTopics([{ name: 'gone', numPartitions: 3, replicationFactor: 1, configs: {} }]);
    await manager.mirror.replaceAll(new Map());
    expect(manager.get('gone')).toBeUndefined();
    expect(host.deleted).toContain('gone');
  });
});
