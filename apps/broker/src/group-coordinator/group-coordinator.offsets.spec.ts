import { ErrorCode as E } from '@millrace/protocol';
import { decodeKey, decodeOffsetCommitValue, encodeGroupMetadataKey, encodeOffsetCommitKey, encodeOffsetCommitValue } from './consumer-offsets-format';
import { GroupCoordinator } from './group-coordinator';
import { GroupCoordinatorConfig } from './group-coordinator.config';
import { JoinGroupResult, OffsetCommitInput } from './group-coordinator.types';
import { partitionForGroup } from './group-partitioner';
import { encodeAssignment, encodeSubscription, FakeGroupLog, flushPromises, ManualClock, track } from './testing';

const DELAY = 100;
const SESSION = 10_000;

describe('GroupCoordinator offsets, persistence and group deletion', () => {
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

  async function stableMember(groupId: string, coordinator = gc): Promise<JoinGroupResult> {
    const j = track(
      coordinator.joinGroup({
        groupId,
        sessionTimeoutMs: SESSION,
        rebalanceTimeoutMs: 30_000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
        clientId: 'client',
        clientHost: '/10.0.0.1',
        requireKnownMemberId: false,
      }),
    );
    await clock.advance(DELAY);
    const r = j.value;
    const s = await coordinator.syncGroup({
      groupId,
      generationId: r.generationId,
      memberId: r.memberId,
      assignments: [{ memberId: r.memberId, assignment: encodeAssignment([{ topic: 't', partitions: [0, 1] }]) }],
    });
    expect(s.errorCode).toBe(E.NONE);
    return r;
  }

  const commit = (input: Partial<OffsetCommitInput> & { groupId: string }, partitions: [string, number, number, string?][]) =>
    gc.commitOffsets({
      generationId: -1,
      memberId: '',
      ...input,
      topics: groupByTopic(partitions).map(([name, ps]) => ({
        name,
        partitions: ps.map(([, partitionIndex, committedOffset, metadata]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: 3,
          committedMetadata: metadata ?? null,
        })),
      })),
    });
  const errorsOf = (r: { topics: { partitions: { errorCode: number }[] }[] }) => r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
  const fetchOne = (groupId: string, topic: string, partition: number, coordinator = gc) =>
    coordinator.fetchOffsets({ groupId, topics: [{ name: topic, partitionIndexes: [partition] }] }).topics[0].partitions[0];

  it('commits and fetches offsets of a group member, checking generation and member', async () => {
    const m = await stableMember('g');
    const ok = await commit({ groupId: 'g', generationId: 1, memberId: m.memberId }, [['t', 0, 10, 'meta'], ['t', 1, 20]]);
    expect(errorsOf(ok)).toEqual([0, 0]);
    expect(fetchOne('g', 't', 0)).toEqual({ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 });
    expect(fetchOne('g', 't', 1)).toMatchObject({ committedOffset: 20, metadata: '' });
    expect(fetchOne('g', 't', 2)).toEqual({ partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 });
    expect(fetchOne('g', 'other', 0).committedOffset).toBe(-1);

    expect(errorsOf(await commit({ groupId: 'g', generationId: 0, memberId: m.memberId }, [['t', 0, 11]]))).toEqual([E.ILLEGAL_GENERATION]);
    expect(errorsOf(await commit({ groupId: 'g', generationId: 1, memberId: 'stranger' }, [['t', 0, 11]]))).toEqual([E.UNKNOWN_MEMBER_ID]);
    // A simple commit is refused while the group has members.
    expect(errorsOf(await commit({ groupId: 'g' }, [['t', 0, 11]]))).toEqual([E.UNKNOWN_MEMBER_ID]);
    // Unknown group with a generation: a commit from a lost generation.
    expect(errorsOf(await commit({ groupId: 'nope', generationId: 3, memberId: 'x' }, [['t', 0, 1]]))).toEqual([E.ILLEGAL_GENERATION]);
    expect(fetchOne('g', 't', 0).committedOffset).toBe(10);

    // All partitions when topics = null.
    expect(gc.fetchOffsets({ groupId: 'g', topics: null })).toEqual({
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
            { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
    expect(gc.fetchOffsets({ groupId: 'unknown', topics: null })).toEqual({ errorCode: 0, topics: [] });
  });

  it('refuses commits while the group is completing a rebalance', async () => {
    const j = track(
      gc.joinGroup({
        groupId: 'g',
        sessionTimeoutMs: SESSION,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        clientId: 'c',
        clientHost: '/h',
        requireKnownMemberId: false,
      }),
    );
    await clock.advance(DELAY);
    expect(errorsOf(await commit({ groupId: 'g', generationId: 1, memberId: j.value.memberId }, [['t', 0, 1]]))).toEqual([E.REBALANCE_IN_PROGRESS]);
  });

  it('allows simple (generation -1) commits for unknown and Empty groups', async () => {
    expect(errorsOf(await commit({ groupId: 'simple' }, [['a', 0, 5], ['b', 2, 7]]))).toEqual([0, 0]);
    expect(gc.describeGroups(['simple'])[0]).toMatchObject({ groupState: 'Empty', protocolType: '', members: [] });
    expect(fetchOne('simple', 'b', 2).committedOffset).toBe(7);
    expect(errorsOf(await commit({ groupId: '' }, [['a', 0, 1]]))).toEqual([0]); // '' is a valid group id for offsets
  });

  it('rejects metadata above offset.metadata.max.bytes per partition', async () => {
    const r = await commit({ groupId: 's' }, [['a', 0, 1, 'x'.repeat(4097)], ['a', 1, 2, 'ok']]);
    expect(errorsOf(r)).toEqual([E.OFFSET_METADATA_TOO_LARGE, 0]);
    expect(fetchOne('s', 'a', 0).committedOffset).toBe(-1);
  });

  it('acknowledges a commit only after the log append resolved, and not at all if it failed', async () => {
    log.hold = true;
    const c = track(commit({ groupId: 's' }, [['a', 0, 1]]));
    await flushPromises();
    expect(c.done).toBe(false);
    expect(fetchOne('s', 'a', 0).committedOffset).toBe(-1);
    log.release();
    await flushPromises();
    expect(errorsOf(c.value)).toEqual([0]);
    expect(fetchOne('s', 'a', 0).committedOffset).toBe(1);

    log.failNext = 1;
    expect(errorsOf(await commit({ groupId: 's' }, [['a', 0, 2]]))).toEqual([E.COORDINATOR_NOT_AVAILABLE]);
    expect(fetchOne('s', 'a', 0).committedOffset).toBe(1);
  });

  it('writes records in Kafka format to the group partition', async () => {
    const m = await stableMember('test-group');
    await commit({ groupId: 'test-group', generationId: 1, memberId: m.memberId }, [['t', 0, 42, 'md']]);
    const p = partitionForGroup('test-group', 50);
    expect(p).toBe(12);
    expect(log.records.every((r) => r.partition === p)).toBe(true);
    const keys = log.records.map((r) => decodeKey(r.key));
    expect(keys).toEqual([
      { type: 'group', group: 'test-group' },
      { type: 'offset', group: 'test-group', topic: 't', partition: 0 },
    ]);
    expect(decodeOffsetCommitValue(log.records[1].value!)).toEqual({
      offset: 42,
      leaderEpoch: 3,
      metadata: 'md',
      commitTimestamp: clock.now(),
      expireTimestamp: null,
    });
  });

  it('survives a restart: a new coordinator loading the records has the same offsets and group metadata', async () => {
    const m = await stableMember('g');
    await commit({ groupId: 'g', generationId: 1, memberId: m.memberId }, [['t', 0, 10, 'a'], ['t', 1, 20]]);
    await commit({ groupId: 'g', generationId: 1, memberId: m.memberId }, [['t', 0, 11, 'b']]);
    await commit({ groupId: 'simple' }, [['x', 3, 33]]);
    const before = gc.describeGroups(['g', 'simple']);
    gc.shutdown();

    const restarted = new GroupCoordinator(config, new FakeGroupLog(), clock);
    // Before loading finishes the coordinator answers as Kafka does while loading.
    expect(restarted.fetchOffsets({ groupId: 'g', topics: null }).errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect(errorsOf(await restarted.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }] }))).toEqual([E.COORDINATOR_LOAD_IN_PROGRESS]);
    expect(restarted.heartbeat({ groupId: 'g', generationId: 1, memberId: m.memberId }).errorCode).toBe(E.NONE);
    expect((await restarted.syncGroup({ groupId: 'g', generationId: 1, memberId: m.memberId, assignments: [] })).errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    expect(restarted.describeGroups(['g'])[0].errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    expect(restarted.listGroups().errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);

    const summary = await restarted.load(log.records);
    expect(summary).toEqual({ offsets: 3, groups: 2, skipped: 0 });
    expect(restarted.describeGroups(['g', 'simple'])).toEqual(before);
    expect(before[0]).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(fetchOne('g', 't', 0, restarted)).toMatchObject({ committedOffset: 11, metadata: 'b', committedLeaderEpoch: 3 });
    expect(fetchOne('g', 't', 1, restarted)).toMatchObject({ committedOffset: 20 });
    expect(fetchOne('simple', 'x', 3, restarted)).toMatchObject({ committedOffset: 33 });

    // The member carries on with its generation; if it stops heartbeating it is removed.
    expect(restarted.heartbeat({ groupId: 'g', generationId: 1, memberId: m.memberId }).errorCode).toBe(E.NONE);
    const s = await restarted.syncGroup({ groupId: 'g', generationId: 1, memberId: m.memberId, assignments: [] });
    expect(s.assignment).toEqual(encodeAssignment([{ topic: 't', partitions: [0, 1] }]));
    await clock.advance(SESSION);
    expect(restarted.describeGroups(['g'])[0].groupState).toBe('Empty');
    restarted.shutdown();
  });

  it('loading applies tombstones and the last record per key, and skips foreign records', async () => {
    const off = (o: number) => encodeOffsetCommitValue({ offset: o, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: null });
    const restarted = new GroupCoordinator(config, new FakeGroupLog(), clock);
    const summary = await restarted.load([
      { key: encodeOffsetCommitKey('a', 't', 0), value: off(1) },
      { key: encodeOffsetCommitKey('a', 't', 0), value: off(2) },
      { key: encodeOffsetCommitKey('a', 't', 1), value: off(5) },
      { key: encodeOffsetCommitKey('a', 't', 1), value: null },
      { key: encodeOffsetCommitKey('b', 't', 0), value: off(9) },
      { key: encodeOffsetCommitKey('b', 't', 0), value: null },
      { key: encodeGroupMetadataKey('b'), value: null },
      { key: Buffer.from([0, 9, 0, 0]), value: Buffer.from([1]) },
    ]);
    expect(summary).toEqual({ offsets: 1, groups: 1, skipped: 1 });
    expect(fetchOne('a', 't', 0, restarted).committedOffset).toBe(2);
    expect(fetchOne('a', 't', 1, restarted).committedOffset).toBe(-1);
    expect(restarted.describeGroups(['b'])[0].groupState).toBe('Dead');
    restarted.shutdown();
  });

  describe('DeleteGroups', () => {
    it('deletes only Empty groups, writing tombstones for the group and its offsets', async () => {
      await commit({ groupId: 'empty' }, [['t', 0, 1], ['t', 1, 2]]);
      await stableMember('busy');
      const before = log.records.length;
      const r = await gc.deleteGroups(['empty', 'busy', 'missing']);
      expect(r).toEqual([
        { groupId: 'empty', errorCode: E.NONE },
        { groupId: 'busy', errorCode: E.NON_EMPTY_GROUP },
        { groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND },
      ]);
      const tombstones = log.records.slice(before);
      expect(tombstones.every((t) => t.value === null)).toBe(true);
      expect(tombstones.map((t) => decodeKey(t.key))).toEqual([
        { type: 'offset', group: 'empty', topic: 't', partition: 0 },
        { type: 'offset', group: 'empty', topic: 't', partition: 1 },
        { type: 'group', group: 'empty' },
      ]);
      expect(gc.describeGroups(['empty'])[0].groupState).toBe('Dead');
      expect(fetchOne('empty', 't', 0).committedOffset).toBe(-1);
      expect(gc.listGroups().groups.map((g) => g.groupId)).toEqual(['busy']);
      expect((await gc.deleteGroups(['empty']))[0].errorCode).toBe(E.GROUP_ID_NOT_FOUND);

      // After a restart the deleted group stays deleted.
      const restarted = new GroupCoordinator(config, new FakeGroupLog(), clock);
      await restarted.load(log.records);
      expect(restarted.describeGroups(['empty'])[0].groupState).toBe('Dead');
      expect(fetchOne('empty', 't', 1, restarted).committedOffset).toBe(-1);
      restarted.shutdown();
    });

    it('a group whose members all left can be deleted', async () => {
      const m = await stableMember('g');
      gc.leaveGroup({ groupId: 'g', members: [{ memberId: m.memberId }] });
      await flushPromises();
      expect(gc.describeGroups(['g'])[0].groupState).toBe('Empty');
      expect((await gc.deleteGroups(['g']))[0].errorCode).toBe(E.NONE);
    });

    it('keeps the group when the tombstones cannot be appended', async () => {
      await commit({ groupId: 'e' }, [['t', 0, 1]]);
      log.failNext = 1;
      expect((await gc.deleteGroups(['e']))[0].errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
      expect(gc.describeGroups(['e'])[0].groupState).toBe('Empty');
      expect(fetchOne('e', 't', 0).committedOffset).toBe(1);
    });
  });

  describe('offset retention', () => {
    it('expires offsets of Empty groups after offsets.retention.minutes and removes the group', async () => {
      gc.shutdown();
      gc = new GroupCoordinator({ ...config, offsetsRetentionMinutes: 1, offsetsRetentionCheckIntervalMs: 10_000 }, log, clock);
      await gc.load([]);
      await commit({ groupId: 's' }, [['t', 0, 1]]);
      const m = await stableMember('active');
      await commit({ groupId: 'active', generationId: 1, memberId: m.memberId }, [['t', 0, 5], ['gone', 0, 6]]);
      const before = log.records.length;
      for (let t = 0; t < 70_000; t += 5_000) {
        await clock.advance(5_000);
        gc.heartbeat({ groupId: 'active', generationId: 1, memberId: m.memberId });
      }
      expect(fetchOne('s', 't', 0).committedOffset).toBe(-1);
      expect(gc.describeGroups(['s'])[0].groupState).toBe('Dead');
      // Stable consumer group: only offsets of topics no member subscribes to expire.
      expect(fetchOne('active', 't', 0).committedOffset).toBe(5);
      expect(fetchOne('active', 'gone', 0).committedOffset).toBe(-1);
      const written = log.records.slice(before).map((r) => ({ key: decodeKey(r.key), tombstone: r.value === null }));
      expect(written).toEqual(
        expect.arrayContaining([
          { key: { type: 'offset', group: 's', topic: 't', partition: 0 }, tombstone: true },
          { key: { type: 'group', group: 's' }, tombstone: true },
          { key: { type: 'offset', group: 'active', topic: 'gone', partition: 0 }, tombstone: true },
        ]),
      );
    });

    it('honours an explicit retention_time_ms (OffsetCommit v2-v4)', async () => {
      await gc.commitOffsets({
        groupId: 's',
        generationId: -1,
        memberId: '',
        retentionTimeMs: 1_000,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
      });
      expect(decodeOffsetCommitValue(log.records.at(-1)!.value!).expireTimestamp).toBe(clock.now() + 1_000);
      await clock.advance(1_000);
      expect(await gc.cleanupExpiredOffsets()).toBe(1);
      expect(fetchOne('s', 't', 0).committedOffset).toBe(-1);
    });
  });
});

function groupByTopic<T extends [string, ...unknown[]]>(rows: T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r[0], [...(m.get(r[0]) ?? []), r]);
  return [...m];
}
