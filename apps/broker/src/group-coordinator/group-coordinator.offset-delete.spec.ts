import { ErrorCode as E } from '@millrace/protocol';
import { decodeKey } from './consumer-offsets-format';
import { GroupCoordinator } from './group-coordinator';
import { GroupCoordinatorConfig } from './group-coordinator.config';
import { encodeAssignment, encodeSubscription, FakeGroupLog, ManualClock, track } from './testing';

const DELAY = 100;

describe('GroupCoordinator OffsetDelete and require_stable OffsetFetch', () => {
  let clock: ManualClock;
  let log: FakeGroupLog;
  let gc: GroupCoordinator;
  const config: Partial<GroupCoordinatorConfig> = { groupInitialRebalanceDelayMs: DELAY, offsetsTopicNumPartitions: 50 };

  beforeEach(async () => {
    clock = new ManualClock();
    log = new FakeGroupLog();
    gc = new GroupCoordinator(config, log, clock);
    await gc.load([]);
  });

  afterEach(() => gc.shutdown());

  const simpleCommit = async (groupId: string, entries: [string, number, number][]) => {
    for (const [name, partitionIndex, committedOffset] of entries) {
      const r = await gc.commitOffsets({
        groupId,
        generationId: -1,
        memberId: '',
        topics: [{ name, partitions: [{ partitionIndex, committedOffset, committedMetadata: null }] }],
      });
      expect(r.topics[0].partitions[0].errorCode).toBe(E.NONE);
    }
  };
  const offsetOf = (groupId: string, topic: string, partition: number, coordinator = gc) =>
    coordinator.fetchOffsets({ groupId, topics: [{ name: topic, partitionIndexes: [partition] }] }).topics[0].partitions[0].committedOffset;

  /** One member of a consumer-protocol group subscribed to `topics`, Stable. */
  async function stableConsumer(groupId: string, protocolType: string, topics: string[]): Promise<void> {
    const j = track(
      gc.joinGroup({
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 30_000,
        memberId: '',
        protocolType,
        protocols: [{ name: 'range', metadata: encodeSubscription(topics) }],
        clientId: 'client',
        clientHost: '/10.0.0.1',
        requireKnownMemberId: false,
      }),
    );
    await clock.advance(DELAY);
    const r = j.value;
    const s = await gc.syncGroup({
      groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      assignments: [{ memberId: r.memberId, assignment: encodeAssignment([{ topic: topics[0], partitions: [0] }]) }],
    });
    expect(s.errorCode).toBe(E.NONE);
  }

  it('removes an offset of an Empty group with a tombstone that survives a reload', async () => {
    await simpleCommit('g', [['t', 0, 10], ['t', 1, 20], ['u', 0, 30]]);
    const r = await gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 5] }] });
    expect(r).toEqual({ errorCode: E.NONE, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: E.NONE }, { partitionIndex: 5, errorCode: E.NONE }] }] });
    expect(offsetOf('g', 't', 0)).toBe(-1);
    expect(offsetOf('g', 't', 1)).toBe(20);
    const tombstones = log.records.filter((rec) => rec.value === null).map((rec) => decodeKey(rec.key));
    expect(tombstones).toEqual([
      { type: 'offset', group: 'g', topic: 't', partition: 0 },
      { type: 'offset', group: 'g', topic: 't', partition: 5 },
    ]);

    const restarted = new GroupCoordinator(config, new FakeGroupLog(), clock);
    await restarted.load(log.records);
    expect(offsetOf('g', 't', 0, restarted)).toBe(-1);
    expect(offsetOf('g', 't', 1, restarted)).toBe(20);
    expect(offsetOf('g', 'u', 0, restarted)).toBe(30);
    restarted.shutdown();
  });

  it('deletes the group once its last offset is gone, as Kafka does', async () => {
    await simpleCommit('g', [['t', 0, 10]]);
    await gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(gc.listGroups().groups.map((g) => g.groupId)).toEqual([]);
    expect(decodeKey(log.records.at(-1)!.key)).toEqual({ type: 'group', group: 'g' });
    expect(log.records.at(-1)!.value).toBeNull();
    expect((await gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] })).errorCode).toBe(E.GROUP_ID_NOT_FOUND);
  });

  it('answers GROUP_ID_NOT_FOUND for an unknown group and INVALID_GROUP_ID for an empty id', async () => {
    expect(await gc.deleteOffsets({ groupId: 'nobody', topics: [{ name: 't', partitionIndexes: [0] }] })).toEqual({ errorCode: E.GROUP_ID_NOT_FOUND, topics: [] });
    expect((await gc.deleteOffsets({ groupId: '', topics: [] })).errorCode).toBe(E.INVALID_GROUP_ID);
  });

  it('keeps offsets of topics a live consumer group subscribes to: GROUP_SUBSCRIBED_TO_TOPIC', async () => {
    await simpleCommit('g', [['t', 0, 10], ['old', 0, 5]]);
    await stableConsumer('g', 'consumer', ['t']);
    const r = await gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }, { name: 'old', partitionIndexes: [0] }] });
    expect(r).toEqual({
      errorCode: E.NONE,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] },
        { name: 'old', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] },
      ],
    });
    expect(offsetOf('g', 't', 0)).toBe(10);
    expect(offsetOf('g', 'old', 0)).toBe(-1);
  });

  it('refuses a non-consumer group with members: NON_EMPTY_GROUP', async () => {
    await simpleCommit('c', [['t', 0, 10]]);
    await stableConsumer('c', 'connect', ['t']);
    expect(await gc.deleteOffsets({ groupId: 'c', topics: [{ name: 't', partitionIndexes: [0] }] })).toEqual({ errorCode: E.NON_EMPTY_GROUP, topics: [] });
    expect(offsetOf('c', 't', 0)).toBe(10);
  });

  it('changes nothing when the tombstones cannot be written', async () => {
    await simpleCommit('g', [['t', 0, 10]]);
    log.failNext = 1;
    const r = await gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(r.topics[0].partitions[0].errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(offsetOf('g', 't', 0)).toBe(10);
  });

  it('keeps a commit issued while the deletion is being written (it follows the tombstone in the log)', async () => {
    await simpleCommit('g', [['t', 0, 10], ['t', 1, 1]]);
    log.hold = true;
    const deletion = gc.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
    const commit = simpleCommit('g', [['t', 0, 11]]);
    log.release();
    await deletion;
    await commit;
    expect(offsetOf('g', 't', 0)).toBe(11);
    const restarted = new GroupCoordinator(config, new FakeGroupLog(), clock);
    await restarted.load(log.records);
    expect(offsetOf('g', 't', 0, restarted)).toBe(11);
    restarted.shutdown();
  });

  it('require_stable: partitions with pending transactional commits answer UNSTABLE_OFFSET_COMMIT', async () => {
    await simpleCommit('g', [['t', 0, 10], ['t', 1, 20]]);
    gc.usePendingTransactionalOffsets({ hasPendingTransactionalOffsets: (group, topic, partition) => group === 'g' && topic === 't' && partition === 1 });
    const topics = [{ name: 't', partitionIndexes: [0, 1] }];
    expect(gc.fetchOffsets({ groupId: 'g', topics, requireStable: true }).topics[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
      { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.UNSTABLE_OFFSET_COMMIT },
    ]);
    expect(gc.fetchOffsets({ groupId: 'g', topics: null, requireStable: true }).topics[0].partitions.map((p) => p.errorCode)).toEqual([E.NONE, E.UNSTABLE_OFFSET_COMMIT]);
    // Without require_stable the last committed offset is answered.
    expect(gc.fetchOffsets({ groupId: 'g', topics }).topics[0].partitions.map((p) => p.committedOffset)).toEqual([10, 20]);
  });

  it('require_stable without a transaction source: every committed offset is stable', async () => {
    await simpleCommit('g', [['t', 0, 10]]);
    expect(gc.fetchOffsets({ groupId: 'g', topics: null, requireStable: true })).toEqual({
      errorCode: E.NONE,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] }],
    });
  });
});
