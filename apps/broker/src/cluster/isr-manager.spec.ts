import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterMetadataStore, PartitionState, VersionedPartitionState } from '@millrace/cluster-metadata';
import { buildBatch, ErrorCode } from '@millrace/protocol';
import { DEFAULT_LOG_CONFIG, LogManager } from '@millrace/storage';
import type { TopicManager } from '../metadata/topic-manager';
import type { TopicMetadata } from '../metadata/topic-store';
import { IsolationLevel } from '../partition/partition-types';
import { ReplicaManager } from '../partition/replica-manager';
import { IsrManager } from './isr-manager';

/**
 * The ISR expands on the fetch that brings a follower to the high watermark, as Kafka's
 * leader does, not on the manager's next periodic check: with a lag time of an hour the
 * periodic check runs every second, and the compare-and-swap must come before it.
 */
describe('IsrManager expansion on a follower fetch', () => {
  const topic: TopicMetadata = { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: 1, replicationFactor: 3, configs: {}, internal: false, replicas: [[1, 2, 3]] };
  let dir: string;
  let logs: LogManager;
  let rm: ReplicaManager;
  let isr: IsrManager;
  let record: PartitionState;
  const written: PartitionState[] = [];
  let wrote: () => void = () => undefined;
  /** The topic's replicas as etcd holds them (this broker's mirror may lag behind). */
  let etcdReplicas: number[];
  let topicRead: () => void = () => undefined;

  const store = {
    getPartition: (t: string, partition: number): Promise<VersionedPartitionState> => Promise.resolve({ topic: t, partition, state: record, revision: '1' }),
    getTopic: () => {
      topicRead();
      return Promise.resolve({ topicId: topic.topicId, replicas: [etcdReplicas] });
    },
    updatePartition: (_read: VersionedPartitionState, next: PartitionState): Promise<'ok'> => {
      written.push(next);
      wrote();
      return Promise.resolve('ok');
    },
  } as unknown as ClusterMetadataStore;
  const topics = { get: () => topic } as unknown as TopicManager;
  const logger = { info: () => undefined, warn: () => undefined };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'isr-manager-'));
    logs = new LogManager({ dataDir: dir, scheduleTasks: false });
    await logs.startup();
    record = { leader: 1, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 4 };
    etcdReplicas = [1, 2, 3];
    written.length = 0;
    rm = new ReplicaManager(logs, null, { nodeId: 1, leadershipOf: () => record });
    await rm.openPartitions(topic, [0], DEFAULT_LOG_CONFIG);
    isr = new IsrManager(store, rm, topics, 1, 3_600_000, logger);
  });

  afterEach(async () => {
    isr.stop();
    await logs.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const fetch = (replicaId: number, fetchOffset: number) =>
    rm.fetch({ maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: IsolationLevel.READ_UNCOMMITTED, replicaId, partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] });

  it('writes the expanded ISR on the catching-up fetch, before any periodic check', async () => {
    const periodic = jest.spyOn(isr, 'check');
    isr.start();
    expect((await rm.appendRecords('t', 0, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('v'), timestamp: Date.now() }] }), 1)).errorCode).toBe(ErrorCode.NONE);
    await fetch(2, 1); // the ISR follower: high watermark 1
    expect(rm.getPartition('t', 0)!.highWatermark).toBe(1);

    await fetch(3, 0); // below the high watermark: nothing to write
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([]);

    const cas = new Promise<void>((resolve) => (wrote = resolve));
    await fetch(3, 1);
    await cas;
    expect(written).toEqual([{ leader: 1, leaderEpoch: 0, isr: [1, 2, 3], partitionEpoch: 5 }]);
    expect(periodic).not.toHaveBeenCalled();
  });

  it('does not add back a replica a completed reassignment removed while the local topic mirror still lists it', async () => {
    isr.start();
    etcdReplicas = [1, 2]; // replica 3 removed in etcd; this broker's mirror (topic.replicas) still has it
    expect((await rm.appendRecords('t', 0, buildBatch({ baseOffset: 0, records: [{ value: Buffer.from('v'), timestamp: Date.now() }] }), 1)).errorCode).toBe(ErrorCode.NONE);
    await fetch(2, 1);
    const checked = new Promise<void>((resolve) => (topicRead = resolve));
    await fetch(3, 1);
    await checked;
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([]);
  });
});
